"""Commands on a catalog of three forums (the samples, and tests/forum_files.py's committee,
which met on 24-04-2024 as Chefforum did, and council): `møde [forum] DATO`, `seneste
[forum]`, `punkt [forum] DATO NR`, a choice of buttons when two forums met on the day
asked for, `fora`, and a case's path through the forums (`sag NUMMER`). A forum is named
as a question names it: by name, inflected, by its initials in any case, or by the
deployment's alias."""
from __future__ import annotations

import pytest

from bot.stores import open_catalog
from closed_forms import CLOSED_CASE_NUMBER, FORMS, referat
from fake_teams import Chat, actions, activity_json, card_of, texts
from forum_files import CLOSED_WORDS, COUNCIL_DAY, SHARED_CASE, forum_files
from ingest.pipeline import ingest_paths
from retrieval.phrasebook import say
from test_endpoint import card_in, post_json

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


# --- a case's path -------------------------------------------------------------------------

#: What the path of SHARED_CASE shows, step by step: head, title, decision's start, button.
PARKING_PATH = [
    ("Teknik- og Miljøudvalget 24.04.2024 · punkt 2", "Parkeringsstrategi for bymidten 2024-2030",
     "**Beslutning:** «Udvalget anbefalede strategien over for Kommunalbestyrelsen",
     {"command": "punkt", "date": "2024-04-24", "punkt": 2, "forum": "Teknik- og Miljøudvalget"}),
    ("Kommunalbestyrelsen 27.05.2024 · punkt 62", "Parkeringsstrategi for bymidten 2024-2030",
     "**Beslutning:** «Kommunalbestyrelsen vedtog parkeringsstrategien",
     {"command": "punkt", "date": "2024-05-27", "punkt": 62, "forum": "Kommunalbestyrelsen"}),
]


def path_of(card: dict) -> list[tuple]:
    """Each step of a path card: its head, title, decision (cut to the length expected) and
    the data of its button."""
    steps = [b["items"] for b in card["body"] if b["type"] == "Container"]
    return [(items[0]["text"], items[1]["text"], items[2]["text"][:len(expected[2])],
             items[3]["actions"][0]["data"]) for items, expected in zip(steps, PARKING_PATH)] \
        if len(steps) == len(PARKING_PATH) else steps


@pytest.mark.parametrize("text", [f"sag {SHARED_CASE}", "case emn-2024-004412",
                                  "sag Sagsnr.: EMN - 2024 - 004412",
                                  f"hvad blev besluttet i sag {SHARED_CASE}?"])
async def test_a_cases_path_through_the_forums(chat, text):
    path = await card(chat, text)
    assert texts(path)[:2] == [f"Sag {SHARED_CASE}", "Behandlet i 2 punkter, ældste først:"]
    assert path_of(path) == PARKING_PATH


async def test_a_step_of_the_path_shows_its_punkt(chat):
    [_, council] = [b for b in actions(await card(chat, f"sag {SHARED_CASE}"))]
    shown = texts(await card(chat, click=council["data"]))
    assert shown[:2] == ["Kommunalbestyrelsen 27.05.2024 · punkt 62",
                         "Parkeringsstrategi for bymidten 2024-2030"]


@pytest.mark.parametrize("text, said", [
    ("sag EMN-2024-00441", "Intet punkt i referaterne har sagsnummer EMN-2024-00441."),
    ("sag", say("case_usage")),
])
async def test_an_unknown_case_number_or_none_is_said_to(chat, text, said):
    [reply] = await chat.send(text)
    assert reply.text == said and not reply.attachments


async def test_a_question_with_a_number_no_punkt_carries_is_answered_as_a_question(chat):
    [reply] = await chat.send("hvad besluttede CF om telefontider i sag EMN-2099-000001?")
    assert "telefontid" in reply.text and "[1]" in reply.text


async def test_sag_and_a_topic_is_a_question(chat):
    [reply] = await chat.send("sag om telefontider")
    assert "telefontid" in reply.text and "[1]" in reply.text


