"""Files -> catalog -> index: bad input is refused with a reason and leaves no trace,
ingest is idempotent, a changed file replaces its meeting, closed punkter stay out.
Each test that stores runs with the SQLite and the PostgreSQL catalog."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
from pathlib import Path

import pytest

from ingest.chunk import chunk_meeting
from ingest.model import Outcome
from ingest.parse import parse_referat
from ingest.pipeline import IngestReport, ingest_paths
from ingest.readers import read_file
from ingest_state import catalog_state, index_state, expected_chunk_ids, stale_meetings
from minutes_files import misplace_startxref, write_docx, write_pdf

pytestmark = pytest.mark.both_catalogs


def ingest(paths, catalog, index):
    report = ingest_paths(list(paths), catalog, progress=False)
    index.sync(progress=False)
    return report


def statuses(report) -> dict[str, str]:
    return {os.path.basename(r.path): r.status for r in report.results}


# --- bad input -------------------------------------------------------------------------

def damaged_documents(folder, text) -> dict[str, tuple[bytes, str]]:
    """Real PDF and Word files of a referat, then locked, cut short or corrupted."""
    import io
    import zipfile

    from pypdf import PdfReader, PdfWriter

    pdf = folder / "whole.pdf"
    write_pdf(text, pdf, header="Albertslund Kommune — Referat Chefforum 17-01-2019")
    writer = PdfWriter(clone_from=PdfReader(pdf))
    writer.encrypt(user_password="hemmelig", algorithm="RC4-128")
    locked = io.BytesIO()
    writer.write(locked)
    whole = pdf.read_bytes()
    pdf.unlink()

    docx = folder / "whole.docx"
    write_docx(text, docx)
    damaged = io.BytesIO()
    with zipfile.ZipFile(docx) as zin, zipfile.ZipFile(damaged, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, data[:len(data) // 2] if item.filename == "word/document.xml"
                          else data)
    docx.unlink()
    return {
        "locked.pdf": (locked.getvalue(), "password-protected"),
        "cut.pdf": (whole[:len(whole) // 2], "not a readable PDF"),
        "damaged.docx": (damaged.getvalue(), "not a readable Word document"),
    }


@pytest.fixture
def bad_files(tmp_path, sample):
    """One file for each way a file can fail to be minutes, with a word its reason names."""
    folder = tmp_path / "bad"
    folder.mkdir()
    files = {
        **damaged_documents(folder, sample("2019-01-17").read_text(encoding="utf-8")),
        "empty.txt": (b"", "empty"),
        "blank.md": (b"  \r\n\r\n \t\n", "empty"),
        "image.txt": (bytes(range(256)) * 20, "binary"),
        "broken.pdf": (os.urandom(4000), "PDF"),
        "broken.docx": (b"PK\x03\x04 not really a zip file " * 20, "Word document"),
        "notes.txt": ("Husk at bestille kage til fredag.\nMvh. Kantinen\n".encode(), "meeting date"),
        "agenda.txt": ("REFERAT Chefforum d. 24-04-2024\n\nMødedato Onsdag d. 24. april 2024\n\n"
                       "Ingen sager på dagsordenen.\n".encode(), "no punkter"),
        "budget.xlsx": (b"PK\x03\x04", "unsupported file type '.xlsx'"),
    }
    for name, (data, _) in files.items():
        (folder / name).write_bytes(data)
    reasons = {str(folder / name): why for name, (_, why) in files.items()}
    reasons[str(folder / "missing.txt")] = "no such file"
    return reasons


def test_bad_files_are_refused_with_a_reason_and_the_rest_ingest(
        bad_files, catalog, index, sample):
    good = [sample("2019-01-17"), sample("2019-03-14")]
    paths = [good[0], *map(type(good[0]), bad_files), good[1]]
    report = ingest(paths, catalog, index)

    assert not report.ok
    assert {r.path: r.status for r in report.results if r.status != "refused"} == {
        str(good[0]): "new", str(good[1]): "new"}
    refused = {r.path: r.reason for r in report.refused}
    assert set(refused) == set(bad_files)
    for path, word in bad_files.items():
        assert word.lower() in refused[path].lower(), (path, refused[path])
        assert "\n" not in refused[path]
    assert report.summary() == f"{len(paths)} file(s): 2 new, {len(bad_files)} refused"

    # Nothing of the refused files was written: two meetings, two sources, two in Chroma.
    assert [m.meeting_date.isoformat() for m in catalog.meetings()] == ["2019-01-17", "2019-03-14"]
    sources = {r["path"] for r in catalog.db.execute("SELECT path FROM sources")}
    assert sources == {str(p) for p in good}
    assert index.store.meeting_keys() == {("Chefforum", "2019-01-17"), ("Chefforum", "2019-03-14")}
    assert set(index_state(index)) == expected_chunk_ids(catalog)


def test_an_unexpected_reader_error_refuses_only_that_file(tmp_path, catalog, sample, monkeypatch):
    """A reader library raising something nobody foresaw (a bug, not a bad file) must not
    stop the other files; this is the one fault that has to be injected."""
    import ingest.pipeline

    real = ingest.pipeline.read_bytes
    odd = tmp_path / "odd.txt"
    odd.write_text("whatever", encoding="utf-8")

    def read_bytes(data, name):
        if name == odd.name:
            raise RecursionError("maximum recursion depth exceeded")
        return real(data, name)

    monkeypatch.setattr(ingest.pipeline, "read_bytes", read_bytes)
    report = ingest_paths([odd, sample("2019-01-17")], catalog, progress=False)
    assert statuses(report) == {"odd.txt": "refused", "chefforum-2019-01-17.txt": "new"}
    assert report.refused[0].reason == (
        "cannot be read (RecursionError: maximum recursion depth exceeded)")


def test_a_damaged_but_readable_pdf_is_ingested_with_its_repairs_in_one_line(
        tmp_path, catalog, index, sample, caplog):
    """pypdf logs what it repaired; that reaches no log handler (it would land inside the
    progress bar) but the file's result, as one line."""
    text = sample("2019-01-17").read_text(encoding="utf-8")
    whole, damaged = tmp_path / "whole.pdf", tmp_path / "damaged" / "chefforum-2019-01-17.pdf"
    damaged.parent.mkdir()
    write_pdf(text, whole, header="Albertslund Kommune — Referat Chefforum 17-01-2019")
    shutil.copy(whole, damaged)
    misplace_startxref(damaged)
    assert damaged.read_bytes() != whole.read_bytes()

    report = ingest([damaged], catalog, index)
    [result] = report.results
    assert result.status == "new" and report.ok
    assert result.warning == ("read despite damage (pypdf: incorrect startxref pointer(1); "
                              "parsing for Object Streams)")
    assert report.repaired == [result]
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]
    # the repaired file reads as the whole one
    stored = catalog.meeting(dt.date.fromisoformat(result.meeting_date))
    assert stored.punkter == parse_referat(read_file(whole)).punkter
    # a sound file has no warning, and pypdf's logging is as it was
    assert ingest([sample("2019-03-14")], catalog, index).results[0].warning == ""
    assert logging.getLogger("pypdf").propagate and not logging.getLogger("pypdf").handlers


