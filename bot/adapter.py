"""The Bot Framework side of the server: CloudAdapter, authentication, dedupe and
proactive sends. With `bot/handler.py`, the only module that imports botbuilder, so a
move to the Microsoft 365 Agents SDK touches these two (the local chat page calls the
conversation core directly, `bot/conversation.py`).

`BotEndpoint.process` takes an already-parsed request (the route checks size, content type
and JSON) and returns an HTTP status. Every way a token can be wrong is a 401: botbuilder
4.17.1 lets PyJWT errors (malformed, expired, bad signature) and its own lookups (an
unknown key id) escape as 500s, so authentication is wrapped to turn any failure into
PermissionError, which CloudAdapter's callers map to 401.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Awaitable, Callable

from botbuilder.core import Bot, CardFactory, MessageFactory, Middleware, TurnContext
from botbuilder.integration.aiohttp import (CloudAdapter,
                                            ConfigurationBotFrameworkAuthentication)
from botbuilder.schema import (Activity, ActivityEventNames, ActivityTypes,
                               ConversationReference)
from botframework.connector.auth import (AuthenticateRequestResult,
                                         BotFrameworkAuthentication, ClaimsIdentity)
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.dedupe import RecentIds
from bot.digest import DeliveryFailed
from bot.settings import Settings
from bot.texts import say

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BotConfig:
    """What ConfigurationBotFrameworkAuthentication reads (MicrosoftAppId and friends).
    An empty APP_ID turns authentication off: local use and the Bot Framework Emulator."""

    APP_ID: str = ""
    APP_PASSWORD: str = ""
    APP_TYPE: str = "MultiTenant"
    APP_TENANTID: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> "BotConfig":
        """The config, or SettingsError naming the variable that makes it unusable (found
        at start-up rather than at the first message from Teams)."""
        app_type = settings.check_bot()
        return cls(settings.app_id, settings.app_password, app_type, settings.app_tenant_id)


class BotEndpoint:
    """The bot behind POST /api/messages and the local chat page's POST /api/chat."""

    def __init__(self, settings: Settings, bot: Bot, *,
                 authentication: BotFrameworkAuthentication | None = None):
        self.bot = bot
        self.app_id = settings.app_id
        authentication = authentication or ConfigurationBotFrameworkAuthentication(
            BotConfig.from_settings(settings))
        self.adapter = CloudAdapter(_RefuseOnAnyError(authentication))
        self.adapter.on_turn_error = on_turn_error
        self.recent = RecentIds()
        self.adapter.use(_Dedupe(self.recent))

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
        if invoke:  # the handler's bodies are JSON-ready dicts
            return invoke.status, invoke.body
        return 201, None

    async def send_card(self, reference: dict, card: dict) -> None:
        """Post `card` proactively to the conversation of a stored reference (the JSON a
        subscription keeps). Raises DeliveryFailed with the connector's HTTP status (403 or
        404 when the bot was removed), or without one when the service is unreachable."""
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


async def on_turn_error(context: TurnContext, error: Exception) -> None:
    """A bug or an unreachable store while handling a turn: log it, tell the user."""
    log.error("error while handling a %s activity", context.activity.type,
              exc_info=(type(error), error, error.__traceback__))
    try:
        await context.send_activity(say("sorry"))
    except Exception:  # the connector is unreachable too; the log has the cause
        log.exception("could not tell the user about the error")


class _RefuseOnAnyError(BotFrameworkAuthentication):
    """Delegates to the real authentication; any failure to authenticate a request is a
    PermissionError (401), never an exception that becomes a 500."""

    def __init__(self, inner: BotFrameworkAuthentication):
        self._inner = inner

    async def authenticate_request(self, activity: Activity,
                                   auth_header: str) -> AuthenticateRequestResult:
        try:
            return await self._inner.authenticate_request(activity, auth_header)
        except PermissionError:
            raise
        except Exception as e:  # PyJWT's errors, a KeyError or IndexError on an unknown kid
            raise PermissionError(f"invalid token: {type(e).__name__}: {e}") from e

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str):
        try:
            return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)
        except PermissionError:
            raise
        except Exception as e:
            raise PermissionError(f"invalid token: {type(e).__name__}: {e}") from e

    def create_connector_factory(self, claims_identity: ClaimsIdentity):
        return self._inner.create_connector_factory(claims_identity)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity):
        return await self._inner.create_user_token_client(claims_identity)

    def create_bot_framework_client(self):
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        try:
            return await self._inner.authenticate_channel_request(auth_header)
        except PermissionError:
            raise
        except Exception as e:
            raise PermissionError(f"invalid token: {type(e).__name__}: {e}") from e


class _Dedupe(Middleware):
    """Runs each (conversation, activity id) once; a retry of one in flight or recently
    handled is acknowledged without a second reply. Runs after authentication, so an
    unauthenticated caller cannot burn the id of a real activity."""

    def __init__(self, recent: RecentIds):
        self.recent = recent

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable]) -> None:
        activity = context.activity
        # An invoke waits for its own response (the handler answers each alike); one
        # skipped here would have none, and botbuilder would answer the retry with a 501.
        if not activity.id or activity.name == ActivityEventNames.continue_conversation \
                or activity.type == ActivityTypes.invoke:
            await logic()
            return
        key = (activity.channel_id, activity.conversation.id if activity.conversation else "",
               activity.id)
        if not self.recent.first_time(key):
            log.info("activity %s seen before: not answering it again", activity.id)
            return
        try:
            await logic()
        except BaseException:
            self.recent.forget(key)  # let the channel's retry have another go
            raise

