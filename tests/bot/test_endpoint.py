"""The running app (create_app, startup and cleanup included): Activity JSON POSTed into
/api/messages as Teams sends it, with the replies captured on a fake Teams connector;
the JSON API, the local chat endpoint, health and readiness, and refusals of bad bodies."""
from __future__ import annotations

import asyncio
import json
import logging

import pytest

from bot.app_keys import subscriptions_key
from bot.conversation import MAX_QUESTION_CHARS
from bot.routes import MAX_BODY_BYTES, PARSED_HEADER_BYTES
from fake_teams import (BOT_ID, BOT_NAME, SERVICE_URL, TELEFON_QUESTION, TELEFON_SOURCE,
                        activity_json, texts)
from retrieval.phrasebook import say

ANSWER_KEYS = {"question", "answered", "answer", "citations", "meeting", "suggestions",
               "confidence"}
TEAMS_CHANNEL = "19:general@thread.tacv2"
CITATION_KEYS = {"forum", "meeting_date", "punkt", "title", "case_number", "section", "snippet"}


def card_in(sent: dict) -> dict:
    [attachment] = sent["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


async def post_json(client, path: str, body) -> tuple[int, dict | str]:
    response = await client.post(path, data=json.dumps(body),
                                 headers={"Content-Type": "application/json"})
    text = await response.text()
    try:
        return response.status, json.loads(text)
    except json.JSONDecodeError:
        return response.status, text


# --- Teams, end to end -----------------------------------------------------------------


async def test_question_is_answered_on_the_connector(bot_client, connector):
    status, _ = await post_json(bot_client, "/api/messages",
                                activity_json(TELEFON_QUESTION, service_url=connector.url))
    assert status == 201
    [reply] = await connector.wait_for(1)
    assert reply["_path"] == "/v3/conversations/a:personal-chat-1/activities/act-1"
    assert reply["replyToId"] == "act-1"
    assert reply["from"]["id"] == BOT_ID
    assert reply["conversation"]["id"] == "a:personal-chat-1"
    card = card_in(reply)
    assert card["version"] == "1.5"
    assert TELEFON_SOURCE in texts(card)


async def test_turns_reuse_one_connector_client_and_its_connection(bot_client, connector):
    """botbuilder makes a connector client (and so a connection) for every turn; the
    bot keeps one per service URL, so later turns and conversations reuse it."""
    for n, (conversation, text) in enumerate([("a:personal-chat-1", "hjælp"),
                                              ("a:personal-chat-1", "seneste"),
                                              ("a:personal-chat-2", "hjælp")], start=1):
        status, _ = await post_json(bot_client, "/api/messages", activity_json(
            text, service_url=connector.url, activity_id=f"act-{n}", conversation_id=conversation))
        assert status == 201
        await connector.wait_for(n)
    assert len(connector.peers) == 1


async def test_channel_message_with_mention(bot_client, connector):
    at = f"<at>{BOT_NAME}</at>"
    body = activity_json(f"{at} møde 24-04-2024", service_url=connector.url,
                         conversation_id="19:general@thread.tacv2;messageid=1700000000000",
                         entities=[{"type": "mention", "text": at,
                                    "mentioned": {"id": BOT_ID, "name": BOT_NAME}}])
    body["conversation"]["conversationType"] = "channel"
    status, _ = await post_json(bot_client, "/api/messages", body)
    assert status == 201
    [reply] = await connector.wait_for(1)
    assert texts(card_in(reply))[0] == "Chefforum 24.04.2024"


async def test_greeting_on_install_in_a_group_chat_only(bot_client, connector):
    """A personal chat gets none: Teams shows the manifest's prompt starters there."""
    personal = activity_json(service_url=connector.url, type="conversationUpdate",
                             activity_id="install-1",
                             membersAdded=[{"id": BOT_ID, "name": BOT_NAME}])
    status, _ = await post_json(bot_client, "/api/messages", personal)
    assert status == 201 and connector.received == []  # every reply is sent before the 201
    group = activity_json(service_url=connector.url, type="conversationUpdate",
                          activity_id="install-2", conversation_id="19:group@thread.v2",
                          membersAdded=[{"id": BOT_ID, "name": BOT_NAME}])
    group["conversation"]["conversationType"] = "groupChat"
    status, _ = await post_json(bot_client, "/api/messages", group)
    assert status == 201
    [greeting] = await connector.wait_for(1)
    assert texts(card_in(greeting))[0] == "Hej! Jeg er referatbotten"


async def test_a_retried_activity_is_answered_once(bot_client, connector):
    body = activity_json(TELEFON_QUESTION, service_url=connector.url, activity_id="retried-1")
    first, again = await asyncio.gather(post_json(bot_client, "/api/messages", body),
                                        post_json(bot_client, "/api/messages", body))
    later = await post_json(bot_client, "/api/messages", body)
    assert [first[0], again[0], later[0]] == [201, 201, 201]
    # every reply is sent before its 201, so nothing more can arrive now
    assert len(connector.received) == 1
    other = activity_json("hjælp", service_url=connector.url, activity_id="retried-2")
    assert (await post_json(bot_client, "/api/messages", other))[0] == 201
    assert len(connector.received) == 2


async def test_the_same_id_in_another_conversation_is_another_activity(bot_client, connector):
    for conversation in ("a:chat-1", "a:chat-2"):
        body = activity_json("hjælp", service_url=connector.url, activity_id="same-id",
                             conversation_id=conversation)
        assert (await post_json(bot_client, "/api/messages", body))[0] == 201
    assert len(connector.received) == 2


async def test_slow_answer_acknowledged_then_delivered_proactively(start_app, connector):
    client = await start_app(ack_after=0)
    status, _ = await post_json(client, "/api/messages",
                                activity_json(TELEFON_QUESTION, service_url=connector.url))
    assert status == 201
    ack, answer = await connector.wait_for(2)
    assert ack["text"] == say("wait")
    assert answer["conversation"]["id"] == "a:personal-chat-1"
    assert TELEFON_SOURCE in texts(card_in(answer))


async def test_subscribe_over_http_stores_the_tenant_from_channel_data(bot_client, connector):
    status, _ = await post_json(bot_client, "/api/messages",
                                activity_json("abonner", service_url=connector.url))
    assert status == 201
    [reply] = await connector.wait_for(1)
    assert reply["text"].startswith("Så er det på plads")
    from bot.app_keys import subscriptions_key
    sub = bot_client.app[subscriptions_key].get("a:personal-chat-1")
    assert (sub.tenant_id, sub.service_url) == ("tenant-1", connector.url)


async def test_proactive_card_to_a_subscription(bot_client, connector):
    from bot.app_keys import endpoint_key, subscriptions_key

    await post_json(bot_client, "/api/messages", activity_json("abonner", service_url=connector.url))
    sub = bot_client.app[subscriptions_key].get("a:personal-chat-1")
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Nyt"}]}
    await bot_client.app[endpoint_key].send_card(sub.reference, card)
    subscribed, digest = await connector.wait_for(2)
    assert digest["conversation"]["id"] == "a:personal-chat-1"
    assert card_in(digest) == card


@pytest.fixture
def quick_retries(monkeypatch):
    """The connector client's retries of a refused connection (msrest: three, 0.8 s × 2ⁿ
    apart, 4.8 s in all) made 10 ms × 2ⁿ apart: the same retries, and the same failure."""
    from msrest.universal_http.requests import ClientRetryPolicy

    def quick(policy, init=ClientRetryPolicy.__init__):
        init(policy)
        policy.backoff_factor = 0.01
    monkeypatch.setattr(ClientRetryPolicy, "__init__", quick)


async def test_proactive_card_failures_carry_the_status(bot_client, connector, quick_retries):
    from bot.app_keys import endpoint_key
    from bot.jobs.digest import DeliveryFailed

    endpoint = bot_client.app[endpoint_key]
    reference = {"conversation": {"id": "a:bot-removed"}, "serviceUrl": connector.url,
                 "channelId": "msteams", "bot": {"id": BOT_ID}, "user": {"id": "29:u"}}
    connector.refuse["a:bot-removed"] = 403
    card = {"type": "AdaptiveCard", "version": "1.5", "body": []}
    with pytest.raises(DeliveryFailed) as refused:
        await endpoint.send_card(reference, card)
    assert refused.value.status == 403 and refused.value.permanent
    unreachable = dict(reference, serviceUrl="http://127.0.0.1:9/")
    with pytest.raises(DeliveryFailed) as down:
        await endpoint.send_card(unreachable, card)
    assert down.value.status is None and not down.value.permanent
    assert connector.received == []


# --- bodies that are refused -----------------------------------------------------------


async def test_malformed_json_is_400(shared_client):
    response = await shared_client.post("/api/messages", data="{\"type\": \"message\",",
                                     headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert "not valid JSON" in (await response.json())["error"]


@pytest.mark.parametrize("route", ["/api/messages", "/api/chat"])
@pytest.mark.parametrize("data", [
    '{"type": "message", "text": ' + "[" * 1000 + "]" * 1000 + "}",
    '{"type": "message", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"type": "message", "value": ' + "9" * 5000 + "}",
], ids=["nested 1000 deep", "nested 100000 deep", "an int of 5000 digits"])
async def test_json_a_parser_or_botbuilder_cannot_hold_is_400(shared_client, route, data, caplog):
    response = await shared_client.post(route, data=data, headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert "error" in await response.json()
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert (await shared_client.get("/healthz")).status == 200


@pytest.mark.slow
async def test_a_body_that_never_arrives_is_timed_out_and_the_server_stays_up(bot_client):
    """A client that sends its headers and a byte of a promised 100 gets 408 after
    BODY_SECONDS; meanwhile other requests are answered."""
    from bot.routes import BODY_SECONDS

    reader, writer = await asyncio.open_connection(bot_client.server.host, bot_client.server.port)
    writer.write(b"POST /api/chat HTTP/1.1\r\nHost: localhost\r\n"
                 b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
    await writer.drain()
    started = asyncio.get_running_loop().time()
    assert (await bot_client.get("/healthz")).status == 200
    status_line = await asyncio.wait_for(reader.readline(), BODY_SECONDS + 10)
    waited = asyncio.get_running_loop().time() - started
    writer.close()
    assert status_line.split()[1] == b"408", status_line
    assert BODY_SECONDS - 1 <= waited < BODY_SECONDS + 10


@pytest.mark.parametrize("route", ["/healthz", "/api/ask?q=telefontider"])
@pytest.mark.parametrize("header_bytes", [8_200, PARSED_HEADER_BYTES - 100])
async def test_a_header_over_8_kb_is_431_and_no_error_in_the_log(shared_client, caplog, route,
                                                                 header_bytes):
    response = await shared_client.get(route, headers={"X-Large": "x" * header_bytes})
    assert response.status == 431
    if route.startswith("/api/"):
        assert "header is over 8190 bytes" in (await response.json())["error"]
    assert [(r.levelname, r.getMessage()) for r in caplog.records
            if r.levelno >= logging.WARNING or r.exc_info] == []
    assert (await shared_client.get("/healthz")).status == 200


@pytest.mark.parametrize("headers", [{"X-Large": "x" * 1_000_000},
                                     {f"X-{n}": "x" for n in range(200)}])
async def test_a_request_aiohttp_refuses_itself_is_logged_in_one_line(shared_client, caplog,
                                                                      headers):
    """Beyond what aiohttp's parser reads (PARSED_HEADER_BYTES, 128 headers) it answers
    400 itself; that is the client's error, not an ERROR with a traceback."""
    caplog.set_level(logging.INFO, logger="aiohttp.server")
    response = await shared_client.get("/healthz", headers=headers)
    assert response.status == 400
    [refused] = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert refused.levelname == "INFO" and refused.exc_info is None
    assert "refused a request aiohttp could not read" in refused.getMessage()
    assert (await shared_client.get("/healthz")).status == 200


@pytest.mark.parametrize("body, error", [
    ([1, 2, 3], "the body must be a JSON object"),
    ("message", "the body must be a JSON object"),
    ({"text": "no type"}, "the activity has no type"),
    ({"type": "message", "text": "hej"}, "the activity has no channelId, serviceUrl, conversation.id"),
    ({"type": "message", "channelId": "msteams", "serviceUrl": "http://127.0.0.1:9/",
      "conversation": {"name": "x"}}, "the activity has no conversation.id"),
    ({"type": "message", "channelId": "msteams", "serviceUrl": "http://127.0.0.1:9/",
      "conversation": "not an object"}, "the body is not a Bot Framework activity"),
])
async def test_json_that_is_not_an_activity_is_400(shared_client, body, error):
    assert await post_json(shared_client, "/api/messages", body) == (400, {"error": error})


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_wrong_content_type_is_415(shared_client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = await shared_client.post("/api/messages", data=b'{"type": "message"}',
                                     headers=headers, skip_auto_headers=["Content-Type"])
    assert response.status == 415
    assert (await response.json())["error"] == "send the body as application/json"


async def test_oversized_body_is_413(shared_client, connector):
    body = activity_json("x" * (MAX_BODY_BYTES + 10), service_url=connector.url)
    status, error = await post_json(shared_client, "/api/messages", body)
    assert status == 413 and "over 262144 bytes" in error["error"]


async def test_oversized_chunked_body_is_413(shared_client):
    async def chunks():
        for _ in range(40):
            yield b"x" * 10_000

    response = await shared_client.post("/api/messages", data=chunks(),
                                     headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert "Maximum request body size" in (await response.json())["error"]


async def test_refused_bodies_leave_the_server_working(bot_client, connector):
    junk = [("{", "application/json"), ("x" * 300_000, "application/json"), ("<xml/>", "text/xml")]
    for _ in range(10):
        for data, content_type in junk:
            response = await bot_client.post("/api/messages", data=data,
                                             headers={"Content-Type": content_type})
            assert response.status in (400, 413, 415)
    status, _ = await post_json(bot_client, "/api/messages",
                                activity_json("hjælp", service_url=connector.url))
    assert status == 201
    assert len(await connector.wait_for(1)) == 1


# --- /api/ask --------------------------------------------------------------------------


async def test_ask_returns_the_answer_json(bot_client):
    response = await bot_client.get("/api/ask", params={"q": TELEFON_QUESTION})
    assert response.status == 200
    assert response.content_type == "application/json"
    answer = await response.json()
    assert set(answer) == ANSWER_KEYS
    assert answer["question"] == TELEFON_QUESTION and answer["answered"] is True
    assert answer["meeting"] is None
    top = answer["citations"][0]
    assert set(top) == CITATION_KEYS
    assert (top["meeting_date"], top["punkt"], top["title"], top["case_number"]) == \
        ("2024-04-24", 7, "Rådhusets telefontider", "83.02.00-A00-1-23")


async def test_ask_about_a_meeting_has_the_meeting(bot_client):
    answer = await (await bot_client.get("/api/ask", params={"q": "hvad skete der på mødet 24-04-2024"})).json()
    assert answer["meeting"]["meeting_date"] == "2024-04-24"
    assert {"punkt": 7, "title": "Rådhusets telefontider"} in answer["meeting"]["items"]


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}, {"q": "x" * (MAX_QUESTION_CHARS + 1)}])
async def test_ask_refuses_a_missing_empty_or_long_question(shared_client, params):
    response = await shared_client.get("/api/ask", params=params)
    assert response.status == 400
    assert response.content_type == "application/json"
    assert (await response.json())["error"]


# --- the local chat endpoint -----------------------------------------------------------


async def test_chat_runs_the_teams_handler(bot_client):
    status, body = await post_json(bot_client, "/api/chat", {"text": TELEFON_QUESTION})
    assert status == 200
    [reply] = body["replies"]
    [card] = reply["cards"]
    assert TELEFON_SOURCE in texts(card)


async def test_the_chat_page_keeps_the_conversation_the_server_named(bot_client):
    status, first = await post_json(bot_client, "/api/chat", {"text": "hjælp"})
    assert status == 200 and first["conversation"].startswith("lokal-")
    status, again = await post_json(bot_client, "/api/chat", {
        "text": "hjælp", "conversation": first["conversation"]})
    assert status == 200 and again["conversation"] == first["conversation"]


@pytest.mark.parametrize("conversation", [TEAMS_CHANNEL, "a:personal-chat-1", "c1",
                                          "lokal-", "lokal-x" + "0" * 35])
async def test_the_chat_page_never_acts_on_a_teams_conversation(start_app, conversation):
    """Even with auth on, /api/chat is open: a Teams conversation's id sent to it must not
    end that conversation's digest."""
    client = await start_app(app_id="00000000-1111-2222-3333-444444444444",
                             app_password="not-a-real-secret")
    subscriptions = client.app[subscriptions_key]
    subscriptions.subscribe({"conversation": {"id": conversation}, "serviceUrl": SERVICE_URL},
                            tenant_id="tenant-1", service_url=SERVICE_URL, subscribed_by="")
    status, error = await post_json(client, "/api/chat", {"text": "afmeld",
                                                          "conversation": conversation})
    assert status == 400 and "conversation" in error["error"]
    assert subscriptions.get(conversation).active


async def test_the_chat_page_cannot_unsubscribe_its_own_conversation_either(bot_client):
    status, body = await post_json(bot_client, "/api/chat", {"text": "afmeld"})
    assert body["replies"] == [{"text": say("subscribe_local"), "cards": [], "citations": []}]


async def test_chat_button_value(bot_client):
    status, body = await post_json(bot_client, "/api/chat", {
        "value": {"command": "punkt", "date": "2024-04-24", "punkt": 7}})
    assert status == 200
    assert texts(body["replies"][0]["cards"][0])[1] == "Rådhusets telefontider"


async def test_chat_cannot_subscribe(bot_client):
    status, body = await post_json(bot_client, "/api/chat", {"text": "abonner"})
    assert body["replies"] == [{"text": say("subscribe_local"), "cards": [], "citations": []}]


@pytest.mark.parametrize("body", [{"text": 5}, {"value": "punkt"}, {"text": "x" * 1001},
                                  {"text": "hej", "conversation": 7}])
async def test_chat_refuses_bad_bodies(shared_client, body):
    status, error = await post_json(shared_client, "/api/chat", body)
    assert status == 400 and error["error"]


async def test_chat_page_is_served(bot_client):
    response = await bot_client.get("/")
    assert response.status == 200
    page = await response.text()
    assert '<html lang="da">' in page and "/static/chat.js" in page
    script = await bot_client.get("/static/chat.js")
    assert script.status == 200 and "/api/chat" in await script.text()


# --- health ----------------------------------------------------------------------------


async def test_healthz_and_readyz(bot_client):
    assert await (await bot_client.get("/healthz")).json() == {"status": "ok"}
    ready = await bot_client.get("/readyz")
    assert ready.status == 200
    assert await ready.json() == {"ready": True, "model": True, "store": True, "catalog": True}


async def test_not_ready_when_the_model_cannot_load(aiohttp_client, bot_settings, caplog):
    from bot.app import create_app

    settings = bot_settings.with_(embedding_model=str(bot_settings.data_dir / "no-such-model"))
    client = await aiohttp_client(create_app(settings))
    assert (await client.get("/healthz")).status == 200
    for _ in range(600):  # loading fails within seconds; until then it says "loading"
        response = await client.get("/readyz")
        body = await response.json()
        if body.get("error") != "loading the model and the index":
            break
        await asyncio.sleep(0.05)
    assert response.status == 503 and response.headers["Retry-After"] == "5"
    assert body["ready"] is False and body["model"] is False and body["catalog"] is True
    # the reason in words; the model's path only in the log
    assert "failed to load" in body["error"] and "no-such-model" not in body["error"]
    ask = await client.get("/api/ask", params={"q": TELEFON_QUESTION})
    assert ask.status == 503
    error = (await ask.json())["error"]
    assert "failed to load" in error and "no-such-model" not in error
    assert "no-such-model" in caplog.text
