"""Three forums in one catalog: the Chefforum samples and the minutes of a committee and
the council (tests/forum_files.py), read from their PDF, web page and Word files.

A meeting is its forum and its date: two forums meeting on one day are two meetings, and
re-reading one replaces only it. A forum is one forum however its documents print its
name (capitals, with or without the article)."""
from __future__ import annotations

import json

import pytest

from closed_forms import CLOSED_CASE_NUMBER, FORMS, referat
from forum_files import (AGENDA_DAY, CLOSED, CLOSED_WORDS, COMMITTEE, COUNCIL, COUNCIL_DAY,
                         SHARED_CASE, SHARED_DAY, committee_agenda, committee_page,
                         council_pdf, forum_files)
from ingest.model import Punkt
from ingest.pipeline import ingest_paths
from layout_files import parse_file

pytestmark = pytest.mark.both_catalogs


@pytest.fixture
def three_forums(catalog, samples_dir, tmp_path):
    """The catalog with the samples and the two forums' files in it."""
    report = ingest_paths([samples_dir, *forum_files(tmp_path)], catalog, progress=False)
    assert report.ok and report.counts() == {"new": 8}, report.summary()
    return catalog


def test_each_layout_names_its_forum(tmp_path):
    assert parse_file(council_pdf(tmp_path)).forum == COUNCIL
    assert parse_file(committee_page()).forum == COMMITTEE
    # printed in capitals, which hide the article: the name as its referater write it
    assert parse_file(committee_agenda(tmp_path)).forum == "Teknik- og Miljøudvalget"


def test_the_catalog_holds_three_forums(three_forums):
    meetings = three_forums.meetings()
    assert {m.forum for m in meetings} == {"Chefforum", COMMITTEE, COUNCIL}
    assert [(m.forum, m.kind) for m in meetings if m.forum != "Chefforum"] == [
        (COMMITTEE, "dagsorden"), (COMMITTEE, "referat"), (COUNCIL, "referat")]


def test_two_forums_on_one_day_are_two_meetings(three_forums):
    for day in (SHARED_DAY, AGENDA_DAY):
        chefforum, committee = (three_forums.meeting(day, f) for f in ("Chefforum", COMMITTEE))
        assert chefforum.forum == "Chefforum" and committee.forum == COMMITTEE
        assert chefforum.punkter != committee.punkter
    assert [m.forum for m in three_forums.meetings() if m.meeting_date == SHARED_DAY] == [
        "Chefforum", COMMITTEE]


def test_re_reading_one_forums_meeting_replaces_only_it(three_forums, tmp_path):
    before = three_forums.content_hashes()
    corrected = tmp_path / "corrected.html"
    corrected.write_text(committee_page().read_text(encoding="utf-8").replace(
        "300 kr. om året", "360 kr. om året"), encoding="utf-8")
    report = ingest_paths([corrected], three_forums, progress=False)
    assert report.counts() == {"replaced": 1}
    after = three_forums.content_hashes()
    assert [key for key in after if after[key] != before[key]] == [
        (COMMITTEE, SHARED_DAY.isoformat())]
    assert "360 kr." in three_forums.meeting(SHARED_DAY, COMMITTEE).punkt(2).decision
    assert three_forums.meeting(SHARED_DAY, "Chefforum").punkt(7).title == "Rådhusets telefontider"


@pytest.mark.parametrize("agenda_first", [True, False])
def test_a_forum_is_one_forum_however_its_head_prints_it(catalog, tmp_path, agenda_first):
    """The agenda's `TEKNIK- OG MILJØUDVALG` and the page's `Teknik- og Miljøudvalget` are
    one forum, whichever arrives first: it keeps the name it was first stored under."""
    order = [committee_agenda(tmp_path), committee_page()]
    order = order if agenda_first else order[::-1]
    assert ingest_paths(order, catalog, progress=False).counts() == {"new": 2}
    first = parse_file(order[0]).forum
    assert [m.forum for m in catalog.meetings()] == [first, first]
    # the agenda again, printed: the same meeting, unchanged
    again = committee_agenda(tmp_path, ".pdf")
    assert ingest_paths([again], catalog, progress=False).counts() == {"unchanged": 1}


