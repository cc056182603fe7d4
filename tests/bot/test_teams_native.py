"""What Teams gets, activity by activity, through the running app (create_app) and the
fake connector: the typing indicator, the personal chat's stream (informative update,
then the answer as the stream's final message), the channel's answer without either
(and its "Et øjeblik" when slow), the answer's citations, AI label and feedback loop,
source links, and Teams' feedback coming back as the `message/submitAction` invoke."""
from __future__ import annotations

import json
import logging

import pytest

from bot.app_keys import bot_key, feedback_key
from bot.feedback import MAX_COMMENT_CHARS
from fake_teams import BOT_ID, TELEFON_QUESTION, TELEFON_SOURCE, actions, activity_json, texts
from retrieval.phrasebook import say

ANSWER_ID = "act-question"
CHANNEL = "19:general@thread.tacv2"


async def post(client, body: dict):
    return await client.post("/api/messages", data=json.dumps(body),
                             headers={"Content-Type": "application/json"})


def question(connector, *, channel: bool = False, activity_id: str = ANSWER_ID) -> dict:
    body = activity_json(TELEFON_QUESTION, service_url=connector.url, activity_id=activity_id)
    if channel:
        body["conversation"] = {"id": f"{CHANNEL};messageid=1700000000000",
                                "conversationType": "channel", "tenantId": "tenant-1"}
    return body


def shape(sent: dict) -> tuple:
    """An activity in brief: its type, text, and streaminfo (without the stream's id)."""
    stream = [{k: v for k, v in e.items() if k != "streamId"}
              for e in sent.get("entities") or [] if e["type"] == "streaminfo"]
    return sent["type"], sent.get("text", "")[:30], stream


def stream_id(sent: dict) -> str:
    [end] = [e for e in sent["entities"] if e["type"] == "streaminfo"]
    return end["streamId"]


def answer_id(connector) -> str:
    """The id Teams gave the answer, which its feedback names: the stream's where the
    answer ended one, else the reply's (the fake connector numbers replies by arrival)."""
    final = connector.received[-1]
    if any(e["type"] == "streaminfo" for e in final.get("entities") or []):
        return stream_id(final)
    return f"reply-{connector.activities.index(final) + 1}"


def root_entity(sent: dict) -> dict:
    [entity] = [e for e in sent["entities"] if e["type"] == "https://schema.org/Message"]
    return entity


def assert_native_answer(sent: dict) -> None:
    """The answer as Teams shows it natively: text with the marker, the AI label and the
    citation, the card for the rest, the feedback loop."""
    assert "telefontid" in sent["text"] and sent["text"].endswith("[1]")
    entity = root_entity(sent)
    assert entity["additionalType"] == ["AIGeneratedContent"]
    [claim] = entity["citation"]
    assert claim["position"] == 1
    assert claim["appearance"]["name"] == "Chefforum 24.04.2024 · punkt 7: Rådhusets telefontider"
    assert "Rådhusets telefontider" in json.loads(claim["appearance"]["text"])["body"][1]["text"]
    assert sent["channelData"] == {"feedbackLoop": {"type": "default"}}
    [attachment] = sent["attachments"]
    card = attachment["content"]
    assert TELEFON_SOURCE in texts(card) and "Vis hele punktet" in texts(card)
    assert "👍 Brugbart" not in texts(card)  # Teams' own buttons instead


# --- personal chat -------------------------------------------------------------------------


async def test_a_quick_answer_is_typing_then_the_answer(start_app, connector):
    client = await start_app()  # no stream: the answer is ready before one would open
    assert (await post(client, question(connector))).status == 201
    typing, answer = connector.activities
    assert typing["type"] == "typing" and set(typing) - {"_path", "_authorization"} >= {"type"}
    assert "text" not in typing and "entities" not in typing
    assert answer["type"] == "message" and answer["replyToId"] == ANSWER_ID
    assert_native_answer(answer)
    assert not [e for e in answer["entities"] if e["type"] == "streaminfo"]


async def test_in_a_personal_chat_the_answer_ends_a_stream(start_app, connector):
    client = await start_app(stream_after=0)
    assert (await post(client, question(connector))).status == 201
    assert [shape(a) for a in connector.activities] == [
        ("typing", "", []),
        ("typing", "Jeg leder i referaterne …",
         [{"type": "streaminfo", "streamType": "informative", "streamSequence": 1}]),
        ("message", connector.activities[2]["text"][:30],
         [{"type": "streaminfo", "streamType": "final"}]),
    ]
    typing, informative, final = connector.activities
    # the stream's id is the one Teams gave the informative update (201 {"id": ...})
    [end] = [e for e in final["entities"] if e["type"] == "streaminfo"]
    assert end == {"type": "streaminfo", "streamId": "stream-2", "streamType": "final"}
    assert_native_answer(final)
    assert informative["_path"].endswith(f"/activities/{ANSWER_ID}")


