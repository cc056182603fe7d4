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
import os
import re
import threading
import zlib
from collections import Counter
from pathlib import Path
from typing import BinaryIO, Iterator

from ingest.closed import is_closed_field, mentions_closed
from ingest.limits import (DOCX_RATIO_FROM_BYTES, MAX_CHARS, MAX_DOCX_BYTES, MAX_DOCX_RATIO,
                           MAX_DOCX_XML_BYTES, MAX_FILE_BYTES, MAX_PAGES, MAX_PDF_CONTENT_BYTES,
                           MAX_TEXT_BYTES, MB)
from ingest.webpage import page_to_text

SUPPORTED = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
#: Word's heading styles by id, English and Danish: `Heading2`, `Overskrift2`, `Title`.
HEADING_STYLE = re.compile(r"^(?:Heading|Overskrift|Title|Titel)\s*\d*$", re.IGNORECASE)
#: A PDF font's name that says bold (`DejaVuSans-Bold`, `Arial,Bold`, `Calibri-Semibold`).
BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demibold", re.IGNORECASE)
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
    """The text of one minutes file on disk, chosen by its extension."""
    return read_bytes(file_bytes(path), path.name)


def file_bytes(path: Path, inside: Path | None = None) -> bytes:
    """A file's bytes, read once, and no more than MAX_FILE_BYTES of them. With `inside`
    (the folder it was found in), a link out of that folder is refused: a link in an inbox
    to a referat elsewhere must not make it answerable."""
    try:
        with path.open("rb") as f:
            if inside is not None and not _is_inside(path, f, inside):
                raise ReadError("it is a link out of the folder it is in, and links out of a "
                                "folder are not followed (to read the file it points to, "
                                "ingest that file by its own name)")
            return _capped_read(f)
    except OSError as e:
        raise ReadError(f"cannot read the file: {e.strerror or e}") from e


def _is_inside(path: Path, f: BinaryIO, folder: Path) -> bool:
    """Whether the open file is the one at the path's real place, and that is inside the
    folder: checked on the file opened, so that a link switched after the check slips
    nothing in."""
    real = Path(os.path.realpath(path))
    opened, there = os.fstat(f.fileno()), real.stat()
    return (real.is_relative_to(folder.resolve())
            and (opened.st_dev, opened.st_ino) == (there.st_dev, there.st_ino))


def _capped_read(f: BinaryIO) -> bytes:
    """An open file's bytes, refused past MAX_FILE_BYTES without reading further."""
    size = os.fstat(f.fileno()).st_size
    data = f.read(MAX_FILE_BYTES + 1) if size <= MAX_FILE_BYTES else b""
    if size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:  # or it grew while read
        raise ReadError(f"the file is {_mb(max(size, len(data)))}, more than the "
                        f"{_mb(MAX_FILE_BYTES)} a minutes file is read to")
    return data


def read_bytes(data: bytes, name: str) -> str:
    """The text of a minutes file's bytes, read as its name's extension says."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise ReadError(f"unsupported file type '{suffix or name}' "
                        f"(supported: {', '.join(SUPPORTED)})")
    if not data.strip():
        raise ReadError("the file is empty")
    if suffix == ".pdf":
        text = read_pdf(data)
    elif suffix == ".docx":
        text = read_docx(data)
    elif len(data) > MAX_TEXT_BYTES:
        raise ReadError(f"the file is {_mb(len(data))}, more than the {_mb(MAX_TEXT_BYTES)} a "
                        f"text file or web page is read to")
    else:
        text = decode(data)
        if suffix in (".html", ".htm"):
            text = page_to_text(text)
    _check_chars(len(text))
    return text


def unexpected(error: Exception) -> str:
    """The refusal for an error a reader library raised that nobody foresaw."""
    return f"cannot be read ({type(error).__name__}: {error})"


def _check_chars(count: int, where: str = "") -> None:
    """Refuse text past MAX_CHARS; the PDF reader checks as it goes, `where` says how far
    it got (the others' text cannot outgrow what their size limits let in)."""
    if count > MAX_CHARS:
        raise ReadError(f"the text is {count:,} characters{where}, more than the {MAX_CHARS:,} "
                        f"a referat is read to (a few hundred pages are about a million)")


def _mb(size: int) -> str:
    return f"{size / MB:,.1f}".removesuffix(".0") + " MB"


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
        _check_pdf_size(reader)
        pages: list[list[str]] = []
        bold: set[str] = set()
        chars = 0
        for number, page in enumerate(reader.pages, start=1):
            text = page.extract_text(visitor_text=_bold_collector(bold)) or ""
            chars += len(text)
            _check_chars(chars, f" by page {number} of {len(reader.pages)}")
            pages.append(text.split("\n"))
    except ReadError:
        raise
    # pypdf's own errors, and whatever its parser trips on in damaged files (a stream's
    # filter name garbled into "0.0" is NotImplementedError: "Unsupported filter")
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            NotImplementedError, RecursionError, zlib.error) as e:
        raise ReadError(f"not a readable PDF: {e}") from e
    if not any(line.strip() for page in pages for line in page):
        raise ReadError("the PDF holds no text (a scanned PDF needs OCR first)")
    return "\n".join(_bold(line) if " ".join(line.split()) in bold else line
                     for line in strip_page_furniture(pages))