def test_a_case_travels_from_the_committee_to_the_council(three_forums):
    path = [(m.forum, p.number, p.title) for m in three_forums.iter_meetings()
            for p in m.punkter if p.case_number == SHARED_CASE]
    assert path == [(COMMITTEE, 2, "Parkeringsstrategi for bymidten 2024-2030"),
                    (COUNCIL, 62, "Parkeringsstrategi for bymidten 2024-2030")]


def test_closed_punkter_stay_closed(three_forums, settings):
    for forum, day, number in CLOSED:
        assert three_forums.meeting(day, forum).punkt(number) == Punkt(number, "Lukket", closed=True)
    kept = json.dumps([m.to_json() for m in three_forums.iter_meetings()], ensure_ascii=False)
    if settings.catalog_url is None:  # the SQLite file, every byte of it
        kept += settings.catalog_path.read_bytes().decode("utf-8", "replace")
    assert [w for w in CLOSED_WORDS if w in kept] == []


@pytest.mark.parametrize("written", [
    SHARED_CASE, "emn-2024-004412", " EMN - 2024 - 004412 ", "EMN–2024–004412",
    "Sagsnr.: EMN-2024-004412", "EMN-2024-004412."])
def test_a_cases_path_however_its_number_is_written(three_forums, written):
    path = [(s.forum, s.meeting_date, s.punkt.number, s.punkt.title, s.punkt.decision[:50])
            for s in three_forums.case_path(written)]
    assert path == [
        (COMMITTEE, SHARED_DAY, 2, "Parkeringsstrategi for bymidten 2024-2030",
         "Udvalget anbefalede strategien over for Kommunalbe"),
        (COUNCIL, COUNCIL_DAY, 62, "Parkeringsstrategi for bymidten 2024-2030",
         "Kommunalbestyrelsen vedtog parkeringsstrategien fo")]


@pytest.mark.parametrize("written", ["EMN-2024-00441", "EMN-2024-0044120", "EMN-2024", "2024",
                                     "00.01.00-A21-9-1", "00.01.00", "", "  "])
def test_no_number_matches_a_part_of_another(three_forums, written):
    assert three_forums.case_path(written) == []


def test_a_path_in_one_forum_leaves_its_closed_punkt_out(three_forums):
    """Chefforum's punkt 5 of 14-03-2019 is closed and printed under the case number of
    that meeting's open punkter 1, 10 and 11 (and of three of the meeting before)."""
    path = [(s.meeting_date.isoformat(), s.punkt.number)
            for s in three_forums.case_path("00.01.00-A21-9-18")]
    assert path == [("2019-01-17", 1), ("2019-01-17", 9), ("2019-01-17", 10),
                    ("2019-03-14", 1), ("2019-03-14", 10), ("2019-03-14", 11)]


def test_a_closed_punkt_under_the_cases_number_is_not_on_its_path(three_forums, tmp_path):
    """A later meeting closes a punkt printed under the case's number, with a title, a
    body and a decision of its own: nothing of it is on the path."""
    closed = tmp_path / "closed.txt"
    closed.write_text(referat(FORMS[2], day=COUNCIL_DAY.replace(month=6), marker="Grundkøbet",
                              title="Vejlandet", forum="Økonomiudvalget")
                      .replace(CLOSED_CASE_NUMBER, SHARED_CASE), encoding="utf-8")
    assert ingest_paths([closed], three_forums, progress=False).counts() == {"new": 1}
    path = three_forums.case_path(SHARED_CASE)
    assert [(s.forum, s.punkt.number) for s in path] == [(COMMITTEE, 2), (COUNCIL, 62)]
    shown = json.dumps([(s.forum, s.punkt.to_json()) for s in path], ensure_ascii=False)
    assert not any(w in shown for w in ("Grundkøbet", "Vejlandet", "Økonomiudvalget", "2,4 mio"))
