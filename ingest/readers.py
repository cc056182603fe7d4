"""File -> text, one reader per format the minutes arrive in (txt, md, pdf, docx, html).

Readers only turn bytes into plain lines; `parse.py` finds the structure. Each raises
ReadError with a sentence naming what is wrong, so the pipeline can refuse the file and
go on with the others. What a reader library repaired in a damaged but readable file is
collected by `repairs()`, for the pipeline to report with the file.
"""
from __future__ import annotations

import contextlib
import io
import logging
import re
import threading
import zlib
from collections import Counter
from pathlib import Path
from typing import Iterator

from ingest.webpage import page_to_text

SUPPORTED = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
PAGE_NUMBER = re.compile(
    r"^(?:side\s+\d+(?:\s*(?:af|/)\s*\d+)?|page\s+\d+(?:\s+of\s+\d+)?|\d+\s*(?:/|af)\s*\d+)$",
    re.IGNORECASE)
#: A page number alone ("3", "- 3 -"); only one that counts up with the pages is one.
BARE_NUMBER = re.compile(r"^-?\s*(\d{1,4})\s*-?$")
#: pypdf reports what it repaired in a damaged file as log warnings of its modules
#: (pypdf._utils.logger_warning), which would otherwise land inside a progress bar.
PYPDF_LOGGER = "pypdf"
#: How many of a file's repairs its one line names.
REPAIRS_SHOWN = 3
_REPAIRS_LOCK = threading.Lock()


class ReadError(ValueError):
    """The file cannot be read as minutes; the message says why."""


def read_file(path: Path) -> str:
    """The text of one minutes file, chosen by its extension."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise ReadError(f"unsupported file type '{suffix or path.name}' "
                        f"(supported: {', '.join(SUPPORTED)})")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ReadError(f"cannot read the file: {e.strerror or e}") from e
    if not data.strip():
        raise ReadError("the file is empty")
    if suffix == ".pdf":
        return read_pdf(data)
    if suffix == ".docx":
        return read_docx(data)
    text = decode(data)
    if suffix in (".html", ".htm"):
        return page_to_text(text)
    return text


@contextlib.contextmanager
def repairs() -> Iterator[list[str]]:
    """Collect, instead of log, what pypdf repaired while reading inside the block: the
    list it yields fills with pypdf's warnings ("incorrect startxref pointer(1)"). One
    block at a time in the process (pypdf's loggers are global), so each file gets its own."""
    notes: list[str] = []
    handler = _Collect(notes)
    pypdf = logging.getLogger(PYPDF_LOGGER)
    with _REPAIRS_LOCK:
        propagate, pypdf.propagate = pypdf.propagate, False
        pypdf.addHandler(handler)
        try:
            yield notes
        finally:
            pypdf.removeHandler(handler)
            pypdf.propagate = propagate


def repairs_line(notes: list[str]) -> str:
    """A file's repairs as one line, "" for none: the first few distinct ones, and how many more."""
    distinct = list(dict.fromkeys(" ".join(n.split()) for n in notes))
    if not distinct:
        return ""
    more = len(distinct) - REPAIRS_SHOWN
    return ("read despite damage (pypdf: " + "; ".join(distinct[:REPAIRS_SHOWN])
            + (f"; and {more} more" if more > 0 else "") + ")")


class _Collect(logging.Handler):
    def __init__(self, notes: list[str]):
        super().__init__(logging.WARNING)
        self.notes = notes

    def emit(self, record: logging.LogRecord) -> None:
        self.notes.append(record.getMessage())


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252; binary data is refused."""
    if b"\x00" in data[:4096]:
        raise ReadError("the file is binary, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as e:
        raise ReadError("the file is neither UTF-8 nor Windows-1252 text") from e
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\r\n\t\f")
    if controls > len(text) / 100:
        raise ReadError("the file is binary, not text")
    return text


# --- PDF -------------------------------------------------------------------------------

def read_pdf(data: bytes) -> str:
    """Text of a text PDF without its repeated page headers, footers and page numbers."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReadError("the PDF is password-protected; save a copy without a password")
        pages = [(page.extract_text() or "").split("\n") for page in reader.pages]
    except ReadError:
        raise
    # pypdf's own errors, and whatever its parser trips on in damaged files
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, zlib.error) as e:
        raise ReadError(f"not a readable PDF: {e}") from e
    if not any(line.strip() for page in pages for line in page):
        raise ReadError("the PDF holds no text (a scanned PDF needs OCR first)")
    return "\n".join(strip_page_furniture(pages))


