"""Dates in questions, end to end: a day or a month filters the meetings searched, a bare
year prefers its meetings without excluding others."""
from __future__ import annotations

from retrieval.query import understand

import pytest


def _top(answer):
    assert answer.answered, answer.answer
    c = answer.citations[0]
    return c.meeting_date.isoformat(), c.punkt


@pytest.mark.parametrize("question", [
    "hvad besluttede CF om telefontider på mødet den 24. april 2024?",
    "telefontider 24-04-2024",
    "telefontider 2024-04-24",
    "telefontider 24.04.2024",
    "telefontider April 2024",
])
def test_every_date_format_reaches_the_meeting(ask, question):
    answer = ask(question)
    assert _top(answer) == ("2024-04-24", 7)
    assert all(c.meeting_date.isoformat() == "2024-04-24" for c in answer.citations)


def test_a_month_filter_keeps_other_meetings_out(ask):
    # IT is on the agenda in 2019, 2021 and 2023; March 2023 decides
    answer = ask("hvad besluttede CF om IT-strategi i marts 2023?")
    assert _top(answer) == ("2023-03-15", 2)
    assert all(c.meeting_date.isoformat() == "2023-03-15" for c in answer.citations)


@pytest.mark.parametrize("question, expected", [
    ("ledelsesgrundlag 2019", ("2019-01-17", 6)),
    ("ledelsesgrundlag 2021", ("2021-09-02", 4)),
])
def test_a_bare_year_decides_between_meetings_on_the_same_topic(corpus, ask, question, expected):
    answer = ask(question)
    assert _top(answer) == expected
    # ... without filtering: the other year's punkt on the topic is still ranked
    ranked = corpus.answerer.searcher.rank(understand(question))
    assert len({r.ref.meeting_date.year for r in ranked}) > 1


def test_a_bare_year_does_not_filter(ask):
    # "udsat i 2023" is told in the 2024 referat: it comes first, answered or offered
    answer = ask("hvorfor blev sagen om kommunens åbningstid for opkald udsat i 2023?")
    first = (answer.citations + answer.suggestions)[0]
    assert (first.meeting_date.isoformat(), first.punkt) == ("2024-04-24", 7)
    assert answer.confidence != "none"