def _bold_collector(bold: set[str]):
    """A pypdf text visitor that adds to `bold` each piece of text set in a bold font:
    a line that is one such piece is a heading (`Beslutning`, an unknown section's name),
    which the page's text alone does not tell."""
    def visit(text, _cm, _tm, font, _size) -> None:
        name = str((font or {}).get("/BaseFont", ""))
        if text.strip() and BOLD_FONT.search(name):
            bold.add(" ".join(text.split()))
    return visit


def _check_pdf_size(reader) -> None:
    """Refuse a PDF of more pages, or more drawing instructions, than are read, before
    reading any page. Pages are counted in the page tree itself: pypdf builds every page
    first, and a tree that lists one node three times on each of ten levels is 59,049
    pages in a 13 KB file. A content stream shared by pages counts once for each page,
    as reading it costs."""
    if _page_count(reader, MAX_PAGES) > MAX_PAGES:
        said = reader.root_object["/Pages"].get_object().get("/Count")
        raise ReadError(f"the PDF has more than the {MAX_PAGES:,} pages a referat is read to "
                        f"(its page tree says {said})")
    content = 0
    for number, page in enumerate(reader.pages, start=1):
        stream = page.get_contents()
        content += len(stream.get_data()) if stream is not None else 0
        if content > MAX_PDF_CONTENT_BYTES:
            raise ReadError(f"the PDF's pages hold {_mb(content)} of drawing instructions by "
                            f"page {number} of {len(reader.pages)} (a stream that pages share "
                            f"counts for each), more than the {_mb(MAX_PDF_CONTENT_BYTES)} a "
                            f"referat is read to")


def _page_count(reader, most: int) -> int:
    """The leaves of the page tree, counted no further than `most` + 1 (nor past ten times
    as many nodes, for a tree that loops)."""
    from pypdf.generic import ArrayObject, DictionaryObject

    todo = [reader.root_object.get("/Pages")]
    pages = nodes = 0
    while todo:
        if pages > most or nodes > 10 * most:
            return most + 1
        node = todo.pop()
        node = node.get_object() if node is not None else None
        nodes += 1
        if not isinstance(node, DictionaryObject):
            continue
        kids = node.get("/Kids")
        if kids is None:
            pages += 1
        elif isinstance(kids := kids.get_object(), ArrayObject):
            todo.extend(kids)
    return pages


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
                               or (offset is not None and _bare_number(line) == number + offset)
                               ) and not (mentions_closed(line) or is_closed_field(line)):
                continue  # (a closed mark is kept wherever it stands: `LUKKET DAGSORDEN`)
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
        _check_archive(data)
        document = docx.Document(io.BytesIO(data))
    except ReadError:
        raise
    # zipfile raises more than BadZipFile on damaged archives: zlib.error (broken deflate
    # data), EOFError (cut short), NotImplementedError (an unknown compression method)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, KeyError,
            ValueError, etree.LxmlError) as e:
        raise ReadError(f"not a readable Word document: {e}") from e
    lines: list[str] = []
    for block in _blocks(document.element.body, qn):
        if block.tag == qn("w:p"):
            text = _paragraph_text(block, qn)
            lines.append(_bold(text) if text.strip() and _is_heading_paragraph(block, qn)
                         else text)
        elif block.tag == qn("w:tbl"):
            for row in block.iter(qn("w:tr")):
                cells = [[_paragraph_text(p, qn) for p in cell.iter(qn("w:p"))]
                         for cell in row.iter(qn("w:tc"))]
                if len(cells) == 1:  # a box of one cell: its paragraphs are lines
                    lines += cells[0]
                else:  # a row: its cells side by side, each cell's paragraphs on one line
                    lines.append("\t".join(" ".join(c) for c in cells))
        lines.append("")
    return "\n".join(lines)