def strip_page_furniture(pages: list[list[str]], edge: int = 3) -> list[str]:
    """Drop page numbers and the headers and footers repeated at the top or bottom of
    the pages.

    A line is furniture when it stands among the first (or last) `edge` lines of most
    pages and never in the body of a page: a section heading such as `Beslutning` that
    happens to open or close a few pages also stands mid-page elsewhere, and is kept."""
    def key(line: str) -> str:
        return re.sub(r"\d+", "#", " ".join(line.split()).lower())

    bodies = [[line for line in lines if line.strip()] for lines in pages]
    top: Counter[str] = Counter()
    bottom: Counter[str] = Counter()
    middle: set[str] = set()
    for body in bodies:
        n = min(edge, len(body))
        # Lone numbers all look alike here; which are page numbers is decided below.
        top.update({key(line) for line in body[:n] if _bare_number(line) is None})
        bottom.update({key(line) for line in body[len(body) - n:] if _bare_number(line) is None})
        middle.update(key(line) for line in body[n:len(body) - n])
    # Most pages: a first page without the running header still lets it count.
    need = max(2, -(-len(pages) * 3 // 5))
    repeated = {k for counts in (top, bottom) for k, c in counts.items()
                if len(pages) > 1 and c >= need and k not in middle}
    offset = _page_number_offset(bodies, edge, need)
    out: list[str] = []
    for number, body in enumerate(bodies):
        edges = set(range(min(edge, len(body)))) | set(range(max(0, len(body) - edge), len(body)))
        for i, line in enumerate(body):
            if i in edges and (key(line) in repeated or PAGE_NUMBER.match(line.strip())
                               or (offset is not None and _bare_number(line) == number + offset)):
                continue
            out.append(line)
    return out


def _bare_number(line: str) -> int | None:
    m = BARE_NUMBER.match(line.strip())
    return int(m.group(1)) if m else None


def _page_number_offset(bodies: list[list[str]], edge: int, need: int) -> int | None:
    """How far bare page numbers run ahead of the page index, if most pages carry one.

    A number alone at a page's edge is a page number only when it counts up with the
    pages; a wrapped "Budget" / "2023" at the foot of one page is text."""
    offsets: Counter[int] = Counter()
    for number, body in enumerate(bodies):
        n = min(edge, len(body))
        found = {_bare_number(line) for line in body[:n] + body[len(body) - n:]}
        offsets.update({value - number for value in found if value is not None})
    if len(bodies) < 2:  # a lone page numbered 1
        return 1 if offsets.get(1) else None
    if not offsets:
        return None
    offset, count = offsets.most_common(1)[0]
    return offset if count >= need else None


# --- DOCX ------------------------------------------------------------------------------

def read_docx(data: bytes) -> str:
    """Paragraphs and table rows of a Word document, in document order."""
    import zipfile

    import docx
    from docx.oxml.ns import qn
    from lxml import etree

    try:
        document = docx.Document(io.BytesIO(data))
    # zipfile raises more than BadZipFile on damaged archives: zlib.error (broken deflate
    # data), EOFError (cut short), NotImplementedError (an unknown compression method)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, KeyError,
            ValueError, etree.LxmlError) as e:
        raise ReadError(f"not a readable Word document: {e}") from e
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        if block.tag == qn("w:p"):
            lines.append("".join(t.text or "" for t in block.iter(qn("w:t"))))
        elif block.tag == qn("w:tbl"):
            for row in block.iter(qn("w:tr")):
                cells = ["".join(t.text or "" for t in cell.iter(qn("w:t")))
                         for cell in row.iter(qn("w:tc"))]
                lines.append("\t".join(cells))
        lines.append("")
    return "\n".join(lines)