def test_a_folder_is_walked_and_its_bad_files_refused(tmp_path, catalog, index, sample):
    folder = tmp_path / "minutes"
    (folder / "2019").mkdir(parents=True)
    shutil.copy(sample("2019-01-17"), folder / "2019")
    (folder / "empty.txt").write_bytes(b"")
    (folder / ".hidden.txt").write_text("not minutes")
    (folder / "notes.xlsx").write_bytes(b"ignored: not a minutes format")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main")
    (folder / ".git" / "referat.txt").write_text("inside a hidden folder")
    report = ingest([folder], catalog, index)
    assert statuses(report) == {"chefforum-2019-01-17.txt": "new", "empty.txt": "refused"}
    assert catalog.count()[0] == 1
    # other types are skipped and said; hidden files and folders are not minutes
    assert report.skipped == [str(folder / "notes.xlsx")]
    assert report.skipped_summary() == (
        f"skipped 1 file(s) of other types (.xlsx; read: .docx, .htm, .html, .md, .pdf, "
        f".txt): {folder / 'notes.xlsx'}")


def test_a_referat_that_fails_in_the_middle_of_storing_leaves_nothing(catalog, sample):
    """A store that fails part-way (a duplicate punkt number violates the key after the
    meeting row and the first punkter were written) rolls back to nothing."""
    from dataclasses import replace

    from ingest.parse import parse_referat

    m = parse_referat(sample("2019-01-17").read_text(encoding="utf-8"))
    broken = replace(m, punkter=m.punkter[:5] + (replace(m.punkter[5], number=2),) + m.punkter[6:])
    with pytest.raises(Exception, match="(?i)unique"):
        catalog.store(broken, "f" * 64)
    assert catalog.count() == (0, 0)
    assert catalog.max_seq() == 0
    assert not catalog.knows_file("f" * 64)


