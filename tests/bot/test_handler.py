"""The conversation, driven through botbuilder's TestAdapter against the real catalog and
index of the sample referater: every command, every button, every error path. The tests
marked both_catalogs run with the SQLite and with the PostgreSQL catalog."""
from __future__ import annotations

import datetime as dt

import pytest
from botbuilder.schema import Activity, ChannelAccount

from bot.conversation import Conversation
from bot.engine import Engine
from bot.feedback import Feedback
from bot.jobs.subscriptions import Subscriptions
from bot.teams.handler import ReferatBot
from retrieval.phrasebook import say
from fake_teams import (BOT_ID, BOT_NAME, SERVICE_URL, TELEFON_QUESTION, TELEFON_SOURCE, Chat,
                        actions, as_json, card_of, execute_button, texts)

TELEFON_PUNKT = {"command": "punkt", "date": "2024-04-24", "punkt": 7, "forum": "Chefforum"}


def only(replies: list[Activity]) -> Activity:
    assert len(replies) == 1, [r.text or r.attachments for r in replies]
    return replies[0]


# --- questions -------------------------------------------------------------------------


async def test_question_gets_the_decision_with_its_source(chat):
    reply = only(await chat.send(TELEFON_QUESTION))
    # the answer is the message's text, its source's marker after it
    assert "telefontid" in reply.text and reply.text.endswith(" [1]")
    card = card_of(reply)
    shown = texts(card)
    assert shown[:3] == ["Kilder", "[1]", TELEFON_SOURCE]
    buttons = actions(card)
    assert execute_button("Vis hele punktet", TELEFON_PUNKT) in buttons
    # Teams shows its own 👍/👎 on the message (the feedback loop), so the card has none
    assert not [b for b in buttons if b["data"]["command"] == "feedback"]
    assert reply.channel_data == {"feedbackLoop": {"type": "default"}}
    [entity] = as_json(reply)["entities"]
    assert entity["additionalType"] == ["AIGeneratedContent"]
    assert [c["position"] for c in entity["citation"]] == [1]


async def test_mention_is_stripped_in_a_channel(referatbot):
    chat = Chat(referatbot, conversation_id="19:general@thread.tacv2;messageid=1700000000000",
                conversation_type="channel")
    card = card_of(only(await chat.mention(TELEFON_QUESTION)))
    assert TELEFON_SOURCE in texts(card)
    meeting = card_of(only(await chat.mention("møde 24-04-2024")))
    assert texts(meeting)[0] == "Chefforum 24.04.2024"


async def test_mention_alone_is_an_empty_message(referatbot):
    chat = Chat(referatbot, conversation_type="groupChat")
    assert only(await chat.mention("")).text == say("empty_chat")


@pytest.mark.parametrize("text", ["", "   ", "\n"])
async def test_empty_message_gets_a_hint(chat, text):
    assert only(await chat.send(text)).text == say("empty_chat")


#: What Teams (the Agents Playground) puts in a message's text for a card inserted from
#: the compose box; the card comes as an attachment.
COMPOSE_CARD = ('\n<span class="inline-compose-card" itemid="0" '
                'itemtype="http://schema.skype.com/InputExtension">\n'
                '  <span content="0" itemprop="cardId"></span>\n</span>\n')


async def test_a_card_from_the_compose_box_sent_alone_is_an_empty_message(chat, referatbot):
    shared = {"contentType": "application/vnd.microsoft.card.adaptive",
              "content": {"type": "AdaptiveCard", "version": "1.5", "body": []}}
    assert only(await chat.send(COMPOSE_CARD, attachments=[shared])).text == say("empty_chat")
    group = Chat(referatbot, conversation_type="groupChat")
    assert only(await group.mention(COMPOSE_CARD)).text == say("empty_chat")


async def test_words_beside_a_card_from_the_compose_box_are_the_question(chat):
    reply = only(await chat.send(f"{TELEFON_QUESTION}{COMPOSE_CARD}"))
    assert TELEFON_SOURCE in texts(card_of(reply))


async def test_question_about_nothing_in_the_minutes_says_so(chat):
    reply = only(await chat.send("hvad besluttede CF om xyzzyplugh quuxfrobnitz?"))
    assert reply.text  # why, in words
    card = card_of(reply)
    assert texts(card)[0] == "Intet svar i referaterne"
    assert not [b for b in actions(card) if b["data"].get("command") == "feedback"]
    # labelled as the answerer's, but nothing cited and nothing to rate
    [entity] = as_json(reply)["entities"]
    assert entity["additionalType"] == ["AIGeneratedContent"] and "citation" not in entity
    assert reply.channel_data is None