async def test_a_slow_answer_in_a_personal_chat_ends_its_stream_later(start_app, connector):
    """Past ack_after the turn ends (Teams waits 15 s) and the answer ends the stream
    proactively: no "Et øjeblik", the progress bar says it instead."""
    client = await start_app(stream_after=0, ack_after=0)
    assert (await post(client, question(connector))).status == 201
    await connector.wait_for(1)
    kinds = [shape(a)[:1] + (bool(shape(a)[2]),) for a in connector.activities]
    assert kinds == [("typing", False), ("typing", True), ("message", True)]
    final = connector.activities[2]
    assert stream_id(final) == "stream-2"
    assert final["text"] != say("wait")
    assert_native_answer(final)
    await client.app[bot_key].drain()  # the late answer is remembered once it is out
    await post(client, submit_action(connector, "stream-2", feedback_value("like")))
    [vote] = client.app[feedback_key].votes()
    assert vote.question == TELEFON_QUESTION and vote.punkter[0] == ("2024-04-24", 7)


async def test_where_teams_refuses_a_stream_the_answer_comes_as_a_plain_message(start_app,
                                                                                 connector):
    connector.refuse_streams = True  # 403 ContentStreamNotAllowed
    client = await start_app(stream_after=0)
    assert (await post(client, question(connector))).status == 201
    typing, answer = connector.activities
    assert typing["type"] == "typing" and "entities" not in typing
    assert not [e for e in answer["entities"] if e["type"] == "streaminfo"]
    assert_native_answer(answer)


async def test_commands_get_no_typing_and_no_ai_label(start_app, connector):
    client = await start_app(stream_after=0)
    await post(client, activity_json("møde 24-04-2024", service_url=connector.url))
    [meeting] = connector.activities
    assert meeting["type"] == "message" and "entities" not in meeting
    assert "channelData" not in meeting


# --- channels and group chats --------------------------------------------------------------


async def test_in_a_channel_there_is_no_stream_and_no_typing(start_app, connector):
    """Teams shows no bot typing in a channel, and the Agents Playground drops the reply
    after one there."""
    client = await start_app(stream_after=0)
    assert (await post(client, question(connector, channel=True))).status == 201
    [answer] = connector.activities
    assert answer["conversation"]["id"].startswith(CHANNEL)
    assert not [e for e in answer["entities"] if e["type"] == "streaminfo"]
    assert_native_answer(answer)


async def test_a_slow_answer_in_a_channel_says_wait_then_comes_later(start_app, connector):
    client = await start_app(stream_after=0, ack_after=0)
    assert (await post(client, question(connector, channel=True))).status == 201
    await connector.wait_for(2)
    assert [shape(a)[:2] for a in connector.activities] == [
        ("message", say("wait")[:30]), ("message", connector.activities[1]["text"][:30])]
    assert_native_answer(connector.activities[1])


# --- source links ----------------------------------------------------------------------------


async def test_a_source_url_links_the_citation_the_card_and_the_punkt(start_app, connector):
    client = await start_app(source_url="https://intranet.albertslund.dk/cf/{date}#punkt-{punkt}")
    link = "https://intranet.albertslund.dk/cf/2024-04-24#punkt-7"
    await post(client, question(connector))
    [answer] = connector.received
    assert root_entity(answer)["citation"][0]["appearance"]["url"] == link
    card = answer["attachments"][0]["content"]
    assert {"type": "Action.OpenUrl", "title": "Åbn referatet", "url": link} in \
        card["body"][1]["items"][-1]["actions"]
    await post(client, activity_json(None, service_url=connector.url, activity_id="click",
                                     value={"command": "punkt", "date": "2024-04-24", "punkt": 7}))
    punkt = connector.received[1]["attachments"][0]["content"]
    assert {"type": "Action.OpenUrl", "title": "Åbn referatet", "url": link} in actions(punkt)


async def test_without_a_source_url_nothing_links_anywhere(bot_client, connector):
    await post(bot_client, question(connector))
    [answer] = connector.received
    assert "url" not in root_entity(answer)["citation"][0]["appearance"]
    assert "Action.OpenUrl" not in json.dumps(answer)


# --- Teams' feedback -------------------------------------------------------------------------


def submit_action(connector, reply_to: str, value, *, activity_id: str = "feedback-1",
                  conversation_id: str = "a:personal-chat-1") -> dict:
    body = activity_json(service_url=connector.url, activity_id=activity_id, type="invoke",
                         name="message/submitAction", replyToId=reply_to,
                         conversation_id=conversation_id)
    if value is not None:
        body["value"] = value
    return body


def feedback_value(reaction: str, text: str | None = None) -> dict:
    action = {"reaction": reaction}
    if text is not None:
        action["feedback"] = json.dumps({"feedbackText": text})
    return {"actionName": "feedback", "actionValue": action}