# --- idempotency -----------------------------------------------------------------------

def test_the_same_file_again_does_nothing(tmp_path, catalog, index, sample):
    path = tmp_path / "referat.txt"
    shutil.copy(sample("2021-09-02"), path)
    assert statuses(ingest([path], catalog, index)) == {"referat.txt": "new"}
    before = (catalog_state(catalog), index_state(index), catalog.max_seq())

    report = ingest_paths([path], catalog, progress=False)
    assert statuses(report) == {"referat.txt": "known"}
    assert index.sync(progress=False) == 0
    assert (catalog_state(catalog), index_state(index), catalog.max_seq()) == before

    # The same bytes under another name are the same file.
    copy = tmp_path / "kopi.txt"
    shutil.copy(path, copy)
    assert statuses(ingest([copy], catalog, index)) == {"kopi.txt": "known"}


def test_an_outcome_is_written_as_its_word(tmp_path, catalog, sample):
    """Outcome is a StrEnum: `ingest --json`, `status` and the inbox's records keep the
    words they always wrote."""
    path = tmp_path / "referat.txt"
    shutil.copy(sample("2021-09-02"), path)
    report = ingest_paths([path, path, tmp_path / "missing.txt"], catalog, progress=False)
    assert [r.status for r in report.results] == [Outcome.REFUSED, Outcome.NEW, Outcome.KNOWN]
    written = json.loads(json.dumps([dataclasses.asdict(r) for r in report.results]))
    assert [r["status"] for r in written] == ["refused", "new", "known"]
    assert report.summary() == "3 file(s): 1 new, 1 known, 1 refused"


def test_a_changed_file_replaces_its_meeting(tmp_path, catalog, index, sample):
    path = tmp_path / "referat.txt"
    text = sample("2019-01-17").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    ingest([path], catalog, index)
    old_chunks = set(index_state(index))

    # Correct a decision, drop the long punkt 7 and its contents, retitle punkt 9.
    start, end = text.index("Punkt 7: CF"), text.index("Punkt 8: CF")
    changed = (text[:start] + text[end:]).replace(
        "Dagsorden for mødet blev godkendt.", "Dagsorden for mødet blev godkendt med én rettelse.")
    changed = changed.replace("Punkt 9: CF - hvad skal kommunikeres ud til afdelingerne efter mødet?",
                              "Punkt 9: CF - Kommunikation til afdelingerne")
    path.write_text(changed, encoding="utf-8")
    assert statuses(ingest([path], catalog, index)) == {"referat.txt": "replaced"}

    assert catalog.count() == (1, 9)
    m = catalog.meeting(catalog.meetings()[0].meeting_date)
    assert [p.number for p in m.punkter] == [1, 2, 3, 4, 5, 6, 8, 9, 10]
    assert m.punkt(1).decision.startswith("Dagsorden for mødet blev godkendt med én rettelse.")
    assert m.punkt(9).title == "Kommunikation til afdelingerne"
    # Chroma holds exactly the new meeting's chunks: punkt 7's are gone.
    state = index_state(index)
    assert set(state) == expected_chunk_ids(catalog)
    assert index.store.count() == len(chunk_meeting(m))
    assert not [i for i in state if ":7:" in i] and [i for i in old_chunks if ":7:" in i]
    assert "godkendt med én rettelse" in " ".join(d for d, _ in state.values())
    assert not stale_meetings(catalog)


