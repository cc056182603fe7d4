"""The closed punkt ("Punkt 5: Lukket" of 14-03-2019) is never indexed, cited, suggested,
quoted or listed: not for questions aimed at it (its title, its case number, its number
and date) and not for questions about its meeting."""
from __future__ import annotations

import pytest

from question_files import CLOSED

DAY, NUMBER = CLOSED
#: The case number printed under "Punkt 5: Lukket" (shared with the meeting's open
#: approval, communication and Evt. punkter).
CASE_NUMBER = "00.01.00-A21-9-18"

AIMED_AT_IT = [
    "Lukket",
    "lukket punkt",
    "hvad stod der i det lukkede punkt?",
    "hvad blev besluttet under lukket punkt den 14. marts 2019?",
    "punkt 5 lukket 14-03-2019",
    CASE_NUMBER,
    f"sag {CASE_NUMBER} lukket",
    "closed item March 2019",
]
ABOUT_ITS_MEETING = [
    "møde 14-03-2019",
    "hvad var på dagsordenen 14.03.2019?",
    "hvad blev behandlet på chefforum d. 14. marts 2019?",
    "agenda 2019-03-14",
    "hvilke punkter var der på mødet den 14. marts 2019?",
]


def test_the_samples_hold_the_closed_punkt_but_the_index_does_not(corpus):
    meeting = corpus.catalog.meeting(DAY)
    closed = meeting.punkt(NUMBER)
    assert closed.closed and closed.title == "Lukket"
    assert closed.sections == {} and closed.bilag == ()
    assert NUMBER not in [p.number for p in meeting.open_punkter]
    index = corpus.index
    assert (DAY, NUMBER) not in {(r.meeting_date, r.number) for r in index.refs}
    assert len(index.refs) == 49  # 50 punkter in the samples, one closed
    stored = index.store.collection.get(
        where={"$and": [{"meeting_date": DAY.isoformat()}, {"punkt": NUMBER}]})
    assert stored["ids"] == []
    assert index.store.collection.get(where_document={"$contains": "Lukket"})["ids"] == []


def _assert_never_shown(answer):
    shown = answer.citations + answer.suggestions
    assert all((c.meeting_date, c.punkt) != CLOSED for c in shown)
    assert all(c.title != "Lukket" for c in shown)
    if answer.meeting is not None:
        assert NUMBER not in [n for n, _ in answer.meeting.items]
        assert "Lukket" not in [t for _, t in answer.meeting.items]
    payload = answer.to_json()
    for entry in payload["citations"] + payload["suggestions"]:
        assert (entry["meeting_date"], entry["punkt"]) != (DAY.isoformat(), NUMBER)


@pytest.mark.parametrize("question", AIMED_AT_IT)
def test_questions_aimed_at_the_closed_punkt_never_show_it(ask, question):
    _assert_never_shown(ask(question))


@pytest.mark.parametrize("question", ABOUT_ITS_MEETING)
def test_its_meeting_is_listed_without_it(ask, question):
    answer = ask(question)
    assert answer.answered and answer.meeting is not None
    assert answer.meeting.meeting_date == DAY
    numbers = [n for n, _ in answer.meeting.items]
    assert numbers == [1, 2, 3, 4, 6, 7, 8, 9, 10, 11]
    assert "Lukket" not in answer.answer
    assert "5. Lukket" not in answer.answer
    _assert_never_shown(answer)

