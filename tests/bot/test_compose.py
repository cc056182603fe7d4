"""The compose box's search (`composeExtension/query`) through the real app: a result list
in the shape Teams' "Respond to search command" documents, the latest decisions when the
search opens (initialRun), paging, a message when nothing matches, closed punkter never
offered, a 400 for a query that is not ours, and nothing posted to the conversation."""
from __future__ import annotations

import itertools

import pytest

from bot.conversation import Conversation
from bot.engine import Engine
from bot.teams.compose import MAX_COUNT
from bot.teams.handler import ReferatBot
from fake_teams import Chat, actions, activity_json, texts
from retrieval.phrasebook import say

_ids = itertools.count()
#: The samples' closed punkt: "Punkt 5: Lukket" of 14-03-2019.
CLOSED_SUBTITLE = "Chefforum 14.03.2019 · punkt 5"
THUMBNAIL = "application/vnd.microsoft.card.thumbnail"


def query_value(words: str | None = None, *, skip: int = 0, count: int = 25,
                initial: bool = False) -> dict:
    """The invoke's value as Teams sends it for the manifest's search command."""
    parameter = {"name": "initialRun", "value": "true"} if initial else {"name": "q",
                                                                           "value": words}
    return {"commandId": "searchPunkter", "parameters": [parameter],
            "queryOptions": {"skip": skip, "count": count}}


async def search(client, connector, value) -> tuple[int, dict | None]:
    body = activity_json(service_url=connector.url, activity_id=f"q-{next(_ids)}",
                         type="invoke", name="composeExtension/query", value=value)
    response = await client.post("/api/messages", json=body)
    payload = await response.json() if response.content_type == "application/json" else None
    return response.status, payload


def shown(payload: dict) -> list[tuple[str, str, str]]:
    """(title, subtitle, text) of each result's preview, as the list shows them."""
    extension = payload["composeExtension"]
    assert (extension["type"], extension["attachmentLayout"]) == ("result", "list")
    out = []
    for attachment in extension["attachments"]:
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        card = attachment["content"]
        assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
        assert actions(card) == []  # a card sent by a user: no bot actions in it
        preview = attachment["preview"]
        assert preview["contentType"] == THUMBNAIL
        content = preview["content"]
        assert set(content) == {"title", "subtitle", "text"}
        assert texts(card)[:2] == [content["subtitle"], content["title"]]
        out.append((content["title"], content["subtitle"], content["text"]))
    return out


async def test_a_search_lists_the_matching_punkter_as_cards(shared_client, connector):
    status, payload = await search(shared_client, connector, query_value("telefontider"))
    assert status == 200
    results = shown(payload)
    # the decision's first sentence
    assert results[0] == ("Rådhusets telefontider", "Chefforum 24.04.2024 · punkt 7",
                          "Chefforum oplyste, at denne sag i 2023 blev udsat, da en nedsat "
                          "arbejdsgruppe skulle afdække mulighederne for en 4-dages arbejdsuge "
                          "i Albertslund Kommune.")
    card = payload["composeExtension"]["attachments"][0]["content"]
    shown_on_card = texts(card)
    assert "Sag 83.02.00-A00-1-23" in shown_on_card
    decision = next(t for t in shown_on_card if t.startswith("**Beslutning:** "))
    assert "Chefforum besluttede, at Økonomiudvalgets beslutning fra april 2017" in decision
    assert shown_on_card[-1] == "Hele punktet: skriv punkt 24-04-2024 7 til referatbot."
    assert connector.received == []  # answered in the HTTP response only


@pytest.mark.parametrize("value", [
    {"parameters": [{"value": "telefontider"}]},
    {"commandId": "", "parameters": [{"name": "", "value": "telefontider"}]},
    {"parameters": [{"name": "searchQuery", "value": "telefontider"}]},
], ids=["no name", "empty names", "another name"])
async def test_a_query_with_one_parameter_and_no_command_is_the_search(shared_client, connector,
                                                                      value):
    """As the Microsoft 365 Agents Playground sends it, on every keystroke: no commandId,
    and a parameter without our name."""
    _, named = await search(shared_client, connector, query_value("telefontider"))
    status, payload = await search(shared_client, connector, value)
    assert status == 200
    assert shown(payload) == shown(named)
    assert shown(payload)[0][0] == "Rådhusets telefontider"


