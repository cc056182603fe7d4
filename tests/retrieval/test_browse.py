"""The compose box's search over the sample minutes: matches best first, the newest
decisions for no words, a date lists its meetings, pages that join up, closed punkter
never offered, and nothing for words the minutes do not hold."""
from __future__ import annotations

import datetime as dt

import pytest

from question_files import CLOSED
from retrieval.browse import browse
from retrieval.search import Searcher

APRIL_2024 = dt.date(2024, 4, 24)


def keys(matches) -> list[tuple[dt.date, int]]:
    return [(m.meeting_date, m.punkt.number) for m in matches]


@pytest.mark.parametrize("words, day, number", [
    ("telefontider", APRIL_2024, 7),
    ("genbrugsbørs", APRIL_2024, 8),
    ("sygefravær 2024", APRIL_2024, 6),
    ("Kodeks VII", APRIL_2024, 9),
])
def test_the_punkt_that_holds_the_words_comes_first(corpus, words, day, number):
    found = browse(corpus.index, words)
    assert keys(found)[0] == (day, number)
    assert all(m.forum == "Chefforum" for m in found)


def test_no_words_lists_the_newest_decisions_in_punkt_order(corpus):
    found = browse(corpus.index, "", count=500)
    assert all(m.punkt.decision for m in found)
    days = [m.meeting_date for m in found]
    assert days == sorted(days, reverse=True) and days[0] == APRIL_2024
    april = [m.punkt.number for m in found if m.meeting_date == APRIL_2024]
    assert april == sorted(april) and len(april) >= 8
    everything = {(meeting.meeting_date, p.number) for meeting in corpus.catalog.iter_meetings()
                  for p in meeting.open_punkter if p.decision}
    assert set(keys(found)) == everything


def test_a_date_alone_lists_that_period(corpus):
    found = browse(corpus.index, "marts 2019")
    assert found and {m.meeting_date for m in found} == {dt.date(2019, 3, 14)}


@pytest.mark.parametrize("words", ["", "telefontider", "referat", "CF"])
def test_pages_join_up_without_gaps_or_repeats(corpus, words):
    whole = keys(browse(corpus.index, words, count=12))
    pages = [keys(browse(corpus.index, words, skip=skip, count=4)) for skip in (0, 4, 8)]
    assert sum(pages, []) == whole
    assert browse(corpus.index, words, skip=10_000) == []
    assert browse(corpus.index, words, count=0) == []


@pytest.mark.parametrize("words", ["Lukket", "lukket punkt", "00.01.00-A21-9-18", "",
                                   "14-03-2019", "marts 2019"])
def test_a_closed_punkt_is_never_offered(corpus, words):
    found = browse(corpus.index, words, count=500)
    assert CLOSED not in keys(found)
    assert not any(m.punkt.closed for m in found)


@pytest.mark.parametrize("words", ["xyzzyplugh", "quuxfrobnitz zorg"])
def test_words_the_minutes_do_not_hold_find_nothing(corpus, words):
    assert browse(corpus.index, words) == []


def test_the_full_search_ranks_the_same_punkt_first(corpus):
    """With the dense side too (what scripts/bench_compose.py compares against)."""
    found = browse(corpus.index, "telefontider", searcher=Searcher(corpus.index))
    assert keys(found)[0] == (APRIL_2024, 7)


@pytest.mark.parametrize("words, forums", [
    ("parkeringsstrategi KB", {"Kommunalbestyrelsen"}),
    ("byrådet parkeringsstrategi", {"Kommunalbestyrelsen"}),
    ("TMU", {"Teknik- og Miljøudvalget"}),  # its newest decisions
    ("Chefforum", {"Chefforum"}),
])
def test_a_forum_among_the_words_keeps_the_results_to_it(three_forums, words, forums):
    found = browse(three_forums.index, words)
    assert found and {m.forum for m in found} == forums


def test_words_naming_no_forum_search_every_forum(three_forums):
    assert {m.forum for m in browse(three_forums.index, "parkeringsstrategi")} >= {
        "Kommunalbestyrelsen", "Teknik- og Miljøudvalget"}