def test_replacing_keeps_when_unchanged_punkter_were_first_ingested(tmp_path, catalog, index, sample):
    path = tmp_path / "referat.txt"
    text = sample("2019-01-17").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    ingest([path], catalog, index)
    first = {r["number"]: (r["first_seq"], r["first_ingested_at"])
             for r in catalog.db.execute("SELECT number, first_seq, first_ingested_at FROM punkter")}
    seq = catalog.max_seq()

    # punkt 3 gets a new decision text (same title), punkt 9 a new title
    path.write_text(text.replace("Vi bruger KL's benchmark værktøj.", "Vi bruger KL's nye værktøj.")
                    .replace("CF - hvad skal kommunikeres ud", "CF - Hvad skal kommunikeres ud"),
                    encoding="utf-8")
    assert statuses(ingest([path], catalog, index)) == {"referat.txt": "replaced"}
    after = {r["number"]: (r["first_seq"], r["first_ingested_at"])
             for r in catalog.db.execute("SELECT number, first_seq, first_ingested_at FROM punkter")}
    assert {n: v for n, v in after.items() if n != 9} == {n: v for n, v in first.items() if n != 9}
    assert after[9][0] > seq
    # Only the retitled punkt is new to the digest.
    assert [(d.punkt.number, d.punkt.title) for d in catalog.decisions_since(seq)] == [
        (9, "Hvad skal kommunikeres ud til afdelingerne efter mødet?")]


def test_the_same_meeting_as_pdf_docx_and_txt_is_one_meeting(tmp_path, catalog, index, sample):
    text = sample("2019-01-17").read_text(encoding="utf-8")
    txt = tmp_path / "chefforum-2019-01-17.txt"
    txt.write_text(text, encoding="utf-8")
    docx = tmp_path / "chefforum-2019-01-17.docx"
    write_docx(text, docx)
    pdf = tmp_path / "chefforum-2019-01-17.pdf"
    write_pdf(text, pdf, header="Albertslund Kommune — Referat Chefforum 17-01-2019")

    assert statuses(ingest([txt], catalog, index)) == {txt.name: "new"}
    state = catalog_state(catalog)
    # the Word file says the same words: unchanged; the PDF may differ in layout only
    assert statuses(ingest([docx], catalog, index)) == {docx.name: "unchanged"}
    assert statuses(ingest([pdf], catalog, index))[pdf.name] in ("unchanged", "replaced")
    assert catalog.count() == (1, 10)
    assert [{k: v for k, v in m.items() if k != "content_hash"} for m in catalog_state(catalog)] == [
        {k: v for k, v in m.items() if k != "content_hash"} for m in state]
    assert index.store.meeting_keys() == {("Chefforum", "2019-01-17")}
    assert set(index_state(index)) == expected_chunk_ids(catalog)
    # All three files are known now.
    assert set(statuses(ingest([txt, docx, pdf], catalog, index)).values()) == {"known"}


# --- closed punkter --------------------------------------------------------------------

def test_a_closed_punkt_is_stored_closed_and_never_indexed(tmp_path, catalog, index, sample):
    # Give the closed punkt content, as a careless export might: it must still not leak.
    text = sample("2019-03-14").read_text(encoding="utf-8").replace(
        "Punkt 5: Lukket\n\n00.01.00-A21-9-18\n",
        "Punkt 5: Lukket\n\n00.01.00-A21-9-18\n\nBeslutning\n\nFortrolig personsag om Zanzibar.\n")
    path = tmp_path / "chefforum-2019-03-14.txt"
    path.write_text(text, encoding="utf-8")
    ingest([path], catalog, index)

    row = catalog.db.execute(
        "SELECT * FROM punkter WHERE number=5").fetchone()
    assert (row["title"], row["closed"], row["heading"], row["case_number"]) == ("Lukket", 1, "", "")
    assert (json.loads(row["sections"]), json.loads(row["bilag"])) == ({}, [])
    m = catalog.meetings()[0]
    assert m.punkter == 11

    state = index_state(index)
    assert state and all(meta["punkt"] != 5 for _, meta in state.values())
    assert not [i for i in state if i.endswith(":5:0")]
    assert not any("Zanzibar" in doc or "Lukket" in doc for doc, _ in state.values())
    # the lexical index has no document for it either
    assert ("Chefforum", "2019-03-14", 5) not in index.position
    assert all(key[2] != 5 for key in index.lexical.keys)
    assert [r.number for r in index.refs] == [1, 2, 3, 4, 6, 7, 8, 9, 10, 11]


