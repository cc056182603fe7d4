"""The Teams activity handler: translates activities into the conversation core's plain
values (`bot.conversation`) and its replies back into activities (`bot.teams.activities`
writes them as JSON). No reply is decided here.

Strips the @mention, turns a card's `value` into an action (`bot.card_actions.parse`), and
builds the `Where` of the conversation (its reference for proactive messages, the tenant
Teams sends in channelData).

A question gets a typing indicator at once, except in a channel: Teams shows a bot's
typing only in personal and group chats (its docs team: MicrosoftDocs/msteams-docs#1451),
and the Agents Playground's client, given one in a channel thread, drops the reply that
follows it. In a personal chat, where Teams streams, an answer not ready within
`stream_after` seconds gets an informative update ("Jeg leder i referaterne …") that opens
a stream, and the answer ends that stream (no stream when `stream_after` is above
`ack_after`). Teams waits 15 s for the HTTP reply to an activity: an answer not ready
within `ack_after` seconds is sent later as a proactive message (`continue_conversation`),
after a short "Et øjeblik …" where there is no stream (channels, group chats, or a stream
Teams refused).

Invokes are dispatched by name (`on_invoke_activity`); any other is a 400.
`message/submitAction` is Teams' feedback loop on an answer to rate: the answer's message
id is given to the core when it is sent (`Conversation.sent`), the 👍/👎 is given back to
it (`Conversation.rate`) and answered 200 with an empty object, as Teams asks.
`adaptiveCard/action`, a card's Action.Execute, is answered with the card that replaces
it; `composeExtension/query`, the compose box's search, with a result list
(`bot.teams.compose`).
"""
from __future__ import annotations

import asyncio
import html
import logging
import re

from botbuilder.core import CardFactory, InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import Activity, ConversationReference, Entity

from bot import card_actions
from bot.conversation import (Conversation, Incoming, Message, Reply, Results, Where,
                              is_question)
from bot.feedback import parse_reaction
from bot.teams import activities, compose
from retrieval.phrasebook import say

log = logging.getLogger(__name__)

#: Seconds before a slow answer is acknowledged and then sent proactively (Teams: 15 s).
ACK_AFTER = 10.0
#: Seconds before an answer in a personal chat gets Teams' progress bar (a faster one
#: needs none, and spares two requests to the connector).
STREAM_AFTER = 1.0
SUBMIT_ACTION = "message/submitAction"
#: Seconds a compose-box search may take; Teams waits 5 s for the response.
COMPOSE_SECONDS = 4.0
CARD_ACTION, COMPOSE_QUERY = "adaptiveCard/action", "composeExtension/query"
_AT_TAG = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
#: Where a message holds a card inserted from the compose box (a search result), Teams
#: puts this placeholder in its text (`<span class="inline-compose-card" itemid="0"
#: itemtype="http://schema.skype.com/InputExtension"><span content="0" itemprop="cardId">
#: </span></span>`); the card itself is an attachment.
_COMPOSE_CARD = re.compile(r'<span\b[^>]*\binline-compose-card\b[^>]*>\s*'
                           r'(?:<span\b[^>]*>\s*</span>\s*)*</span>', re.IGNORECASE)