def _blocks(body, qn):
    """The body's paragraphs and tables in order, also inside content controls and custom
    XML (`w:sdt`, `w:customXml`), whose words are the document's as much as any."""
    for block in body.iterchildren():
        if block.tag == qn("w:sdt"):
            for content in block.iterchildren(qn("w:sdtContent")):
                yield from _blocks(content, qn)
        elif block.tag == qn("w:customXml"):
            yield from _blocks(block, qn)
        else:
            yield block


def _paragraph_text(paragraph, qn) -> str:
    """A paragraph's words, a tab as a tab and a line break as a new line (`Punkt 2` and
    `Lukket punkt` on two lines of one paragraph are two lines)."""
    parts = {qn("w:t"): None, qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n"}
    return "".join(e.text or "" if parts[e.tag] is None else parts[e.tag]
                   for e in paragraph.iter(*parts))


def _is_heading_paragraph(paragraph, qn) -> bool:
    """A paragraph in a heading style (`Heading 2`, Danish Word's `Overskrift2`), or
    whose every run of text is bold: a heading, as the document's structure says."""
    style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    if style is not None and HEADING_STYLE.match(style.get(qn("w:val"), "")):
        return True
    runs = [r for r in paragraph.iter(qn("w:r"))
            if "".join(t.text or "" for t in r.iter(qn("w:t"))).strip()]
    return bool(runs) and all(_run_is_bold(r, qn) for r in runs)


def _run_is_bold(run, qn) -> bool:
    bold = run.find(f"{qn('w:rPr')}/{qn('w:b')}")
    return bold is not None and bold.get(qn("w:val"), "true") not in ("0", "false")


def _bold(text: str) -> str:
    """A heading line as the parser reads headings printed bold: `**Title**`."""
    return f"**{text.strip()}**"


def _check_archive(data: bytes) -> None:
    """Refuse a Word file whose parts expand past what is read, from the sizes its zip
    directory declares (zipfile expands no entry past its declared size), before any part
    is expanded."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = archive.infolist()
    for e in entries:
        if e.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ReadError(f"{e.filename} is packed with zip method {e.compress_type}, which "
                            f"Word does not write (only stored or deflated parts are read)")
        if e.filename.endswith((".xml", ".rels")) and e.file_size > MAX_DOCX_XML_BYTES:
            raise ReadError(f"{e.filename} expands to {_mb(e.file_size)}, more than the "
                            f"{_mb(MAX_DOCX_XML_BYTES)} a part of a Word document is read to")
    total = sum(e.file_size for e in entries)
    if total > MAX_DOCX_BYTES:
        raise ReadError(f"the Word document expands to {_mb(total)}, more than the "
                        f"{_mb(MAX_DOCX_BYTES)} it is read to")
    packed = [(e.filename, e.file_size, e.compress_size) for e in entries]
    packed.append(("the Word document", total, sum(e.compress_size for e in entries)))
    for name, size, compressed in packed:
        if size >= DOCX_RATIO_FROM_BYTES and size > MAX_DOCX_RATIO * compressed:
            raise ReadError(f"{name} is packed {size // max(compressed, 1):,} to 1, more tightly "
                            f"than the {MAX_DOCX_RATIO} to 1 a real document is (a zip bomb?)")

