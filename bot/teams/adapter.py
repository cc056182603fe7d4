"""The Bot Framework side of the server: the CloudAdapter that takes activities in and
sends proactive messages. The Bot Framework stays in `bot/teams/` (this module, its
authentication `auth.py` and dedupe `dedupe.py`, and the handler), so a move to the
Microsoft 365 Agents SDK touches that room only (the local chat page calls the
conversation core directly, `bot/conversation.py`).

Moving to the Microsoft 365 Agents SDK (`microsoft-agents-hosting-aiohttp`, which keeps
aiohttp) would change: `CloudAdapter` and the JWT check come from
`microsoft_agents.hosting.aiohttp` (its `jwt_authorization_middleware` or
`start_agent_process` in place of `BotEndpoint.process`; keep the signing-key guard,
`auth.py`, until its key fetch is checked not to block the loop); credentials are read
through `MsalConnectionManager` and the `CONNECTIONS__SERVICE_CONNECTION__SETTINGS__*`
variables (mapped from `Settings` here, so the README's variables stay); activities are
pydantic models (`microsoft_agents.activity.Activity`), so the handler's
`Activity`/`Entity` imports and `.serialize()`/`.deserialize()` become
`model_validate`/`model_dump`; the handler subclasses the Agents SDK's `ActivityHandler`
(or becomes `AgentApplication` routes) with the same methods. Unchanged: the
conversation core, `activities.py`'s activity JSON (citations, streaminfo, feedback,
invokes are channel JSON, not SDK types), the routes, dedupe and digest.

`BotEndpoint.process` takes an already-parsed request (the route checks size, content type
and JSON) and returns an HTTP status: a token refused is a 401 (`auth.py`), an activity
seen before is acknowledged and not answered again (`dedupe.py`).
"""
from __future__ import annotations

import logging

from botbuilder.core import Bot, CardFactory, MessageFactory, TurnContext, serializer_helper
from botbuilder.integration.aiohttp import (CloudAdapter,
                                            ConfigurationBotFrameworkAuthentication)
from botbuilder.schema import Activity, ConversationReference
from botframework.connector.auth import BotFrameworkAuthentication
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.jobs.digest import DeliveryFailed
from bot.settings import Settings
from bot.teams.auth import AuthenticationBusy, BotConfig, RefuseOnAnyError
from bot.teams.dedupe import Dedupe, SeenActivities
from bot.teams.service_urls import is_channel_url
from retrieval.phrasebook import say

log = logging.getLogger(__name__)


class BotEndpoint:
    """The bot behind POST /api/messages and the local chat page's POST /api/chat."""

    def __init__(self, settings: Settings, bot: Bot | None, *,
                 seen: SeenActivities | None = None,
                 authentication: BotFrameworkAuthentication | None = None):
        """`seen`: the activities already handled, shared by the replicas; None for an
        endpoint that only sends (`digest --send`)."""
        self.bot = bot
        self.app_id = settings.app_id
        authentication = authentication or ConfigurationBotFrameworkAuthentication(
            BotConfig.from_settings(settings))
        self.adapter = CloudAdapter(RefuseOnAnyError(authentication))
        self.adapter.on_turn_error = on_turn_error
        if seen is not None:
            self.adapter.use(Dedupe(seen))

    async def process(self, body: dict, auth_header: str | None) -> tuple[int, dict | None]:
        """One activity from the channel: (HTTP status, JSON body or None)."""
        try:
            activity = Activity().deserialize(body)
        except Exception as e:  # msrest's DeserializationError and friends: not an Activity
            log.info("refused a body that is not an activity: %s", e)
            return 400, {"error": "the body is not a Bot Framework activity"}
        if not activity.type:
            return 400, {"error": "the activity has no type"}
        missing = [name for name, value in (
            ("channelId", activity.channel_id), ("serviceUrl", activity.service_url),
            ("conversation.id", activity.conversation.id if activity.conversation else None))
            if not value]
        if missing:
            return 400, {"error": f"the activity has no {', '.join(missing)}"}
        try:
            invoke = await self.adapter.process_activity(auth_header, activity, self.bot.on_turn)
        except PermissionError as e:
            log.info("refused an activity: %s", e)
            return 401, {"error": "unauthorized"}
        except AuthenticationBusy as e:
            log.warning("answered 503 without checking the token: %s", e)
            return 503, {"error": "too many requests are being authenticated; try again shortly"}
        if invoke:
            return invoke.status, _json(invoke.body)
        return 201, None

    def may_send_to(self, service_url: str) -> bool:
        """Whether a proactive message may go to `service_url`: with authentication on,
        only to a Bot Framework channel's (botbuilder gives the bot's token to any)."""
        return not self.app_id or is_channel_url(service_url)

    async def send_card(self, reference: dict, card: dict) -> None:
        """Post `card` proactively to the conversation of a stored reference (the JSON a
        subscription keeps), whose service URL the caller has checked (`may_send_to`).
        Raises DeliveryFailed with the connector's HTTP status (403 or 404 when the bot
        was removed), or without one when the service is unreachable."""
        activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
        failures: list[Exception] = []

        async def send(context: TurnContext) -> None:
            try:
                await context.send_activity(activity)
            except Exception as e:  # kept for the caller; the turn's error handler stays out
                failures.append(e)

        await self.adapter.continue_conversation(
            ConversationReference().deserialize(reference), send, self.app_id)
        if failures:
            error = failures[0]
            status = error.response.status_code if isinstance(error, HttpOperationError) \
                and error.response is not None else None
            if not isinstance(error, (HttpOperationError, ClientRequestError, OSError)):
                raise error
            raise DeliveryFailed(f"the Teams connector refused the message: {error}",
                                 status=status) from error


def _json(body):
    """An invoke response's body as JSON: botbuilder's models serialised, plain JSON (such
    as the `{}` Teams' feedback invoke wants) as it is."""
    if body is None or isinstance(body, (dict, list, str, int, float, bool)):
        return body
    return serializer_helper(body)


async def on_turn_error(context: TurnContext, error: Exception) -> None:
    """A bug or an unreachable store while handling a turn: log it, tell the user."""
    log.error("error while handling a %s activity", context.activity.type,
              exc_info=(type(error), error, error.__traceback__))
    try:
        await context.send_activity(say("sorry"))
    except Exception:  # the connector is unreachable too; the log has the cause
        log.exception("could not tell the user about the error")