async def test_teams_feedback_is_stored_with_the_question_and_the_punkter(start_app, connector):
    client = await start_app(stream_after=0)
    await post(client, question(connector))
    await connector.wait_for(1)  # on a busy machine the answer may come after the turn
    stream = answer_id(connector)
    response = await post(client, submit_action(connector, stream,
                                                feedback_value("dislike", "Mangler datoen")))
    assert response.status == 200 and await response.text() == "{}"  # Teams: 200, empty
    [vote] = client.app[feedback_key].votes()
    assert (vote.question, vote.vote, vote.comment) == (TELEFON_QUESTION, "down", "Mangler datoen")
    assert vote.punkter[0] == ("2024-04-24", 7) and vote.activity_id == stream
    assert len(connector.activities) == 3  # the invoke itself sends nothing


async def test_feedback_in_a_channel_thread_finds_its_answer(start_app, connector):
    client = await start_app()
    await post(client, question(connector, channel=True))
    [answer] = connector.received
    reply_id = f"reply-{len(connector.activities)}"  # what the connector named it
    body = submit_action(connector, reply_id, feedback_value("like"),
                         conversation_id=f"{CHANNEL};messageid={reply_id}")
    assert (await post(client, body)).status == 200
    [vote] = client.app[feedback_key].votes()
    assert (vote.question, vote.vote, vote.comment) == (TELEFON_QUESTION, "up", "")


async def test_feedback_on_an_answer_no_longer_remembered_still_counts(bot_client, connector):
    response = await post(bot_client, submit_action(connector, "1700000000000",
                                                    feedback_value("like", "fint")))
    assert response.status == 200
    [vote] = bot_client.app[feedback_key].votes()
    assert (vote.question, vote.punkter, vote.vote, vote.comment) == ("", (), "up", "fint")


@pytest.mark.parametrize("value, reply_to", [
    ({"actionName": "feedback", "actionValue": {"reaction": "meh"}}, "reply-1"),
    ({"actionName": "somethingElse", "actionValue": {"reaction": "like"}}, "reply-1"),
    ({"actionName": "feedback"}, "reply-1"),
    ("like", "reply-1"),
    (None, "reply-1"),
    ({"actionName": "feedback"}, None),
])
async def test_a_submit_action_that_is_no_feedback_is_a_400(shared_client, connector, value, reply_to):
    body = submit_action(connector, reply_to, value)
    if reply_to is None:
        body.pop("replyToId")
    assert (await post(shared_client, body)).status == 400
    assert shared_client.app[feedback_key].votes() == []


async def test_feedback_tied_to_no_answer_is_stored_without_its_question(bot_client, connector):
    """As the Microsoft 365 Agents Playground sends it: no replyToId, and the comment as
    plain text."""
    value = {"actionName": "feedback",
             "actionValue": {"reaction": "dislike", "feedback": "Svaret manglede budgettet"}}
    body = submit_action(connector, None, value)
    body.pop("replyToId")
    response = await post(bot_client, body)
    assert response.status == 200 and await response.text() == "{}"
    [vote] = bot_client.app[feedback_key].votes()
    assert (vote.question, vote.punkter, vote.vote, vote.comment, vote.activity_id) == (
        "", (), "down", "Svaret manglede budgettet", "")


async def test_the_same_feedback_activity_sent_again_is_one_vote(bot_client, connector):
    body = submit_action(connector, "reply-1", feedback_value("dislike", "forkert"))
    for _ in range(30):
        assert (await post(bot_client, body)).status == 200
    # another user's feedback on the same answer is another vote
    other = submit_action(connector, "reply-1", feedback_value("like"), activity_id="feedback-2")
    assert (await post(bot_client, other)).status == 200
    assert [v.vote for v in bot_client.app[feedback_key].votes()] == ["down", "up"]


async def test_feedback_text_holding_json_nested_deep_is_kept_as_text(bot_client, connector,
                                                                      caplog):
    nested = "[" * 3000 + "]" * 3000
    value = {"actionName": "feedback", "actionValue": {"reaction": "dislike", "feedback": nested}}
    response = await post(bot_client, submit_action(connector, "reply-1", value))
    assert response.status == 200 and await response.text() == "{}"
    [vote] = bot_client.app[feedback_key].votes()
    assert vote.comment == nested[:MAX_COMMENT_CHARS]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert connector.requests == 0  # no "sorry" posted


async def test_no_user_id_is_stored_anywhere(start_app, connector):
    client = await start_app(stream_after=0)
    await post(client, question(connector))
    await connector.wait_for(1)  # on a busy machine the answer may come after the turn
    await post(client, submit_action(connector, answer_id(connector),
                                     feedback_value("like", "godt")))
    db = client.app[feedback_key].db
    with db.transaction():
        rows = [dict(r) for table in ("feedback", "sent_answers")
                for r in db.execute(f"SELECT * FROM {table}").fetchall()]
    assert rows and len(rows) >= 2
    stored = json.dumps(rows, ensure_ascii=False)
    for identifying in ("29:user-marie", "aad-marie", "Marie", "a:personal-chat-1", "tenant-1",
                        BOT_ID):
        assert identifying not in stored