async def test_a_question_of_a_cases_history_gets_its_path(chat):
    """Answered by the pipeline (the best punkt: Chefforum 24-04-2024, punkt 7), then that
    punkt's case number's path."""
    for question in ("hvad er der sket med sagen om telefontider?",
                     "what happened to the case about the town hall's phone hours?"):
        [reply] = await chat.send(question)
        assert "»Rådhusets telefontider«" in reply.text and "83.02.00-A00-1-23" in reply.text
        shown = texts(card_of(reply))
        assert shown[:3] == ["Sag 83.02.00-A00-1-23", "Behandlet i 1 punkt:",
                             "Chefforum 24.04.2024 · punkt 7"]


async def test_a_closed_punkt_of_the_case_is_not_on_its_path(chat, bot_catalog, tmp_path):
    """A later meeting's closed punkt printed under the case's number, with a title, body
    and decision of its own; and each fixture's closed punkt by its own number."""
    closed = tmp_path / "closed.txt"
    closed.write_text(referat(FORMS[2], day=COUNCIL_DAY.replace(month=6), marker="Grundkøbet",
                              title="Vejlandet", forum="Økonomiudvalget")
                      .replace(CLOSED_CASE_NUMBER, SHARED_CASE), encoding="utf-8")
    assert ingest_paths([closed], bot_catalog, progress=False).counts() == {"new": 1}
    path = await card(chat, f"sag {SHARED_CASE}")
    assert path_of(path) == PARKING_PATH
    shown = " ".join(texts(path))
    assert not any(w in shown for w in ("Grundkøbet", "Vejlandet", "Økonomiudvalget", "2,4 mio"))
    for number in [w for w in CLOSED_WORDS if w.startswith("EMN-")]:
        [reply] = await chat.send(f"sag {number}")
        assert reply.text == say("no_case", case=number) and not reply.attachments


#: A Chefforum punkt without a case number (our own words).
NO_CASE_NUMBER = """REFERAT Chefforum d. 05-06-2024

Mødedato Onsdag d. 5. juni 2024 kl. 09:00

Punkt 1: CF - Ladestandere til elcykler i kælderen

Sagsfremstilling

Flere medarbejdere kommer på elcykel og vil gerne lade batteriet i cykelkælderen.

Beslutning

Chefforum besluttede at sætte seks ladestandere til elcykler op i kælderen under rådhuset.
"""


async def test_the_chat_page_and_teams_show_a_cases_path(start_app, bot_settings, connector,
                                                        tmp_path):
    """The app over the three forums, indexed as it loads. /api/chat: the command, a
    question of the case's history (answered by the pipeline, then the path), and a history
    question whose best punkt has no case number, answered as any question; /api/messages:
    the history question's path on the (fake) Teams connector."""
    no_case = tmp_path / "chefforum-2024-06-05.txt"
    no_case.write_text(NO_CASE_NUMBER, encoding="utf-8")
    with open_catalog(bot_settings) as catalog:
        assert ingest_paths([*forum_files(tmp_path), no_case], catalog, progress=False).ok
    client = await start_app()
    for text, lead in ((f"sag {SHARED_CASE}", ""),
                       ("hvordan er sagen om parkeringsstrategien gået?",
                        "Sådan er sagen »Parkeringsstrategi for bymidten 2024-2030« "
                        f"(sag {SHARED_CASE}) gået gennem referaterne:")):
        status, body = await post_json(client, "/api/chat", {"text": text})
        [reply] = body["replies"]
        assert status == 200 and reply["text"] == lead, text
        [path] = reply["cards"]
        assert path_of(path) == PARKING_PATH
    status, body = await post_json(client, "/api/chat", {"value": PARKING_PATH[1][3]})
    assert texts(body["replies"][0]["cards"][0])[0] == "Kommunalbestyrelsen 27.05.2024 · punkt 62"
    status, body = await post_json(client, "/api/chat", {
        "text": "hvad er der sket med ladestanderne til elcykler?"})
    [reply] = body["replies"]
    assert "[1]" in reply["text"] and reply["citations"][0]["name"] == \
        "Chefforum 05.06.2024 · punkt 1: Ladestandere til elcykler i kælderen"
    status, _ = await post_json(client, "/api/messages", activity_json(
        "what happened to the case about the parking strategy?", service_url=connector.url))
    [sent] = await connector.wait_for(1)
    assert status == 201 and f"(case {SHARED_CASE})" in sent["text"]
    assert path_of(card_in(sent)) == PARKING_PATH
