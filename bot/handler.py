"""The Teams activity handler: translates activities into the conversation core's plain
values (`bot.conversation`) and its replies back into activities. No reply is decided here.

Strips the @mention, turns a card's `value` into an action (`bot.actions.parse`), and
builds the `Where` of the conversation (its reference for proactive messages, the tenant
Teams sends in channelData).

Invokes are dispatched by name (`on_invoke_activity`): `adaptiveCard/action`, a card's
Action.Execute, answered with the card that replaces it; `composeExtension/query`, the
compose box's search, answered with a result list (`bot.compose`). Any other is a 400.

Teams waits 15 s for the HTTP reply to an activity. A question that takes longer than
`ack_after` seconds gets a short "Et øjeblik …" at once, and its answer is sent later as a
proactive message (`continue_conversation`).
"""
from __future__ import annotations

import asyncio
import html
import logging
import re

from botbuilder.core import CardFactory, InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import Activity, ConversationReference

from bot import actions, compose
from bot.conversation import (Conversation, Incoming, Message, Reply, Results, Where,
                              is_question)
from bot.texts import say

log = logging.getLogger(__name__)

#: Seconds before a slow answer is acknowledged and then sent proactively (Teams: 15 s).
ACK_AFTER = 10.0
#: Seconds a compose-box search may take; Teams waits 5 s for the response.
COMPOSE_SECONDS = 4.0
CARD_ACTION, COMPOSE_QUERY = "adaptiveCard/action", "composeExtension/query"
_AT_TAG = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)


class ReferatBot(TeamsActivityHandler):
    def __init__(self, conversation: Conversation, *, app_id: str = "",
                 ack_after: float = ACK_AFTER):
        self.conversation = conversation
        self.app_id = app_id
        self.ack_after = ack_after
        self._later: set[asyncio.Task] = set()

    # --- activities ----------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        request = self.conversation.understand(incoming(activity))
        job = asyncio.ensure_future(self.conversation.respond(request, where(activity)))
        if is_question(request):
            done, _ = await asyncio.wait({job}, timeout=self.ack_after)
            if not done:
                await turn_context.send_activity(say("wait"))
                self._answer_later(turn_context, job)
                return
        for reply in await job:
            await turn_context.send_activity(reply_activity(reply))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """The invokes the bot implements, by name; any other (task modules, sign-in, ...)
        gets a 400, where botbuilder would answer 501 (and a 500 for an
        `adaptiveCard/action` whose error response it cannot serialise)."""
        name = turn_context.activity.name
        handle = {CARD_ACTION: self._on_card_action,
                  COMPOSE_QUERY: self._on_compose_query}.get(name)
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
        action = actions.parse(data) if isinstance(data, dict) else actions.Unreadable()
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

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        """Greets when the bot itself is added to a team, group chat or personal chat.
        (Members joining later are not looked up or greeted.)"""
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        if bot_id and any(m.id == bot_id for m in activity.members_added or []):
            personal = getattr(activity.conversation, "conversation_type", None) == "personal"
            greeting = self.conversation.greeting(personal=personal)
            if greeting is not None:
                await turn_context.send_activity(reply_activity(greeting))

    # --- slow answers --------------------------------------------------------------------

    def _answer_later(self, turn_context: TurnContext, job: asyncio.Future) -> None:
        reference = TurnContext.get_conversation_reference(turn_context.activity)
        task = asyncio.create_task(self._send_later(turn_context.adapter, reference, job))
        self._later.add(task)
        task.add_done_callback(self._later.discard)

    async def _send_later(self, adapter, reference: ConversationReference,
                          job: asyncio.Future) -> None:
        try:
            replies = await job
        except Exception:  # the user still deserves a reply
            log.exception("answering a slow question failed")
            replies = [Reply(say("sorry"))]

        async def send(context: TurnContext) -> None:
            for reply in replies:
                await context.send_activity(reply_activity(reply))

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


def incoming(activity: Activity) -> Incoming:
    """A card's button (its data in `value`), or the text written."""
    value = activity.value
    if isinstance(value, dict) and value.get("command"):
        return actions.parse(value)
    return Message(message_text(activity))


def where(activity: Activity) -> Where:
    """The conversation of an activity, as the core sees it."""
    reference = conversation_reference(activity)
    user = activity.from_property
    return Where(reference.conversation.id if reference.conversation else "",
                 reference=reference.serialize(), tenant_id=tenant_id(activity),
                 service_url=activity.service_url or "",
                 user=(user.name or user.id or "") if user else "")


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


def reply_activity(reply: Reply) -> Activity:
    if reply.card is not None:
        return MessageFactory.attachment(CardFactory.adaptive_card(reply.card))
    return MessageFactory.text(reply.text)