async def test_seneste_followed_by_words_is_a_question(chat):
    reply = only(await chat.send("seneste nyt om sygefravær"))
    assert "[1]" in reply.text and texts(card_of(reply))[0] == "Kilder"
    assert any("sygefravær" in t.lower() for t in texts(card_of(reply)))


async def test_a_question_before_the_engine_is_ready_gets_a_wait_note(bot_settings, bot_catalog,
                                                                    subscriptions, feedback):
    not_loaded = Engine(bot_settings, bot_catalog)
    chat = Chat(ReferatBot(Conversation(not_loaded, bot_catalog, subscriptions, feedback)))
    assert only(await chat.send(TELEFON_QUESTION)).text == say("loading")
    # commands that only read the catalog work meanwhile
    assert texts(card_of(only(await chat.send("møde 24-04-2024"))))[0] == "Chefforum 24.04.2024"


async def test_slow_answer_is_acknowledged_then_sent_proactively(engine, bot_catalog,
                                                                subscriptions, feedback):
    """In a group chat (no stream): typing, "Et øjeblik", and the answer later."""
    bot = ReferatBot(Conversation(engine, bot_catalog, subscriptions, feedback), ack_after=0)
    chat = Chat(bot, conversation_type="groupChat")
    first = only(await chat.send(TELEFON_QUESTION))
    assert first.text == say("wait")
    await bot.drain(timeout=30)
    later = chat.later()
    assert len(later) == 2
    assert later[1].conversation.id == "a:personal-chat-1"
    assert TELEFON_SOURCE in texts(card_of(later[1]))
    assert [a.type for a in chat.adapter.activity_buffer] == ["typing", "message", "message"]


async def test_a_failure_with_a_stream_open_ends_the_stream_with_a_sorry(engine, bot_catalog,
                                                                        subscriptions, feedback):
    bot = ReferatBot(Conversation(engine, bot_catalog, subscriptions, feedback), stream_after=0)
    chat = Chat(bot)
    bot_catalog.close()  # the answer is found, then its punkter cannot be read
    [reply] = await chat.send(TELEFON_QUESTION)
    assert reply.text == say("sorry")
    informative = chat.adapter.activity_buffer[1]
    assert informative.type == "typing" and informative.text == say("looking")
    [end] = as_json(reply)["entities"]
    assert end["type"] == "streaminfo" and end["streamType"] == "final" and end["streamId"]


# --- commands --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["hjælp", "/hjælp", "help", "/help", "HJÆLP"])
async def test_help(chat, text):
    card = card_of(only(await chat.send(text)))
    shown = texts(card)
    assert shown[0] == "Sådan bruger du mig"
    assert any(t.startswith("møde [FORUM] DATO") for t in shown)
    assert {"command": "spørg", "text": TELEFON_QUESTION} in [b["data"] for b in actions(card)]


@pytest.mark.parametrize("text", ["møde 24-04-2024", "/møde 24.04.2024", "meeting 2024-04-24",
                                  "/meeting 24. april 2024", "Møde 24-04-2024"])
async def test_meeting_lists_punkter_with_decisions(chat, text):
    card = card_of(only(await chat.send(text)))
    shown = texts(card)
    assert shown[0] == "Chefforum 24.04.2024"
    assert "Punkt 7: Rådhusets telefontider" in shown
    assert sum(t.startswith("Punkt ") for t in shown) == 10
    telefon = shown[shown.index("Punkt 7: Rådhusets telefontider") + 1]
    assert telefon.startswith("**Beslutning:** ")
    assert "Chefforum besluttede, at Økonomiudvalgets beslutning fra april 2017" in telefon
    selects = [c["selectAction"]["data"] for c in card["body"] if "selectAction" in c]
    assert TELEFON_PUNKT in selects


@pytest.mark.both_catalogs
async def test_meeting_with_a_closed_punkt_shows_only_that_it_is_closed(chat, bot_catalog):
    meeting = bot_catalog.meeting(dt.date(2019, 3, 14))
    closed = [p.number for p in meeting.punkter if p.closed]
    assert closed == [5]
    card = card_of(only(await chat.send("møde 14-03-2019")))
    assert "Punkt 5: Lukket punkt" in texts(card)
    assert 5 not in [c["selectAction"]["data"]["punkt"] for c in card["body"] if "selectAction" in c]


@pytest.mark.parametrize("text", ["seneste", "/seneste", "latest", "seneste møde", "Seneste referat"])
async def test_latest_is_the_newest_meeting(chat, text):
    card = card_of(only(await chat.send(text)))
    assert texts(card)[0] == "Chefforum 24.04.2024"


