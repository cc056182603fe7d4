"""Questions about a whole meeting: a day's, a month's, the latest; with a topic, the
meeting comes with the punkter of it that match."""
from __future__ import annotations

import pytest



def test_a_months_agenda_is_its_meeting(ask):
    answer = ask("hvad blev behandlet i marts 2023?")
    assert answer.answered and answer.meeting.meeting_date.isoformat() == "2023-03-15"
    assert answer.citations == ()  # "behandlet" is not a topic


def test_a_month_without_meetings_says_so_and_names_the_nearest(ask):
    answer = ask("hvilke sager var på dagsordenen i maj 2022?")
    assert not answer.answered and answer.meeting is None
    assert "maj 2022" in answer.answer and "15. marts 2023" in answer.answer


def test_a_topic_within_a_meeting_cites_its_punkter(ask):
    answer = ask("hvilke sager blev udsat på CF 15. marts 2023?")
    assert answer.meeting.meeting_date.isoformat() == "2023-03-15"
    assert {c.punkt for c in answer.citations} == {5, 6, 9}
    assert all("udsat" in c.snippet for c in answer.citations)


def test_latest_meeting(ask):
    answer = ask("seneste møde")
    assert answer.meeting.meeting_date.isoformat() == "2024-04-24"
    assert [n for n, _ in answer.meeting.items] == list(range(1, 11))


@pytest.mark.parametrize("question, day", [
    ("hvad blev besluttet på mødet i marts 2023?", "2023-03-15"),
    ("What did CF discuss at the March 2023 meeting?", "2023-03-15"),
    ("beslutninger fra sidste møde", "2024-04-24"),
    ("summary of the first meeting in 2019", "2019-01-17"),
    ("hvad var på dagsordenen i april 24?", "2024-04-24"),
])
def test_a_meeting_asked_without_a_topic_is_that_meeting(ask, question, day):
    answer = ask(question)
    assert answer.answered and answer.meeting.meeting_date.isoformat() == day


def test_the_approval_punkt_is_found_by_its_meeting_date(ask):
    answer = ask("blev dagsorden og referat godkendt på CF 15/3-23?")
    assert answer.meeting.meeting_date.isoformat() == "2023-03-15"
    assert (answer.citations[0].meeting_date.isoformat(), answer.citations[0].punkt) == \
        ("2023-03-15", 1)


def test_the_meeting_that_held_two_named_punkter(ask):
    answer = ask("hvilket møde havde både Erhvervs placering i organisationen og "
                 "journaliseringspraksis på dagsordenen?")
    assert answer.meeting.meeting_date.isoformat() == "2021-09-02"
    assert {c.punkt for c in answer.citations} >= {5, 8}


def test_the_next_meeting_is_not_in_the_minutes(ask):
    answer = ask("hvornår er næste møde i chefforum?")
    assert not answer.answered and answer.note == "future"
    assert "24. april 2024" in answer.answer
    english = ask("when is the next meeting?")
    assert not english.answered and "24 April 2024" in english.answer


def test_a_date_that_names_no_meeting_may_belong_to_the_topic(ask):
    answer = ask("hvad var programmet for lederdagen 22. september 2021?")
    assert answer.answered
    assert (answer.citations[0].meeting_date.isoformat(), answer.citations[0].punkt) == \
        ("2021-09-02", 4)
