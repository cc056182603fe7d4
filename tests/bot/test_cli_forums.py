"""`referatbot show`, `meetings` and `case` over a catalog of three forums
(tests/forum_files.py): a day one forum met is shown as before; a day two met needs `--forum
NAME`, in any form a question may name the forum, and without it the command fails naming
both; a case's path goes through the forums."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.settings import Settings
from bot.stores import open_catalog
from forum_files import (AGENDA_DAY, CLOSED_WORDS, COMMITTEE, COUNCIL, COUNCIL_DAY, SHARED_CASE,
                         SHARED_DAY, forum_files)
from ingest.pipeline import ingest_paths

ALIASES = "byrådet=Kommunalbestyrelsen"


def run(data_dir, *args):
    """`referatbot ARGS` in-process on `data_dir`, with the deployment's aliases."""
    env = {"REFERATBOT_DATA_DIR": str(data_dir), "REFERATBOT_FORUM_ALIASES": ALIASES}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def three_forums(tmp_path_factory, samples_dir):
    """A data dir whose catalog holds the samples and two more forums' minutes."""
    folder = tmp_path_factory.mktemp("forums")
    data = folder / "data"
    with open_catalog(Settings(data_dir=data)) as catalog:
        report = ingest_paths([samples_dir, *forum_files(folder)], catalog, progress=False)
    assert report.ok and report.counts() == {"new": 8}, report.summary()
    return data


def shown(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_meetings_json_carries_each_meetings_forum(three_forums):
    meetings = shown(run(three_forums, "meetings", "--json"))
    assert [(m["meeting_date"], m["forum"]) for m in meetings if m["forum"] != "Chefforum"] == [
        (AGENDA_DAY.isoformat(), COMMITTEE), (SHARED_DAY.isoformat(), COMMITTEE),
        (COUNCIL_DAY.isoformat(), COUNCIL)]
    assert {m["forum"] for m in meetings} == {"Chefforum", COMMITTEE, COUNCIL}


def test_a_day_one_forum_met_is_shown_without_naming_it(three_forums):
    council = shown(run(three_forums, "show", "27-05-2024", "--json"))
    assert (council["forum"], council["items"][1]["punkt"]) == (COUNCIL, 62)
    punkt = shown(run(three_forums, "show", "2019-03-14", "5", "--json"))
    assert punkt == {"punkt": 5, "title": "Lukket", "closed": True}
    text = run(three_forums, "show", "27.05.2024", "62")
    assert text.exit_code == 0 and text.stdout.startswith("Punkt 62: Parkeringsstrategi")


@pytest.mark.parametrize("args", [("24-04-2024",), ("24-04-2024", "7"), ("15-03-2023", "--json")])
def test_a_day_two_forums_met_needs_the_forum_and_the_error_names_both(three_forums, args):
    result = run(three_forums, "show", *args)
    assert result.exit_code != 0 and result.stdout == ""
    assert "2 forums met on" in result.stderr and "--forum NAME" in result.stderr
    assert f"Chefforum, {COMMITTEE}" in result.stderr


@pytest.mark.parametrize("name, forum", [
    ("Chefforum", "Chefforum"), ("CF", "Chefforum"), ("cf", "Chefforum"),
    ("TMU", COMMITTEE), ("teknik- og miljøudvalget", COMMITTEE), ("miljøudvalget", COMMITTEE),
    ("the technical committee", COMMITTEE),
])
def test_the_forum_is_named_in_any_form_a_question_may_name_it(three_forums, name, forum):
    meeting = shown(run(three_forums, "show", "2024-04-24", "--forum", name, "--json"))
    assert (meeting["forum"], meeting["meeting_date"]) == (forum, "2024-04-24")
    other = "Chefforum" if forum == COMMITTEE else COMMITTEE
    assert meeting["items"] != shown(run(three_forums, "show", "2024-04-24", "--forum", other,
                                         "--json"))["items"]


def test_one_punkt_of_the_forum_named(three_forums):
    assert shown(run(three_forums, "show", "24-04-2024", "2", "--forum", "TMU", "--json"))[
        "case_number"] == "EMN-2024-004412"
    assert shown(run(three_forums, "show", "24-04-2024", "3", "--forum", "TMU", "--json")) == {
        "punkt": 3, "title": "Lukket", "closed": True}
    assert shown(run(three_forums, "show", "24-04-2024", "7", "--forum", "CF", "--json"))[
        "title"] == "Rådhusets telefontider"


def test_an_alias_names_the_forum(three_forums):
    assert shown(run(three_forums, "show", "27-05-2024", "--forum", "byrådet", "--json"))[
        "forum"] == COUNCIL


@pytest.mark.parametrize("args, error", [
    (("24-04-2024", "--forum", "Økonomiudvalget"),
     f"--forum 'Økonomiudvalget' names no forum; the forums are: Chefforum, {COUNCIL}, {COMMITTEE}"),
    (("24-04-2024", "--forum", "CF og TMU"),
     f"--forum 'CF og TMU' names several forums: Chefforum, {COMMITTEE}"),
    (("27-05-2024", "--forum", "TMU"),
     f"no meeting of {COMMITTEE} on 27-05-2024; nearest: 15-03-2023, 24-04-2024"),
    # each day once, though two forums met on it
    (("25-04-2024",), "no meeting on 25-04-2024; nearest: 15-03-2023, 24-04-2024, 27-05-2024"),
    (("24-04-2024", "9", "--forum", "TMU"),
     f"the meeting of {COMMITTEE} on 24-04-2024 has no punkt 9 (it has 1, 2, 3, 4)"),
])
def test_a_forum_that_cannot_be_shown_is_a_clear_error(three_forums, args, error):
    result = run(three_forums, "show", *args)
    assert result.exit_code != 0 and result.stdout == ""
    assert error in result.stderr


def test_case_prints_the_path_as_json(three_forums):
    path = shown(run(three_forums, "case", "emn-2024-004412", "--json"))
    assert path["case_number"] == SHARED_CASE
    assert [(s["forum"], s["meeting_date"], s["punkt"], s["title"]) for s in path["path"]] == [
        (COMMITTEE, SHARED_DAY.isoformat(), 2, "Parkeringsstrategi for bymidten 2024-2030"),
        (COUNCIL, COUNCIL_DAY.isoformat(), 62, "Parkeringsstrategi for bymidten 2024-2030")]
    assert path["path"][1]["decision"].startswith("Kommunalbestyrelsen vedtog parkeringsstrategien")
    human = run(three_forums, "case", SHARED_CASE)
    assert human.exit_code == 0 and human.stdout.splitlines()[0] == (
        "24-04-2024  Teknik- og Miljøudvalget  punkt 2: Parkeringsstrategi for bymidten 2024-2030")


@pytest.mark.parametrize("number", ["EMN-2024-00441", "EMN-2024-004519"])
def test_case_of_no_open_punkt_is_an_error(three_forums, number):
    """A prefix of a number, and the number of a closed punkt (which shows nothing)."""
    result = run(three_forums, "case", number, "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert f"no punkt has the case number '{number}'" in result.stderr
    assert not any(w in result.stderr for w in CLOSED_WORDS if w != number)