@pytest.mark.parametrize("text", ["punkt 24-04-2024 7", "/punkt 24.04.2024 7", "item 2024-04-24 7",
                                  "punkt 7 24-04-2024"])
async def test_punkt_in_full(chat, text):
    card = card_of(only(await chat.send(text)))
    shown = texts(card)
    assert shown[:3] == ["Chefforum 24.04.2024 · punkt 7", "Rådhusets telefontider",
                         "Sag 83.02.00-A00-1-23"]
    assert "Beslutning" in shown
    decision = shown[shown.index("Beslutning") + 1]
    assert "Chefforum besluttede, at Økonomiudvalgets beslutning fra april 2017" in decision
    assert {"command": "møde", "date": "2024-04-24", "forum": "Chefforum"} in [b["data"] for b in actions(card)]


async def test_closed_punkt_is_not_shown(chat):
    card = card_of(only(await chat.send("punkt 14-03-2019 5")))
    assert texts(card)[:3] == ["Chefforum 14.03.2019 · punkt 5", "Lukket",
                               "Punktet er lukket og vises ikke."]


# --- commands that cannot be done ------------------------------------------------------


async def test_meeting_on_a_day_without_one_offers_the_nearest(chat):
    card = card_of(only(await chat.send("møde 01-01-2020")))
    assert texts(card)[:2] == ["Der er intet referat fra et møde d. 01.01.2020.",
                               "De nærmeste møder er:"]
    assert [b["data"] for b in actions(card)] == [
        {"command": "møde", "date": "2019-01-17"}, {"command": "møde", "date": "2019-03-14"},
        {"command": "møde", "date": "2021-09-02"}]


@pytest.mark.parametrize("text, problem", [
    ("møde 31-02-2024", "Jeg kan ikke læse '31-02-2024' som en dato."),
    ("møde 2024", "Jeg kan ikke læse '2024' som en dato."),
    ("møde", "Skriv hvilken dato"),
    ("punkt 24-04-2024", "Skriv dato og nummer"),
    ("punkt", "Skriv dato og nummer"),
    ("punkt 32-13-2024 7", "Jeg kan ikke læse '32-13-2024' som en dato."),
])
async def test_a_broken_command_explains_itself(chat, text, problem):
    reply = only(await chat.send(text))
    assert reply.text.startswith(problem)


async def test_punkt_that_does_not_exist(chat):
    card = card_of(only(await chat.send("punkt 24-04-2024 42")))
    assert texts(card)[0] == "Mødet d. 24.04.2024 har ikke noget punkt 42. Det har punkterne 1–10."


async def test_punkt_on_a_day_without_a_meeting(chat):
    card = card_of(only(await chat.send("punkt 25-04-2024 7")))
    assert texts(card)[0] == "Der er intet referat fra et møde d. 25.04.2024."


async def test_an_unexpected_error_gets_an_apology_not_silence(chat, bot_catalog):
    bot_catalog.close()  # the database goes away under the bot
    assert only(await chat.send("møde 24-04-2024")).text == say("sorry")


# --- buttons ---------------------------------------------------------------------------


async def test_vis_hele_punktet_button(chat):
    card = card_of(only(await chat.click(TELEFON_PUNKT)))
    assert texts(card)[1] == "Rådhusets telefontider"


async def test_meeting_button_and_example_button(chat):
    assert texts(card_of(only(await chat.click({"command": "møde", "date": "2019-01-17"}))))[0] \
        == "Chefforum 17.01.2019"
    assert texts(card_of(only(await chat.click({"command": "spørg", "text": "seneste"}))))[0] \
        == "Chefforum 24.04.2024"


@pytest.mark.parametrize("data", [
    {"command": "punkt", "date": "i går", "punkt": 7},
    {"command": "punkt", "date": "2024-04-24"},
    {"command": "punkt", "date": "2024-04-24", "punkt": "syv"},
    {"command": "møde", "date": None},
    {"command": "self-destruct"},
])
async def test_a_button_that_makes_no_sense_is_answered(chat, data):
    assert only(await chat.click(data)).text.startswith("Den knap forstod jeg ikke")


@pytest.mark.both_catalogs
async def test_a_vote_button_on_an_older_card_is_still_stored(chat, feedback):
    """Cards sent before Teams' feedback loop carry 👍/👎 buttons; a click still counts."""
    down = {"command": "feedback", "vote": "down", "question": TELEFON_QUESTION,
            "punkter": [{"date": "2024-04-24", "punkt": 7}]}
    reply = only(await chat.click(down))
    assert reply.text.startswith("Tak for din feedback")
    [vote] = feedback.votes()
    assert (vote.question, vote.vote) == (TELEFON_QUESTION, "down")
    assert vote.punkter[0] == ("2024-04-24", 7)
    assert abs(vote.created_at - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=1)