async def test_when_the_search_opens_it_shows_the_latest_decisions(shared_client, connector):
    status, payload = await search(shared_client, connector, query_value(initial=True))
    assert status == 200
    results = shown(payload)
    assert len(results) == MAX_COUNT
    assert results[0][1] == "Chefforum 24.04.2024 · punkt 1"
    assert [r[1] for r in results[:3]] == [f"Chefforum 24.04.2024 · punkt {n}" for n in (1, 2, 3)]
    status, empty = await search(shared_client, connector, query_value(""))  # the box emptied
    assert shown(empty) == results
    _, without_command = await search(shared_client, connector,
                                      {"parameters": [{"name": "initialRun", "value": "true"}]})
    assert shown(without_command) == results


async def test_pages_follow_skip_and_count(shared_client, connector):
    _, whole = await search(shared_client, connector, query_value("", count=9))
    pages = []
    for skip in (0, 3, 6):
        _, page = await search(shared_client, connector, query_value("", skip=skip, count=3))
        pages += shown(page)
    assert pages == shown(whole) and len(pages) == 9
    _, beyond = await search(shared_client, connector, query_value("telefontider", skip=400))
    assert beyond == {"composeExtension": {"type": "result", "attachmentLayout": "list",
                                           "attachments": []}}
    _, capped = await search(shared_client, connector, query_value("", count=10_000))
    assert len(shown(capped)) == MAX_COUNT


@pytest.mark.parametrize("words", ["", "Lukket", "lukket punkt 14-03-2019", "marts 2019"])
async def test_a_closed_punkt_is_never_offered(shared_client, connector, words):
    for skip in range(0, 100, 25):
        _, payload = await search(shared_client, connector, query_value(words, skip=skip))
        if payload["composeExtension"]["type"] == "message":
            break
        assert CLOSED_SUBTITLE not in [r[1] for r in shown(payload)]
        assert "Lukket" not in [r[0] for r in shown(payload)]


async def test_nothing_matching_is_said_in_a_message(shared_client, connector):
    status, payload = await search(shared_client, connector, query_value("xyzzyplugh"))
    assert status == 200
    assert payload == {"composeExtension": {"type": "message",
                                            "text": say("no_matches", words="xyzzyplugh")}}


@pytest.mark.parametrize("value, problem", [
    (None, "the query has no value object"),
    ({"commandId": "somethingElse", "parameters": []}, "commandId"),
    ({"commandId": "searchPunkter", "parameters": "telefon"}, "parameters"),
    ({"commandId": "searchPunkter", "parameters": [{"name": "q", "value": 7}]}, "'q'"),
    ({"parameters": [{"value": 7}]}, "no text value"),
    ({"parameters": []}, "commandId"),
    ({"parameters": [{"name": "a", "value": "x"}, {"name": "b", "value": "y"}]}, "commandId"),
    (query_value("x", skip=-1), "queryOptions.skip"),
    ({**query_value("x"), "queryOptions": {"count": "25"}}, "queryOptions.count"),
    ({**query_value("x"), "queryOptions": [25]}, "queryOptions"),
])
async def test_a_query_that_is_not_ours_is_a_400_naming_what_is_wrong(shared_client, connector,
                                                                      value, problem):
    status, payload = await search(shared_client, connector, value)
    assert status == 400
    assert problem in payload["error"]
    assert connector.received == []


async def test_while_the_index_loads_the_search_says_so(bot_settings, bot_catalog,
                                                       subscriptions, feedback):
    not_loaded = Engine(bot_settings, bot_catalog)
    chat = Chat(ReferatBot(Conversation(not_loaded, bot_catalog, subscriptions, feedback)))
    status, body = await chat.invoke("composeExtension/query", query_value("telefontider"))
    assert (status, body) == (200, {"composeExtension": {"type": "message",
                                                         "text": say("search_loading")}})


async def test_a_search_that_fails_says_sorry(bot_settings, bot_catalog, subscriptions,
                                              feedback, embedder):
    engine = Engine(bot_settings, bot_catalog, embedder=embedder)
    engine.load_blocking()  # over this test's own catalog
    chat = Chat(ReferatBot(Conversation(engine, bot_catalog, subscriptions, feedback)))
    bot_catalog.close()  # the database goes away under the bot
    status, body = await chat.invoke("composeExtension/query", query_value("telefontider"))
    assert (status, body) == (200, {"composeExtension": {"type": "message",
                                                         "text": say("sorry")}})