def test_a_meeting_of_only_closed_punkter_indexes_to_nothing(tmp_path, catalog, index, sample):
    """Before the fix, chunking nothing crashed the sync and blocked every later one."""
    path = tmp_path / "lukket.txt"
    path.write_text("REFERAT Chefforum d. 24-05-2024\n\nPunkt 1: Lukket\n\n00.01.00-A21-9-18\n",
                    encoding="utf-8")
    report = ingest([path, sample("2021-09-02")], catalog, index)
    assert set(statuses(report).values()) == {"new"}
    assert not stale_meetings(catalog)
    assert index.store.meeting_keys() == {("Chefforum", "2021-09-02")}


def test_file_hash_is_of_the_bytes(tmp_path, catalog, sample):
    path = sample("2021-09-02")
    ingest_paths([path], catalog, progress=False)
    assert catalog.knows_file(hashlib.sha256(path.read_bytes()).hexdigest())


def test_a_correction_of_only_the_time_place_or_a_heading_still_replaces(tmp_path, catalog, sample):
    """Everything `show` prints is kept up to date, not only the punkter's words."""
    path = tmp_path / "referat.txt"
    text = sample("2021-09-02").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    ingest_paths([path], catalog, progress=False)

    path.write_text(text.replace("kl. 08:30", "kl. 09:00").replace("Mødested Mødelokale 1",
                                                                   "Mødested Byrådssalen"),
                    encoding="utf-8")
    assert statuses(ingest_paths([path], catalog, progress=False)) == {"referat.txt": "replaced"}
    m = catalog.meeting(catalog.meetings()[0].meeting_date)
    assert (m.time, m.place) == ("09:00", "Byrådssalen")

    path.write_text(path.read_text(encoding="utf-8").replace(
        "Punkt 2: CF - Godkendelse af dagsorden og referat",
        "Punkt 2: CF - Godkendelse af dagsorden og referat (5 min.)"), encoding="utf-8")
    assert statuses(ingest_paths([path], catalog, progress=False)) == {"referat.txt": "replaced"}
    p = catalog.meeting(m.meeting_date).punkt(2)
    assert (p.title, p.heading) == ("Godkendelse af dagsorden og referat",
                                    "CF - Godkendelse af dagsorden og referat (5 min.)")


def test_many_skipped_files_are_summed_up_in_one_line():
    skipped = [f"bilag/foto-{i}.png" for i in range(5)] + ["bilag/README"]
    line = IngestReport(skipped=skipped).skipped_summary()
    assert line.startswith("skipped 6 file(s) of other types (.png, no extension; read: ")
    assert line.endswith(": bilag/foto-0.png, bilag/foto-1.png, bilag/foto-2.png and 3 more")
    assert IngestReport().skipped_summary() == ""


def test_a_file_naming_no_forum_takes_the_default_and_says_so(tmp_path, catalog):
    named = tmp_path / "named.txt"
    named.write_text("Udvalg: Teknisk Udvalg\nMødedato: 1. oktober 2025\n\n"
                     "Punkt 1: Godkendelse af dagsorden\n\nBeslutning\n\nGodkendt.\n",
                     encoding="utf-8")
    unnamed = tmp_path / "unnamed.txt"
    unnamed.write_text("Mødedato: 2. oktober 2025\n\nPunkt 1: Godkendelse af dagsorden\n\n"
                       "Beslutning\n\nGodkendt.\n", encoding="utf-8")
    report = ingest_paths([named, unnamed], catalog, progress=False, default_forum="Direktionen")
    by_path = {Path(r.path).name: r for r in report.results}
    assert by_path["named.txt"].warning == ""
    assert by_path["unnamed.txt"].warning == (
        "names no forum; taken as Direktionen's (REFERATBOT_DEFAULT_FORUM)")
    assert [(m.forum, m.meeting_date.isoformat()) for m in catalog.meetings()] == [
        ("Teknisk Udvalg", "2025-10-01"), ("Direktionen", "2025-10-02")]
