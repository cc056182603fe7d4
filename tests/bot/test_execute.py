"""Buttons that update their card in place (Universal Actions): an `adaptiveCard/action`
invoke through the real app is answered with the documented body, the new card in it and
nothing posted to the conversation; the same button as an Action.Submit (the fallback of
clients without Action.Execute) gets the same card as a new message; reading a meeting
punkt by punkt; and every invoke that is not one of ours a clean 4xx."""
from __future__ import annotations

import itertools

import pytest

from fake_teams import (TELEFON_QUESTION, actions, activity_json, card_of, execute_button,
                        execute_value, texts)
from retrieval.phrasebook import say

_ids = itertools.count()
ADAPTIVE = "application/vnd.microsoft.card.adaptive"
TELEFON_PUNKT = {"command": "punkt", "date": "2024-04-24", "punkt": 7, "forum": "Chefforum"}


async def post(client, connector, **fields):
    body = activity_json(service_url=connector.url, activity_id=f"x-{next(_ids)}", **fields)
    return await client.post("/api/messages", json=body)


async def execute(client, connector, data) -> dict:
    """Click an Action.Execute: the invoke's response body (HTTP 200, as documented)."""
    response = await post(client, connector, type="invoke", name="adaptiveCard/action",
                          value=execute_value(data))
    assert response.status == 200, await response.text()
    return await response.json()


def replacing_card(body: dict) -> dict:
    assert set(body) == {"statusCode", "type", "value"}
    assert (body["statusCode"], body["type"]) == (200, ADAPTIVE)
    card = body["value"]
    assert card["type"] == "AdaptiveCard" and float(card["version"]) >= 1.4
    return card


def button(card: dict, title: str) -> dict:
    [found] = [b for b in actions(card) if b["title"] == title]
    return found


async def test_vis_hele_punktet_replaces_the_answer_with_the_punkt(bot_client, connector):
    response = await bot_client.post("/api/chat", json={"text": TELEFON_QUESTION})
    answer = (await response.json())["replies"][0]["cards"][0]
    show = button(answer, "Vis hele punktet")
    assert show == execute_button("Vis hele punktet", TELEFON_PUNKT)
    card = replacing_card(await execute(bot_client, connector, show["data"]))
    assert texts(card)[:3] == ["Chefforum 24.04.2024 · punkt 7", "Rådhusets telefontider",
                               "Sag 83.02.00-A00-1-23"]
    assert connector.received == []  # in place: no new message in the conversation


async def test_the_fallback_submit_gets_the_same_card_as_a_message(bot_client, connector):
    """One parser for both: the Action.Submit a client without Action.Execute sends."""
    in_place = replacing_card(await execute(bot_client, connector, TELEFON_PUNKT))
    fallback = execute_button("Vis hele punktet", TELEFON_PUNKT)["fallback"]
    response = await post(bot_client, connector, value=fallback["data"])
    assert response.status == 201
    [sent] = await connector.wait_for(1)
    [attachment] = sent["attachments"]
    assert attachment["contentType"] == ADAPTIVE
    assert attachment["content"] == in_place


async def test_a_meeting_is_read_punkt_by_punkt_in_one_card(bot_client, connector):
    card = replacing_card(await execute(bot_client, connector,
                                        {"command": "møde", "date": "2024-04-24"}))
    assert texts(card)[0] == "Chefforum 24.04.2024"
    first = next(c["selectAction"] for c in card["body"] if "selectAction" in c)
    assert first == execute_button("Vis punkt 1", {"command": "punkt", "date": "2024-04-24",
                                                   "punkt": 1, "forum": "Chefforum"})
    card = replacing_card(await execute(bot_client, connector, first["data"]))
    assert [b["title"] for b in actions(card)] == ["Vis hele mødet", "Punkt 2 ›"]
    seen = [texts(card)[1]]
    while "Punkt 10 ›" not in [b["title"] for b in actions(card)]:
        card = replacing_card(await execute(bot_client, connector,
                                            actions(card)[-1]["data"]))
        seen.append(texts(card)[1])
    assert len(seen) == 9 and seen[6] == "Rådhusets telefontider"
    last = replacing_card(await execute(bot_client, connector, actions(card)[-1]["data"]))
    assert [b["title"] for b in actions(last)] == ["‹ Punkt 9", "Vis hele mødet"]
    back = replacing_card(await execute(bot_client, connector, button(last, "Vis hele mødet")
                                        ["data"]))
    assert texts(back)[0] == "Chefforum 24.04.2024"
    assert connector.received == []


