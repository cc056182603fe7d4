"""Questions about a whole meeting: a day's, a month's, the latest; with a topic, the
meeting comes with the punkter of it that match."""


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
