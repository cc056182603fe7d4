"""File -> text, one reader per format the minutes arrive in (txt, md, pdf, docx, html).

Readers only turn bytes into plain lines; `parse.py` finds the structure. Each raises
ReadError with a sentence naming what is wrong, so the pipeline can refuse the file and
go on with the others.
"""
from __future__ import annotations

import io
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

SUPPORTED = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
PAGE_NUMBER = re.compile(
    r"^(?:side\s+\d+(?:\s*(?:af|/)\s*\d+)?|page\s+\d+(?:\s+of\s+\d+)?|\d+\s*(?:/|af)\s*\d+|-?\s*\d+\s*-?)$",
    re.IGNORECASE)


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
        return html_to_text(text)
    return text


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
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [(page.extract_text() or "").split("\n") for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as e:
        raise ReadError(f"not a readable PDF: {e}") from e
    if not any(line.strip() for page in pages for line in page):
        raise ReadError("the PDF holds no text (a scanned PDF needs OCR first)")
    return "\n".join(strip_page_furniture(pages))


def strip_page_furniture(pages: list[list[str]], edge: int = 3) -> list[str]:
    """Drop page numbers and lines that repeat at the top or bottom of most pages."""
    def key(line: str) -> str:
        return re.sub(r"\d+", "#", " ".join(line.split()).lower())

    counts: Counter[str] = Counter()
    for lines in pages:
        body = [line for line in lines if line.strip()]
        counts.update({key(line) for line in body[:edge] + body[-edge:]})
    repeated = {k for k, n in counts.items() if len(pages) > 1 and n >= max(2, len(pages) // 2)}
    out: list[str] = []
    for lines in pages:
        body = [line for line in lines if line.strip()]
        edges = set(range(min(edge, len(body)))) | set(range(max(0, len(body) - edge), len(body)))
        for i, line in enumerate(body):
            if i in edges and (key(line) in repeated or PAGE_NUMBER.match(line.strip())):
                continue
            out.append(line)
    return out


# --- DOCX ------------------------------------------------------------------------------

def read_docx(data: bytes) -> str:
    """Paragraphs and table rows of a Word document, in document order."""
    import zipfile

    import docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
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


# --- HTML ------------------------------------------------------------------------------

class _TextExtractor(HTMLParser):
    BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table",
              "section", "article", "header", "footer", "ul", "ol", "pre", "title"}
    SKIP = {"script", "style", "head", "nav", "noscript"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(" ".join(data.split("\n")))


def html_to_text(markup: str) -> str:
    """Visible text of a printed web page, one block a line."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = [line.strip(" ").lstrip("\t") for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
