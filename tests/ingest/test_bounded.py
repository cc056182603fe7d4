"""Bounded reading: a file built to expand far past what it weighs is refused, before it
is expanded, with a sentence naming the limit it passes and its own figure, and nothing
of it is stored; real minutes of a few hundred pages are read as before.

Each hostile file passes one limit (ingest/limits.py) by a little, so that the test
fails if that limit is not checked."""
from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import pytest

from hostile_files import (MB, document_xml, page_content, write_docx,
                           write_docx_with_picture, write_shared_page_pdf, write_sparse,
                           write_web_page, zeros)
from ingest.limits import (MAX_CHARS, MAX_DOCX_BYTES, MAX_DOCX_XML_BYTES, MAX_FILE_BYTES,
                           MAX_PAGES, MAX_TEXT_BYTES)
from ingest.pipeline import ingest_paths
from ingest.readers import ReadError, read_file
from ingest_state import index_state, expected_chunk_ids
from minutes_files import write_docx as write_minutes_docx, write_html, write_pdf

#: file name -> (builder, the refusal it must get, as a regular expression)
HOSTILE = {
    "document-xml.docx": (
        lambda p: write_docx(p, {"word/document.xml": document_xml(MAX_DOCX_XML_BYTES + MB)}),
        r"word/document\.xml expands to 33 MB, more than the 32 MB a part of a Word document "
        r"is read to"),
    "picture.docx": (
        lambda p: write_docx_with_picture(p, zeros(MAX_DOCX_BYTES + 10 * MB)),
        r"the Word document expands to 21\d\.\d MB, more than the 200 MB it is read to"),
    "packed.docx": (
        lambda p: write_docx_with_picture(p, zeros(20 * MB)),
        r"word/media/image1\.jpeg is packed [\d,]+ to 1, more tightly than the 100 to 1 a real "
        r"document is \(a zip bomb\?\)"),
    "bzip2.docx": (
        lambda p: write_docx(p, {}, method=zipfile.ZIP_BZIP2),
        r"\[Content_Types\]\.xml is packed with zip method 12, which Word does not write "
        r"\(only stored or deflated parts are read\)"),
    "shared-pages.pdf": (
        lambda p: write_shared_page_pdf(p, 3, 10, page_content(20, 40)),
        r"the PDF has more than the 1,000 pages a referat is read to \(its page tree says 59049\)"),
    "drawing.pdf": (
        lambda p: write_shared_page_pdf(p, 3, 3, page_content(20_000)),
        r"the PDF's pages hold 3\d\.\d MB of drawing instructions by page 2\d of 27 \(a stream "
        r"that pages share counts for each\), more than the 32 MB a referat is read to"),
    "web-page.html": (
        lambda p: write_web_page(p, MAX_TEXT_BYTES + MB),
        r"the file is 21 MB, more than the 20 MB a text file or web page is read to"),
    "long.txt": (
        lambda p: p.write_text(("a" * 99 + "\n") * 60_000, encoding="ascii"),
        r"the text is 6,000,000 characters, more than the 5,000,000 a referat is read to \(a few "
        r"hundred pages are about a million\)"),
    "huge.pdf": (
        lambda p: write_sparse(p, MAX_FILE_BYTES + MB),
        r"the file is 101 MB, more than the 100 MB a minutes file is read to"),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for name, (build, _) in HOSTILE.items():
        build(folder / name)
    return folder


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hostile_file_is_refused_with_the_limit_it_passes(hostile, name):
    with pytest.raises(ReadError) as refused:
        read_file(hostile / name)
    assert re.fullmatch(HOSTILE[name][1], str(refused.value)), str(refused.value)


@pytest.mark.both_catalogs
def test_hostile_files_store_nothing_and_the_referat_beside_them_is_ingested(
        hostile, catalog, index, sample):
    good = sample("2019-01-17")
    report = ingest_paths([hostile, good], catalog, progress=False)
    index.sync(progress=False)
    assert {Path(r.path).name: r.status for r in report.results} == {
        **{name: "refused" for name in HOSTILE}, good.name: "new"}
    for r in report.refused:
        assert re.fullmatch(HOSTILE[Path(r.path).name][1], r.reason), r.reason
    assert [m.meeting_date.isoformat() for m in catalog.meetings()] == ["2019-01-17"]
    assert {r["path"] for r in catalog.db.execute("SELECT path FROM sources")} == {str(good)}
    assert set(index_state(index)) == expected_chunk_ids(catalog)


@pytest.mark.slow  # some ten seconds of pypdf: it reads five pages of a million characters
def test_a_pdf_whose_text_passes_the_limit_is_refused_as_its_pages_are_read(tmp_path):
    """Six pages of a million characters each, in a few KB: the fifth page passes the
    limit, and the sixth is not read."""
    path = tmp_path / "text.pdf"
    write_shared_page_pdf(path, 6, 1, page_content(100, words=300))
    with pytest.raises(ReadError, match=r"^the text is 5,\d{3},\d{3} characters by page 5 of 6, "
                                        r"more than the 5,000,000 a referat is read to"):
        read_file(path)


@pytest.mark.slow  # builds and reads a 255-page PDF
def test_real_minutes_of_a_few_hundred_pages_are_read_within_the_limits(tmp_path, sample):
    """The largest sample printed fifteen times over, in each format, reads whole, well
    inside the limits: they leave room for real minutes."""
    text = sample("2023-03-15").read_text(encoding="utf-8") * 15
    pdf, docx, html = tmp_path / "big.pdf", tmp_path / "big.docx", tmp_path / "big.html"
    pages = write_pdf(text, pdf, header="Albertslund Kommune").pages
    write_minutes_docx(text, docx)
    write_html(text, html)
    read = {path.suffix: len(read_file(path)) for path in (pdf, docx, html)}
    assert 250 < pages < MAX_PAGES / 3
    assert all(600_000 < chars < MAX_CHARS / 5 for chars in read.values()), read
