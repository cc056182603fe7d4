"""Files built to make a reader expand far more than they weigh, as a probe of the inbox
found them: Word files whose zip parts expand to hundreds of MB, PDFs whose page tree
lists one page thousands of times. Used by tests/ingest/test_bounded.py,
tests/bot/test_inbox_reading.py and scripts/bench_hostile.py. Big parts are streamed into
their archive, so that building a bomb does not hold it in memory.
"""
from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO, Callable

MB = 1 << 20
IMAGE_RELATIONSHIP = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"

#: a part's content: bytes, or a writer streaming it
Part = bytes | Callable[[BinaryIO], None]


def docx_template() -> dict[str, bytes]:
    """The parts of an empty Word document as python-docx writes one."""
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with zipfile.ZipFile(buffer) as z:
        return {name: z.read(name) for name in z.namelist()}


def write_docx(path: Path, parts: dict[str, Part], *,
               method: int = zipfile.ZIP_DEFLATED) -> None:
    """A Word file: the empty document's parts with `parts` put in, packed by `method`."""
    with zipfile.ZipFile(path, "w", method, compresslevel=9) as z:
        for name, content in {**docx_template(), **parts}.items():
            if callable(content):
                with z.open(name, "w", force_zip64=True) as out:
                    content(out)
            else:
                z.writestr(name, content)


def document_xml(size: int) -> Callable[[BinaryIO], None]:
    """A word/document.xml of about `size` bytes: one short paragraph repeated."""
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b"<w:body>")
    tail = b"</w:body></w:document>"
    one = b"<w:p><w:r><w:t>Punkt 1: CF - Orientering</w:t></w:r></w:p>"
    block = one * (MB // len(one))

    def write(out: BinaryIO) -> None:
        out.write(head)
        left = size - len(head) - len(tail)
        for _ in range(left // len(block)):
            out.write(block)
        out.write(one * (left % len(block) // len(one)))
        out.write(tail)
    return write


def zeros(size: int) -> Callable[[BinaryIO], None]:
    def write(out: BinaryIO) -> None:
        chunk = bytes(MB)
        for _ in range(size // MB):
            out.write(chunk)
        out.write(bytes(size % MB))
    return write


def write_docx_with_picture(path: Path, picture: Part) -> None:
    """A Word file with a picture its text links to, as pictures are (python-docx reads
    the parts the document links to, and only those)."""
    rels = docx_template()["word/_rels/document.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId99" Target="media/image1.jpeg" Type="'
        + IMAGE_RELATIONSHIP + b'"/></Relationships>')
    write_docx(path, {"word/_rels/document.xml.rels": rels, "word/media/image1.jpeg": picture})


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of these objects (numbered from 1; object 1 the catalog) with a right xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += (b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, xref))
    return bytes(out)


def write_shared_page_pdf(path: Path, fanout: int, levels: int, content: bytes) -> int:
    """A PDF of fanout**levels pages from a page tree each of whose nodes lists the same
    child `fanout` times, all pages one page sharing one content stream. The page count."""
    packed = zlib.compress(content, 9)
    # 1 catalog, 2 font, 3 content, 4 the page, then the tree from the page's parent up
    objects = [b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed
               + b"\nendstream",
               b"<< /Type /Page /Parent 5 0 R /MediaBox [0 0 595 842] /Contents 3 0 R "
               b"/Resources << /Font << /F1 2 0 R >> >> >>"]
    child = 4
    for level in range(1, levels + 1):
        number = len(objects) + 1
        parent = b" /Parent %d 0 R" % (number + 1) if level < levels else b""
        kids = b" ".join(b"%d 0 R" % child for _ in range(fanout))
        objects.append(b"<< /Type /Pages /Kids [%s] /Count %d%s >>"
                       % (kids, fanout ** level, parent))
        child = number
    objects[0] = b"<< /Type /Catalog /Pages %d 0 R >>" % child
    path.write_bytes(_pdf(objects))
    return fanout ** levels


def page_content(lines: int, strokes: int = 0, words: int = 1) -> bytes:
    """A page's drawing: `lines` lines of text (`words` times a short phrase each), then
    `strokes` drawn lines."""
    phrase = b"Orientering om budget og tidsplan " * words
    text = b"".join(b"BT /F1 9 Tf 40 %d Td (Sag %d: %s) Tj ET\n" % (800 - 12 * (i % 64), i, phrase)
                    for i in range(lines))
    return text + b"0.5 w 10 10 m 20 20 l S\n" * strokes


def write_sparse(path: Path, size: int) -> None:
    """A file of `size` zero bytes that takes no room on disk."""
    with path.open("wb") as f:
        f.truncate(size)


def write_web_page(path: Path, size: int) -> None:
    """A web page of about `size` bytes: one paragraph repeated."""
    row = b"<p>Punkt 1: CF - Orientering om budget og tidsplan</p>\n"
    block = row * (MB // len(row))
    with path.open("wb") as out:
        out.write(b"<html><body><h1>REFERAT Chefforum d. 24-04-2024</h1>\n")
        for _ in range(size // len(block)):
            out.write(block)
        out.write(row * (size % len(block) // len(row)))
