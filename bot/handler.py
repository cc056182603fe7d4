"""The Teams activity handler: one message in, one retrieval or catalog call, one reply out.

Strips the @mention, dispatches on the exact first word (`bot.commands`), answers
questions through the shared `Engine`, and renders replies with `bot.cards`. The local
chat page runs this same class (through `bot.adapter.BotEndpoint.chat`).

Teams waits 15 s for the HTTP reply to an activity. A question that takes longer than
`ack_after` seconds gets a short "Et øjeblik …" at once, and its answer is sent later as a
proactive message (`continue_conversation`).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
import re

from botbuilder.core import CardFactory, InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import Activity, ConversationReference

from bot import cards
from bot.commands import (EMPTY, HELP, ITEM, LATEST, MEETING, QUESTION, SUBSCRIBE, UNSUBSCRIBE,
                          Command, parse_command)
from bot.engine import UNAVAILABLE, Engine
from bot.feedback import VOTES, Feedback
from bot.subscriptions import Subscriptions
from ingest.catalog import Catalog
from ingest.dates import danish_long
from retrieval.model import Answer
from retrieval.store import StoreUnavailable

log = logging.getLogger(__name__)

#: The channel id of the local chat page; it has no Teams conversation to subscribe.
LOCAL_CHANNEL = "referatbot-lokal"
#: Seconds before a slow answer is acknowledged and then sent proactively (Teams: 15 s).
ACK_AFTER = 10.0
#: Longest question answered; longer text is cut (a pasted document is not a question).
MAX_QUESTION_CHARS = 1000

WAIT = "Et øjeblik – jeg leder i referaterne …"
LOADING = ("Jeg er ved at gøre referaterne klar og kan ikke svare på spørgsmål lige nu. "
           "Prøv igen om et øjeblik. Imens virker møde, seneste og punkt.")
EMPTY_REPLY = ("Skriv et spørgsmål, fx: hvad besluttede CF om telefontider? "
               "Skriv hjælp for at se, hvad jeg ellers kan.")
SORRY = "Beklager, noget gik galt hos mig. Prøv igen, eller skriv hjælp."
_AT_TAG = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)


class ReferatBot(TeamsActivityHandler):
    def __init__(self, engine: Engine, catalog: Catalog, subscriptions: Subscriptions,
                 feedback: Feedback, *, app_id: str = "", digest_when: str = "hver morgen",
                 ack_after: float = ACK_AFTER):
        self.engine = engine
        self.catalog = catalog
        self.subscriptions = subscriptions
        self.feedback = feedback
        self.app_id = app_id
        self.digest_when = digest_when
        self.ack_after = ack_after
        self._later: set[asyncio.Task] = set()

    # --- activities ----------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        value = turn_context.activity.value
        if isinstance(value, dict) and value.get("command"):
            await self._on_submit(turn_context, value)
            return
        await self._dispatch(turn_context, parse_command(message_text(turn_context.activity)))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """The bot implements no invoke: its cards send Action.Submit (a message activity),
        and it has no message extension, task module or sign-in. Each invoke gets a 400;
        botbuilder would answer 501, and a 500 for `adaptiveCard/action`, whose error
        response it cannot serialise."""
        log.info("refused an invoke activity it does not implement: %r", turn_context.activity.name)
        return InvokeResponse(status=400)

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        """Greets when the bot itself is added to a team, group chat or personal chat.
        (Members joining later are not looked up or greeted.)"""
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        if bot_id and any(m.id == bot_id for m in activity.members_added or []):
            await _send_card(turn_context, cards.help_card(greeting=True))

    # --- commands ------------------------------------------------------------------------

    async def _dispatch(self, turn_context: TurnContext, command: Command) -> None:
        if command.problem:
            await turn_context.send_activity(command.problem)
        elif command.name == EMPTY:
            await turn_context.send_activity(EMPTY_REPLY)
        elif command.name == HELP:
            await _send_card(turn_context, cards.help_card())
        elif command.name == MEETING:
            await self._meeting(turn_context, command.day)
        elif command.name == LATEST:
            meeting = await asyncio.to_thread(self.catalog.latest)
            if meeting is None:
                await turn_context.send_activity("Der er endnu ingen referater.")
            else:
                await _send_card(turn_context, cards.meeting_card(meeting))
        elif command.name == ITEM:
            await self._punkt(turn_context, command.day, command.number)
        elif command.name == SUBSCRIBE:
            await self._subscribe(turn_context)
        elif command.name == UNSUBSCRIBE:
            await self._unsubscribe(turn_context)
        else:
            assert command.name == QUESTION, command
            await self._answer(turn_context, command.text)

    async def _meeting(self, turn_context: TurnContext, day: dt.date) -> None:
        meeting = await asyncio.to_thread(self.catalog.meeting, day)
        if meeting is None:
            nearest = await asyncio.to_thread(self.catalog.nearest_dates, day)
            await _send_card(turn_context, cards.no_meeting_card(day, nearest))
        else:
            await _send_card(turn_context, cards.meeting_card(meeting))

    async def _punkt(self, turn_context: TurnContext, day: dt.date, number: int) -> None:
        meeting = await asyncio.to_thread(self.catalog.meeting, day)
        if meeting is None:
            nearest = await asyncio.to_thread(self.catalog.nearest_dates, day)
            await _send_card(turn_context, cards.no_meeting_card(day, nearest))
            return
        punkt = meeting.punkt(number)
        if punkt is None:
            await _send_card(turn_context, cards.no_punkt_card(meeting, number))
        else:
            await _send_card(turn_context, cards.punkt_card(meeting, punkt))

    async def _subscribe(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if activity.channel_id == LOCAL_CHANNEL:
            await turn_context.send_activity(
                "Det daglige overblik kan kun bestilles i Teams, ikke på den lokale side.")
            return
        reference = conversation_reference(activity).serialize()
        user = activity.from_property
        who = (user.name or user.id or "") if user else ""
        if await asyncio.to_thread(self.subscriptions.subscribe, reference,
                                   tenant_id=tenant_id(activity),
                                   service_url=activity.service_url or "", subscribed_by=who):
            await turn_context.send_activity(
                f"Så er det på plads: her kommer et overblik over nye beslutninger fra "
                f"Chefforum {self.digest_when}, når der er nye referater. Skriv afmeld for at stoppe det.")
        else:
            await turn_context.send_activity(
                "Denne samtale får allerede det daglige overblik. Skriv afmeld for at stoppe det.")

    async def _unsubscribe(self, turn_context: TurnContext) -> None:
        conversation_id = conversation_reference(turn_context.activity).conversation.id
        if await asyncio.to_thread(self.subscriptions.unsubscribe, conversation_id):
            await turn_context.send_activity(
                "Det daglige overblik er stoppet for denne samtale. Skriv abonner for at få det igen.")
        else:
            await turn_context.send_activity(
                "Denne samtale får ikke det daglige overblik, så der er intet at afmelde. "
                "Skriv abonner for at få det.")

    # --- questions -----------------------------------------------------------------------

    async def _answer(self, turn_context: TurnContext, question: str) -> None:
        if not self.engine.ready and not self.engine.store_down:
            await turn_context.send_activity(LOADING)
            return
        job = asyncio.ensure_future(self.engine.ask(question[:MAX_QUESTION_CHARS]))
        if turn_context.activity.channel_id != LOCAL_CHANNEL:
            done, _ = await asyncio.wait({job}, timeout=self.ack_after)
            if not done:
                await turn_context.send_activity(WAIT)
                self._answer_later(turn_context, job)
                return
        try:
            answer = await job
        except StoreUnavailable as e:
            log.warning("a question found the search unavailable: %s", e)
            await turn_context.send_activity(UNAVAILABLE)
            return
        await turn_context.send_activity(answer_activity(answer))

    def _answer_later(self, turn_context: TurnContext, job: asyncio.Future) -> None:
        reference = TurnContext.get_conversation_reference(turn_context.activity)
        task = asyncio.create_task(self._send_later(turn_context.adapter, reference, job))
        self._later.add(task)
        task.add_done_callback(self._later.discard)

    async def _send_later(self, adapter, reference: ConversationReference,
                          job: asyncio.Future) -> None:
        try:
            reply = answer_activity(await job)
        except StoreUnavailable as e:
            log.warning("a slow question found the search unavailable: %s", e)
            reply = MessageFactory.text(UNAVAILABLE)
        except Exception:  # the user still deserves a reply
            log.exception("answering a slow question failed")
            reply = MessageFactory.text(SORRY)

        async def send(context: TurnContext) -> None:
            await context.send_activity(reply)

        try:
            await adapter.continue_conversation(reference, send, self.app_id)
        except Exception:  # the connector refused or is unreachable: nothing left to try
            log.exception("could not deliver a late answer to %s", reference.conversation.id)

    async def drain(self, timeout: float = 15.0) -> None:
        """Wait for late answers still being sent (at shutdown), then give up on them."""
        if not self._later:
            return
        done, pending = await asyncio.wait(set(self._later), timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("%d late answer(s) not delivered at shutdown", len(pending))

    # --- card buttons --------------------------------------------------------------------

    async def _on_submit(self, turn_context: TurnContext, value: dict) -> None:
        command = value.get("command")
        if command == cards.FEEDBACK:
            await self._feedback(turn_context, value)
        elif command == cards.SPOERG and isinstance(value.get("text"), str):
            await self._dispatch(turn_context, parse_command(value["text"]))
        elif command in (cards.PUNKT, cards.MOEDE):
            try:
                day = dt.date.fromisoformat(str(value.get("date")))
                number = int(value["punkt"]) if command == cards.PUNKT else None
            except (KeyError, TypeError, ValueError):
                await turn_context.send_activity("Den knap forstod jeg ikke. Skriv hjælp for at se, hvad jeg kan.")
                return
            if number is None:
                await self._meeting(turn_context, day)
            else:
                await self._punkt(turn_context, day, number)
        else:
            await turn_context.send_activity("Den knap forstod jeg ikke. Skriv hjælp for at se, hvad jeg kan.")

    async def _feedback(self, turn_context: TurnContext, value: dict) -> None:
        vote = value.get("vote")
        question = value.get("question")
        try:
            cited = [(dt.date.fromisoformat(p["date"]).isoformat(), int(p["punkt"]))
                     for p in value.get("punkter") or []][:cards.MAX_FEEDBACK_PUNKTER]
        except (KeyError, TypeError, ValueError):
            cited = None
        if vote not in VOTES or not isinstance(question, str) or cited is None:
            await turn_context.send_activity("Den feedback kunne jeg ikke læse.")
            return
        await asyncio.to_thread(self.feedback.record, question[:cards.MAX_QUESTION_CHARS], cited, vote)
        await turn_context.send_activity(
            "Tak for din feedback! 👍" if vote == "up"
            else "Tak for din feedback. Den hjælper med at gøre svarene bedre.")


# --- helpers ---------------------------------------------------------------------------


def message_text(activity: Activity) -> str:
    """The message without the bot's @mention (channels and group chats put it in)."""
    text = activity.text or ""
    if activity.recipient and activity.entities:
        try:
            text = TurnContext.remove_recipient_mention(activity) or ""
        except (KeyError, TypeError, AttributeError, IndexError):  # a mention without "mentioned"
            log.debug("mention entity not understood: %s", activity.entities)
        text = _AT_TAG.sub(lambda m: "" if _is_bot(m.group(1), activity) else m.group(1), text)
    return " ".join(html.unescape(text).replace("\xa0", " ").split())


def _is_bot(name: str, activity: Activity) -> bool:
    name = name.strip().lower()
    return not name or name in {(activity.recipient.name or "").lower(), (activity.recipient.id or "").lower()}


def conversation_reference(activity: Activity) -> ConversationReference:
    """The reference a proactive message goes to; for a channel thread, the channel
    itself (`;messageid=` dropped), so a digest starts its own thread."""
    reference = TurnContext.get_conversation_reference(activity)
    conversation = reference.conversation
    if conversation and conversation.id and ";messageid=" in conversation.id:
        conversation.id = conversation.id.split(";messageid=")[0]
        reference.activity_id = None
    return reference


def tenant_id(activity: Activity) -> str:
    """Teams sends the tenant in channelData (the schema's `tenantID` misses `tenantId`)."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant") if isinstance(data.get("tenant"), dict) else {}
    return str(tenant.get("id") or getattr(activity.conversation, "tenant_id", None) or "")


def answer_activity(answer: Answer) -> Activity:
    return MessageFactory.attachment(CardFactory.adaptive_card(cards.answer_card(answer)))


async def _send_card(turn_context: TurnContext, card: dict) -> None:
    await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))