@pytest.mark.both_catalogs
@pytest.mark.parametrize("data", [
    {"command": "feedback", "vote": "sideways", "question": "q", "punkter": []},
    {"command": "feedback", "vote": "up", "punkter": []},
    {"command": "feedback", "vote": "up", "question": "q", "punkter": [{"date": "x", "punkt": 1}]},
])
async def test_unreadable_feedback_is_not_stored(chat, feedback, data):
    assert only(await chat.click(data)).text == "Den feedback kunne jeg ikke læse."
    assert feedback.votes() == []


# --- subscriptions ---------------------------------------------------------------------


@pytest.mark.both_catalogs
async def test_subscribe_stores_what_the_digest_needs(chat, subscriptions, bot_catalog):
    reply = only(await chat.send("abonner"))
    assert reply.text.startswith("Så er det på plads")
    assert "på hverdage kl. 08:00" in reply.text
    sub = subscriptions.get("a:personal-chat-1")
    assert sub.active and sub.tenant_id == "tenant-1" and sub.service_url == SERVICE_URL
    assert sub.subscribed_by == "Marie Jensen"
    assert sub.watermark == bot_catalog.max_seq()
    assert sub.reference["conversation"]["id"] == "a:personal-chat-1"
    assert sub.reference["bot"]["id"] == BOT_ID
    assert sub.reference["serviceUrl"] == SERVICE_URL
    assert sub.reference["channelId"] == "msteams"


@pytest.mark.both_catalogs
async def test_subscribe_twice_is_one_subscription(chat, subscriptions):
    await chat.send("abonner")
    again = only(await chat.send("/subscribe"))
    assert again.text.startswith("Denne samtale får allerede")
    assert [s.conversation_id for s in subscriptions.active()] == ["a:personal-chat-1"]


@pytest.mark.both_catalogs
async def test_unsubscribe(chat, subscriptions):
    assert only(await chat.send("afmeld")).text.startswith("Denne samtale får ikke")
    await chat.send("abonner")
    assert only(await chat.send("unsubscribe")).text.startswith("Det daglige overblik er stoppet")
    assert subscriptions.active() == []
    assert only(await chat.send("abonner")).text.startswith("Så er det på plads")


@pytest.mark.both_catalogs
async def test_subscribing_in_a_channel_thread_subscribes_the_channel(referatbot, subscriptions):
    chat = Chat(referatbot, conversation_id="19:general@thread.tacv2;messageid=1700000000000",
                conversation_type="channel")
    await chat.mention("abonner")
    [sub] = subscriptions.active()
    assert sub.conversation_id == "19:general@thread.tacv2"
    assert sub.reference["conversation"]["id"] == "19:general@thread.tacv2"
    assert only(await chat.mention("afmeld")).text.startswith("Det daglige overblik er stoppet")


# --- installation ----------------------------------------------------------------------


@pytest.mark.parametrize("conversation_type", ["groupChat", "channel"])
async def test_greeting_when_the_bot_is_added(referatbot, conversation_type):
    chat = Chat(referatbot, conversation_id="19:chat@thread.v2",
                conversation_type=conversation_type)
    replies = await chat.send(type="conversationUpdate",
                              members_added=[ChannelAccount(id=BOT_ID, name=BOT_NAME)])
    card = card_of(only(replies))
    assert texts(card)[0] == "Hej! Jeg er referatbotten"


async def test_no_greeting_in_a_personal_chat_where_teams_shows_the_prompt_starters(chat):
    replies = await chat.send(type="conversationUpdate",
                              members_added=[ChannelAccount(id=BOT_ID, name=BOT_NAME)])
    assert replies == []


async def test_no_greeting_when_someone_else_joins(chat):
    replies = await chat.send(type="conversationUpdate",
                              members_added=[ChannelAccount(id="29:new-colleague", name="Ny")])
    assert replies == []


async def test_before_any_referat_is_ingested(settings, catalog):
    """A fresh install: the commands say there is nothing yet instead of failing."""
    bot = ReferatBot(Conversation(Engine(settings, catalog), catalog, Subscriptions.over(catalog),
                                  Feedback(catalog.db)))
    chat = Chat(bot)
    assert only(await chat.send("seneste")).text == "Der er endnu ingen referater."
    card = card_of(only(await chat.send("møde 24-04-2024")))
    assert texts(card) == ["Der er intet referat fra et møde d. 24.04.2024.",
                           "Der er endnu ingen referater."]
