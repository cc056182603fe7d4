"""How the inbox reads a file (bot/jobs/inbox.py with the real catalog and real files): in a
child process given a time budget, so that a file slow to read is refused with a sentence
naming the budget and the files after it are taken; a link out of the inbox is refused,
so that a referat kept elsewhere does not become answerable; a hostile file is refused
by its limit. Each file read starts a process: slow."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from bot.jobs.inbox import Inbox
from hostile_files import document_xml, page_content, write_docx, write_shared_page_pdf
from ingest.limits import MAX_DOCX_XML_BYTES, MAX_PAGES, MB
from minutes_files import misplace_startxref, write_pdf

pytestmark = [pytest.mark.slow, pytest.mark.both_catalogs]


def take_all(inbox: Inbox) -> dict[str, tuple[str, str]]:
    """Two polls (a file is taken once seen unchanged twice), recorded as a round is: each
    file's status, and its reason or warning."""
    started = dt.datetime.now(dt.timezone.utc)
    assert inbox.take() == []
    results = inbox.take()
    inbox.finish(results, started)
    return {r.path: (r.status, r.reason or r.warning) for r in results}


def test_a_file_slow_to_read_is_refused_at_its_budget_and_the_next_is_taken(
        tmp_path, catalog, sample):
    """A PDF inside every limit, but whose 999 pages share a drawing of 400 strokes: some
    twenty seconds of pypdf, against a budget of six (wide enough that a plain referat's
    reading, a child process's start included, fits it on a loaded machine)."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    pages = write_shared_page_pdf(folder / "a-slow.pdf", 999, 1, page_content(40, 400))
    assert pages < MAX_PAGES
    (folder / "b-referat.txt").write_bytes(sample("2019-01-17").read_bytes())

    taken = take_all(Inbox(folder, catalog, read_seconds=6))
    assert taken == {
        "a-slow.pdf": ("refused", "reading took longer than the 6 s one file may take"),
        "b-referat.txt": ("new", "")}
    assert [m.meeting_date.isoformat() for m in catalog.meetings()] == ["2019-01-17"]


def test_a_link_out_of_the_inbox_and_a_hostile_file_are_refused_and_shown(
        tmp_path, catalog, sample):
    """Beside them, a referat and a damaged PDF read with pypdf's repairs, which the
    child process sends back with the text."""
    elsewhere, folder = tmp_path / "elsewhere", tmp_path / "inbox"
    elsewhere.mkdir()
    folder.mkdir()
    (elsewhere / "referat.txt").write_bytes(sample("2019-03-14").read_bytes())
    os.symlink(elsewhere / "referat.txt", folder / "link.txt")
    write_docx(folder / "bomb.docx", {"word/document.xml": document_xml(MAX_DOCX_XML_BYTES + MB)})
    (folder / "referat.txt").write_bytes(sample("2019-01-17").read_bytes())
    damaged = folder / "damaged.pdf"
    write_pdf(sample("2024-04-24").read_text(encoding="utf-8"), damaged, header="Referat")
    misplace_startxref(damaged)

    inbox = Inbox(folder, catalog)
    taken = take_all(inbox)
    assert taken == {
        "bomb.docx": ("refused", "word/document.xml expands to 33 MB, more than the 32 MB a "
                                 "part of a Word document is read to"),
        "link.txt": ("refused", "it is a link out of the folder it is in, and links out of a "
                                "folder are not followed (to read the file it points to, "
                                "ingest that file by its own name)"),
        "referat.txt": ("new", ""),
        "damaged.pdf": ("new", "read despite damage (pypdf: incorrect startxref pointer(3); "
                               "parsing for Object Streams)")}
    assert [m.meeting_date.isoformat() for m in catalog.meetings()] == ["2019-01-17", "2024-04-24"]
    assert [f["path"] for f in inbox.report()["refused"]] == ["bomb.docx", "link.txt"]
