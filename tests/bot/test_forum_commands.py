"""Commands on a catalog of three forums (the samples, and tests/forum_files.py's committee,
which met on 24-04-2024 as Chefforum did, and council): `møde [forum] DATO`, `seneste
[forum]`, `punkt [forum] DATO NR`, a choice of buttons when two forums met on the day
asked for, and `fora`. A forum is named as a question names it: by name, inflected, by
its initials in any case, or by the deployment's alias."""
from __future__ import annotations

import pytest

from fake_teams import Chat, actions, card_of, texts
from forum_files import CLOSED_WORDS
from retrieval.phrasebook import say

COMMITTEE_MEETING = "Teknik- og Miljøudvalget 24.04.2024"


@pytest.fixture
def chat(forums_chat) -> Chat:
    return forums_chat


async def card(chat: Chat, text: str | None = None, *, click: dict | None = None) -> dict:
    [reply] = await (chat.click(click) if click else chat.send(text))
    return card_of(reply)


@pytest.mark.parametrize("text, head", [
    ("møde TMU 24-04-2024", COMMITTEE_MEETING),
    ("møde tmu 24-04-2024", COMMITTEE_MEETING),
    ("møde Teknik- og Miljøudvalget 24. april 2024", COMMITTEE_MEETING),
    ("møde CF 24-04-2024", "Chefforum 24.04.2024"),
    ("møde byrådet 27-05-2024", "Kommunalbestyrelsen 27.05.2024"),
    ("meeting the city council 2024-05-27", "Kommunalbestyrelsen 27.05.2024"),
    # one forum met that day: no need to name it
    ("møde 27-05-2024", "Kommunalbestyrelsen 27.05.2024"),
])
async def test_a_meeting_of_a_forum(chat, text, head):
    assert texts(await card(chat, text))[0] == head


async def test_a_day_of_two_forums_offers_both(chat):
    choice = await card(chat, "møde 24-04-2024")
    assert texts(choice)[0] == "Flere fora holdt møde d. 24.04.2024. Hvilket møde vil du se?"
    buttons = actions(choice)
    assert [b["title"] for b in buttons] == ["Chefforum", "Teknik- og Miljøudvalget"]
    assert buttons[1]["data"] == {"command": "møde", "date": "2024-04-24",
                                  "forum": "Teknik- og Miljøudvalget"}
    assert texts(await card(chat, click=buttons[1]["data"]))[0] == COMMITTEE_MEETING
    # a punkt too: each forum's punkt of that number
    choice = await card(chat, "punkt 24-04-2024 2")
    [_, committee] = [b["data"] for b in actions(choice)]
    assert committee == {"command": "punkt", "date": "2024-04-24", "punkt": 2,
                         "forum": "Teknik- og Miljøudvalget"}
    punkt = texts(await card(chat, click=committee))
    assert punkt[0] == "Teknik- og Miljøudvalget 24.04.2024 · punkt 2"
    assert "Parkeringsstrategi for bymidten 2024-2030" in punkt


async def test_a_punkt_of_a_forum(chat):
    shown = texts(await card(chat, "punkt TMU 24-04-2024 2"))
    assert shown[0] == "Teknik- og Miljøudvalget 24.04.2024 · punkt 2"
    shown = texts(await card(chat, "punkt kommunalbestyrelsen 27-05-2024 62"))
    assert shown[0] == "Kommunalbestyrelsen 27.05.2024 · punkt 62"


async def test_a_closed_punkt_of_a_forum_stays_closed(chat):
    for text in ("punkt KB 27-05-2024 64", "punkt TMU 24-04-2024 3", "møde KB 27-05-2024"):
        shown = " ".join(texts(await card(chat, text)))
        assert not any(word in shown for word in CLOSED_WORDS), text
    assert say("closed_punkt") in texts(await card(chat, "punkt KB 27-05-2024 64"))


async def test_a_forum_that_did_not_meet_that_day(chat):
    none = await card(chat, "møde KB 24-04-2024")
    assert texts(none)[0] == "Der er intet referat fra et møde i Kommunalbestyrelsen d. 24.04.2024."
    assert [b["data"] for b in actions(none)] == [
        {"command": "møde", "date": "2024-05-27", "forum": "Kommunalbestyrelsen"}]


async def test_a_word_that_names_no_forum_is_said_to(chat):
    [reply] = await chat.send("møde budget 24-04-2024")
    assert reply.text == ("»budget« er ikke navnet på et forum. Fora i referaterne: "
                          "Chefforum, Kommunalbestyrelsen, Teknik- og Miljøudvalget.")


@pytest.mark.parametrize("text, head", [
    ("seneste", "Kommunalbestyrelsen 27.05.2024"),
    ("seneste CF", "Chefforum 24.04.2024"),
    ("seneste møde i Teknik- og Miljøudvalget", COMMITTEE_MEETING),
    ("latest the city council meeting", "Kommunalbestyrelsen 27.05.2024"),
])
async def test_the_latest_meeting_of_a_forum(chat, text, head):
    assert texts(await card(chat, text))[0] == head


async def test_seneste_and_a_topic_is_a_question(chat):
    [reply] = await chat.send("seneste telefontider")
    assert "telefontid" in reply.text and "[1]" in reply.text


async def test_fora_lists_each_forum_with_its_meetings(chat):
    for word in ("fora", "forums"):
        listed = await card(chat, word)
        [facts] = [b["facts"] for b in listed["body"] if b["type"] == "FactSet"]
        assert facts == [
            {"title": "Chefforum", "value": "5 møder, 17.01.2019–24.04.2024"},
            {"title": "Kommunalbestyrelsen", "value": "1 møde, 27.05.2024"},
            {"title": "Teknik- og Miljøudvalget", "value": "2 møder, 15.03.2023–24.04.2024"}]
        assert [b["data"] for b in actions(listed)][2] == {
            "command": "møde", "date": "2024-04-24", "forum": "Teknik- og Miljøudvalget"}