async def test_paging_steps_over_a_closed_punkt(bot_client, connector):
    card = replacing_card(await execute(bot_client, connector,
                                        {"command": "punkt", "date": "2019-03-14", "punkt": 4}))
    after = actions(card)[-1]
    assert after["title"] == "Punkt 6 ›" and after["data"]["punkt"] == 6
    card = replacing_card(await execute(bot_client, connector, after["data"]))
    assert actions(card)[0]["title"] == "‹ Punkt 4"


async def test_a_day_without_a_meeting_offers_meetings_that_open_in_place(bot_client, connector):
    card = replacing_card(await execute(bot_client, connector,
                                        {"command": "møde", "date": "2020-01-01"}))
    assert texts(card)[0] == "Der er intet referat fra et møde d. 01.01.2020."
    nearest = actions(card)[0]
    assert nearest == execute_button("Møde 17.01.2019", {"command": "møde", "date": "2019-01-17"})


@pytest.mark.parametrize("data", [
    {"command": "punkt", "date": "i går", "punkt": 7},
    {"command": "self-destruct"},
    None,
    "punkt 7",
])
async def test_a_button_that_makes_no_sense_is_told_in_a_message(bot_client, connector, data):
    body = await execute(bot_client, connector, data)
    assert body == {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                    "value": say("bad_button")}
    assert connector.received == []


@pytest.mark.parametrize("value, problem", [
    (None, "no action object"),
    ({"trigger": "manual"}, "no action object"),
    ({"action": "Action.Execute"}, "no action object"),
    ({"action": {"type": "Action.Submit", "data": TELEFON_PUNKT}}, "not an Action.Execute"),
])
async def test_an_invoke_without_an_execute_is_a_400_in_the_documented_shape(shared_client,
                                                                            connector, value,
                                                                            problem):
    response = await post(shared_client, connector, type="invoke", name="adaptiveCard/action",
                          value=value)
    assert response.status == 400
    body = await response.json()
    assert (body["statusCode"], body["type"]) == (400, "application/vnd.microsoft.error")
    assert body["value"]["code"] == "BadRequest" and problem in body["value"]["message"]
    assert connector.received == []


@pytest.mark.parametrize("name", ["task/fetch", "composeExtension/selectItem",
                                  "composeExtension/onCardButtonClicked", "signin/verifyState",
                                  "config/fetch", None])
async def test_every_other_invoke_is_a_400(shared_client, connector, name):
    fields = {"name": name} if name else {}
    response = await post(shared_client, connector, type="invoke", value={"x": 1}, **fields)
    assert response.status == 400
    assert connector.received == []


async def test_a_card_action_that_fails_says_sorry(chat, bot_catalog):
    bot_catalog.close()  # the database goes away under the bot
    status, body = await chat.invoke("adaptiveCard/action", execute_value(TELEFON_PUNKT))
    assert (status, body["type"], body["value"]) == (
        200, "application/vnd.microsoft.activity.message", say("sorry"))


async def test_the_answer_card_in_teams_has_its_buttons_in_place(chat):
    card = card_of((await chat.send(TELEFON_QUESTION))[0])
    assert execute_button("Vis hele punktet", TELEFON_PUNKT) in actions(card)
    status, body = await chat.invoke("adaptiveCard/action", execute_value(TELEFON_PUNKT))
    assert status == 200 and texts(replacing_card(body))[1] == "Rådhusets telefontider"