class ReferatBot(TeamsActivityHandler):
    def __init__(self, conversation: Conversation, *, app_id: str = "",
                 ack_after: float = ACK_AFTER, stream_after: float = STREAM_AFTER):
        self.conversation = conversation
        self.app_id = app_id
        self.ack_after = ack_after
        self.stream_after = stream_after
        self._later: set[asyncio.Task] = set()

    # --- activities ----------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        request = self.conversation.understand(incoming(activity))
        job = asyncio.ensure_future(self.conversation.respond(request, where(activity)))
        if not is_question(request):
            await self._send(turn_context, await job)
            return
        if not is_channel(activity):
            await _send_json(turn_context, activities.typing())
        stream, waited = None, 0.0
        if is_personal(activity) and self.stream_after <= self.ack_after:
            waited = self.stream_after
            if not await _ready(job, self.stream_after):
                stream = await self._open_stream(turn_context)
        if not await _ready(job, self.ack_after - waited):
            if stream is None:
                await turn_context.send_activity(say("wait"))
            self._answer_later(turn_context, job, stream)
            return
        # with a stream open, a failure ends it with a sorry; else the turn's error
        # handler says it
        await self._send(turn_context, await _replies(job, sorry=stream is not None), stream)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """The invokes the bot implements, by name; any other (task modules, sign-in, ...)
        gets a 400, where botbuilder would answer 501 (and a 500 for an
        `adaptiveCard/action` whose error response it cannot serialise)."""
        name = turn_context.activity.name
        handle = {CARD_ACTION: self._on_card_action,
                  COMPOSE_QUERY: self._on_compose_query,
                  SUBMIT_ACTION: self._on_submit_action}.get(name)
        if handle is None:
            log.info("refused an invoke activity it does not implement: %r", name)
            return InvokeResponse(status=400)
        return await handle(turn_context)

    async def _on_card_action(self, turn_context: TurnContext) -> InvokeResponse:
        """An Action.Execute clicked: the reply replaces the card (a card), or Teams shows
        it as a message (a sentence). The button's data reads as an Action.Submit's does."""
        activity = turn_context.activity
        try:
            data = execute_data(activity.value)
        except ValueError as e:
            log.info("refused an adaptiveCard/action: %s", e)
            return InvokeResponse(status=400, body=card_action_error(400, "BadRequest", str(e)))
        action = card_actions.parse(data) if isinstance(data, dict) \
            else card_actions.Unreadable()
        try:
            replies = await self.conversation.handle(action, where(activity))
        except Exception:  # a bug or a failing catalog: the user still gets a sentence
            log.exception("answering a card action failed")
            replies = [Reply(say("sorry"))]
        return InvokeResponse(status=200, body=card_action_response(replies[0]))

    async def _on_compose_query(self, turn_context: TurnContext) -> InvokeResponse:
        """The compose box's search: a page of matching punkter, each a card to insert,
        within Teams' 5 seconds (a slower search is told to try again)."""
        try:
            query = compose.read_query(turn_context.activity.value)
        except ValueError as e:
            log.info("refused a composeExtension/query: %s", e)
            return InvokeResponse(status=400, body={"error": str(e)})
        try:
            results = await asyncio.wait_for(self.conversation.search(
                query.words, skip=query.skip, count=query.count), COMPOSE_SECONDS)
        except asyncio.TimeoutError:
            log.warning("a compose-box search took over %.0f s", COMPOSE_SECONDS)
            results = Results(text=say("unavailable"))
        except Exception:  # a bug or a failing catalog
            log.exception("the compose-box search failed")
            results = Results(text=say("sorry"))
        body = compose.message_body(results.text) if results.text \
            else compose.results_body(list(results.matches))
        return InvokeResponse(status=200, body=body)

    async def _on_submit_action(self, turn_context: TurnContext) -> InvokeResponse:
        """👍/👎 from Teams' feedback loop: stored with the answer's question and punkter
        (without, when no `replyToId` says which answer: the Agents Playground sends
        none); Teams wants 200 and an empty object back (anything else shows as an
        error)."""
        activity = turn_context.activity
        reaction = parse_reaction(activity.value)
        if reaction is None:
            log.info("refused a message/submitAction that is not feedback")
            return InvokeResponse(status=400)
        await self.conversation.rate(reaction, where(activity), activity.reply_to_id or "",
                                     invoke_id=activity.id or "")
        return InvokeResponse(status=200, body={})

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        """Greets when the bot itself is added to a team, group chat or personal chat.
        (Members joining later are not looked up or greeted.)"""
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        if bot_id and any(m is not None and m.id == bot_id for m in activity.members_added or []):
            greeting = self.conversation.greeting(personal=is_personal(activity))
            if greeting is not None:
                await _send_json(turn_context, activities.message(greeting))

    # --- sending --------------------------------------------------------------------------

    async def _send(self, context: TurnContext, replies: list[Reply],
                    stream: str | None = None) -> None:
        """Send the replies; the first ends the stream, if one is open."""
        for reply in replies:
            await self._send_one(context, reply, stream)
            stream = None

    async def _send_one(self, context: TurnContext, reply: Reply, stream: str | None) -> None:
        sent = activities.message(reply)
        ids = [stream] if stream else []
        if stream:
            try:
                ids.append(await _send_json(context, activities.final(sent, stream)))
            except Exception:  # Teams refused the stream's end (expired?): a plain message
                log.warning("could not end the stream %s; sending the answer without it",
                            stream, exc_info=True)
                stream = None
        if not stream:
            ids.append(await _send_json(context, sent))
        try:
            await self.conversation.sent(reply, where(context.activity), ids)
        except Exception:  # the answer is out; only Teams' feedback on it loses its question
            log.exception("could not remember the answer sent as %s", ids)

    async def _open_stream(self, context: TurnContext) -> str | None:
        """Teams' progress bar; the stream's id, or None where Teams does not stream."""
        try:
            return await _send_json(context, activities.informative(say("looking"))) or None
        except Exception:  # refused (not allowed for this user or bot): no stream, then
            log.info("Teams did not open a stream; answering without one", exc_info=True)
            return None

    # --- slow answers --------------------------------------------------------------------

    def _answer_later(self, turn_context: TurnContext, job: asyncio.Future,
                      stream: str | None) -> None:
        reference = TurnContext.get_conversation_reference(turn_context.activity)
        task = asyncio.create_task(self._send_later(turn_context.adapter, reference, job, stream))
        self._later.add(task)
        task.add_done_callback(self._later.discard)

    async def _send_later(self, adapter, reference: ConversationReference,
                          job: asyncio.Future, stream: str | None) -> None:
        replies = await _replies(job, sorry=True)

        async def send(context: TurnContext) -> None:
            await self._send(context, replies, stream)

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


# --- helpers ---------------------------------------------------------------------------


def message_text(activity: Activity) -> str:
    """The message without the bot's @mention (channels and group chats put it in) and
    without the placeholders of cards inserted from the compose box (a card sent alone
    is an empty message, not a question in markup)."""
    text = activity.text or ""
    if activity.recipient and activity.entities:
        try:
            text = TurnContext.remove_recipient_mention(activity) or ""
        except (KeyError, TypeError, AttributeError, IndexError):  # a mention without "mentioned"
            log.debug("mention entity not understood: %s", activity.entities)
        text = _AT_TAG.sub(lambda m: "" if _is_bot(m.group(1), activity) else m.group(1), text)
    text = _COMPOSE_CARD.sub(" ", text)
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


def incoming(activity: Activity) -> Incoming:
    """A card's button (its data in `value`), or the text written."""
    value = activity.value
    if isinstance(value, dict) and value.get("command"):
        return card_actions.parse(value)
    return Message(message_text(activity))


def where(activity: Activity) -> Where:
    """The conversation of an activity, as the core sees it."""
    reference = conversation_reference(activity)
    user = activity.from_property
    return Where(reference.conversation.id if reference.conversation else "",
                 reference=reference.serialize(), tenant_id=tenant_id(activity),
                 service_url=activity.service_url or "",
                 user=(user.name or user.id or "") if user else "")


def is_personal(activity: Activity) -> bool:
    conversation = activity.conversation
    return bool(conversation) and (conversation.conversation_type or "personal") == "personal"


def is_channel(activity: Activity) -> bool:
    conversation = activity.conversation
    return bool(conversation) and conversation.conversation_type == "channel"


def to_activity(sent: dict) -> Activity:
    """A JSON activity of `bot.teams.activities` as botbuilder's Activity; its entities keep
    every field (botbuilder's Entity would serialise only `type`)."""
    activity = Activity().deserialize({k: v for k, v in sent.items() if k != "entities"})
    if "entities" in sent:
        activity.entities = [_JsonEntity(e) for e in sent["entities"]]
    return activity


class _JsonEntity(Entity):
    """An entity sent as the JSON it is."""

    _attribute_map = {"type": {"key": "type", "type": "str"},
                      "additional_properties": {"key": "", "type": "{object}"}}

    def __init__(self, entity: dict):
        super().__init__(type=entity["type"])
        self.additional_properties = {k: v for k, v in entity.items() if k != "type"}


async def _send_json(context: TurnContext, sent: dict) -> str:
    """Send a JSON activity; the id the connector gave it ("" if none)."""
    response = await context.send_activity(to_activity(sent))
    return (response.id or "") if response else ""


async def _replies(job: asyncio.Future, *, sorry: bool) -> list[Reply]:
    """The replies of a question; if answering failed, a sorry with `sorry`, else the
    error."""
    try:
        return await job
    except Exception:  # the user still deserves a reply
        if not sorry:
            raise
        log.exception("answering a question failed")
        return [Reply(say("sorry"))]


async def _ready(job: asyncio.Future, seconds: float) -> bool:
    """Whether `job` is done within `seconds`."""
    done, _ = await asyncio.wait({job}, timeout=max(seconds, 0))
    return bool(done)


def execute_data(value) -> object:
    """The data of the Action.Execute in an `adaptiveCard/action` invoke's value, or
    ValueError saying why it is none (the Universal Action Model's request format)."""
    action = value.get("action") if isinstance(value, dict) else None
    if not isinstance(action, dict):
        raise ValueError("the invoke's value has no action object")
    if action.get("type") != "Action.Execute":
        raise ValueError(f"the action is not an Action.Execute: {action.get('type')!r}")
    return action.get("data")


def card_action_response(reply: Reply) -> dict:
    """The body an `adaptiveCard/action` is answered with: the card that replaces the one
    clicked, or a message Teams shows."""
    if reply.card is not None:
        return {"statusCode": 200, "type": CardFactory.content_types.adaptive_card,
                "value": reply.card}
    return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
            "value": reply.text}


def card_action_error(status: int, code: str, message: str) -> dict:
    return {"statusCode": status, "type": "application/vnd.microsoft.error",
            "value": {"code": code, "message": message}}

