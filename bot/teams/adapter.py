"""The Bot Framework side of the server: CloudAdapter, authentication, dedupe and
proactive sends. With `bot/teams/handler.py`, the only module that imports botbuilder, so a
move to the Microsoft 365 Agents SDK touches these two (the local chat page calls the
conversation core directly, `bot/conversation.py`).

Moving to the Microsoft 365 Agents SDK (`microsoft-agents-hosting-aiohttp`, which keeps
aiohttp) would change: `CloudAdapter` and the JWT check come from
`microsoft_agents.hosting.aiohttp` (its `jwt_authorization_middleware` or
`start_agent_process` in place of `BotEndpoint.process`; keep the signing-key guard below
until its key fetch is checked not to block the loop); credentials are read through
`MsalConnectionManager` and the `CONNECTIONS__SERVICE_CONNECTION__SETTINGS__*` variables
(mapped from `Settings` here, so the README's variables stay); activities are pydantic
models (`microsoft_agents.activity.Activity`), so the handler's `Activity`/`Entity`
imports and `.serialize()`/`.deserialize()` become `model_validate`/`model_dump`; the
handler subclasses the Agents SDK's `ActivityHandler` (or becomes `AgentApplication`
routes) with the same methods. Unchanged: the conversation core, `bot/teams/activities.py`'s
activity JSON (citations, streaminfo, feedback, invokes are channel JSON, not SDK
types), the routes, dedupe and digest.

`BotEndpoint.process` takes an already-parsed request (the route checks size, content type
and JSON) and returns an HTTP status. Every way a token can be wrong is a 401: botbuilder
4.17.1 lets PyJWT errors (malformed, expired, bad signature) and its own lookups (an
unknown key id) escape as 500s, so authentication is wrapped to turn any failure into
PermissionError, which CloudAdapter's callers map to 401.

Signing keys. A token whose (unverified) issuer is the Bot Framework's or the Emulator's
makes botbuilder fetch that issuer's OpenID signing keys, and its own fetch is a blocking
`requests.get` without a timeout, on the event loop, repeated for every such token while
it fails: a slow or unreachable key endpoint and a stream of forged tokens froze every
route. Here each metadata URL's keys are a `_SigningKeys` (botbuilder's class-level
`JwtTokenExtractor.metadataCache` holds them): fetched in a worker thread within
KEYS_FETCH_SECONDS, once for all the tokens that wait for it, a failed fetch remembered
for KEYS_RETRY_SECONDS (tokens are refused at once meanwhile), and keys already held kept
when a refresh fails. At most MAX_WAITING validations wait at once; beyond that a request
is answered 503 at once (`AuthenticationBusy`): it was not checked, so it is not called
unauthorised, and a 5xx is what retry policies treat as transient (Bot Framework's own
BotFrameworkHttpStatusCodeErrorDetectionStrategy does), so a real Teams activity caught
in a flood of forged ones may be resent rather than be refused for good.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from typing import Awaitable, Callable

import aiohttp

from botbuilder.core import (Bot, CardFactory, MessageFactory, Middleware, TurnContext,
                             serializer_helper)
from botbuilder.integration.aiohttp import (CloudAdapter,
                                            ConfigurationBotFrameworkAuthentication)
from botbuilder.schema import (Activity, ActivityEventNames, ActivityTypes,
                               ConversationReference)
from botframework.connector.auth import (AuthenticateRequestResult,
                                         BotFrameworkAuthentication, ClaimsIdentity,
                                         JwtTokenExtractor)
from botframework.connector.auth.jwt_token_extractor import _OpenIdMetadata
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.jobs.digest import DeliveryFailed
from bot.settings import Settings
from bot.teams.dedupe import SeenActivities
from bot.teams.service_urls import is_channel_url
from bot.texts import say

log = logging.getLogger(__name__)
#: Seconds a fetch of an issuer's signing keys (metadata document and key set) may take.
KEYS_FETCH_SECONDS = 5.0
#: After a failed fetch, tokens needing those keys are refused at once for this long.
KEYS_RETRY_SECONDS = 30.0
#: Validations in flight at once; a request beyond them is answered 503 at once.
MAX_WAITING = 64
#: The key fetches run here, off the event loop (one per metadata URL at a time).
_KEY_FETCHER = concurrent.futures.ThreadPoolExecutor(max_workers=4,
                                                     thread_name_prefix="signing-keys")


class AuthenticationBusy(RuntimeError):
    """MAX_WAITING validations are in flight already: this request was not checked."""


class KeysUnavailable(PermissionError):
    """No signing keys to check a token with: the fetch failed (the message says why)."""


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

    def __init__(self, settings: Settings, bot: Bot | None, *,
                 seen: SeenActivities | None = None,
                 authentication: BotFrameworkAuthentication | None = None):
        """`seen`: the activities already handled, shared by the replicas; None for an
        endpoint that only sends (`digest --send`)."""
        self.bot = bot
        self.app_id = settings.app_id
        authentication = authentication or ConfigurationBotFrameworkAuthentication(
            BotConfig.from_settings(settings))
        _guard_signing_keys()
        self.adapter = CloudAdapter(_RefuseOnAnyError(authentication))
        self.adapter.on_turn_error = on_turn_error
        if seen is not None:
            self.adapter.use(_Dedupe(seen))

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


class _RefuseOnAnyError(BotFrameworkAuthentication):
    """Delegates to the real authentication; any failure to authenticate a request is a
    PermissionError (401), never an exception that becomes a 500. At most `max_waiting`
    checks are in flight; one more raises AuthenticationBusy at once."""

    def __init__(self, inner: BotFrameworkAuthentication, *, max_waiting: int = MAX_WAITING):
        self._inner = inner
        self.max_waiting = max_waiting
        self.waiting = 0

    async def _checked(self, check: Awaitable):
        if self.waiting >= self.max_waiting:
            check.close()
            raise AuthenticationBusy(f"{self.waiting} validations are waiting already")
        self.waiting += 1
        try:
            return await check
        except PermissionError:
            raise
        except Exception as e:  # PyJWT's errors, a KeyError or IndexError on an unknown kid
            raise PermissionError(f"invalid token: {type(e).__name__}: {e}") from e
        finally:
            self.waiting -= 1

    async def authenticate_request(self, activity: Activity,
                                   auth_header: str) -> AuthenticateRequestResult:
        return await self._checked(self._inner.authenticate_request(activity, auth_header))

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str):
        return await self._checked(
            self._inner.authenticate_streaming_request(auth_header, channel_id_header))

    def create_connector_factory(self, claims_identity: ClaimsIdentity):
        return self._inner.create_connector_factory(claims_identity)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity):
        return await self._inner.create_user_token_client(claims_identity)

    def create_bot_framework_client(self):
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._checked(self._inner.authenticate_channel_request(auth_header))


# --- signing keys ----------------------------------------------------------------------


class _SigningKeys(_OpenIdMetadata):
    """One OpenID metadata URL's signing keys, refreshed when botbuilder's rules say so
    (daily; for an unknown key id at most hourly), but fetched in a worker thread within
    KEYS_FETCH_SECONDS, once for every token waiting, and with a failure remembered for
    KEYS_RETRY_SECONDS. Keys already held stay in use when a refresh fails: they rotate
    seldom, and refusing every real activity for a slow key endpoint helps nobody."""

    def __init__(self, url: str, keys: list | None = None,
                 last_updated: dt.datetime = dt.datetime.min):
        super().__init__(url)
        self.keys, self.last_updated = list(keys or []), last_updated
        self._lock = threading.Lock()
        self._fetching: concurrent.futures.Future | None = None
        self._retry_at = 0.0
        self._failure = ""

    async def _refresh(self) -> None:
        """Called by botbuilder's `get` when the keys are due for a refresh."""
        if time.monotonic() >= self._retry_at:
            with self._lock:
                if self._fetching is None:
                    self._fetching = _KEY_FETCHER.submit(self._fetch)
                fetching = self._fetching
            # shielded: a caller that gives up must not cancel the fetch the others await
            await asyncio.shield(asyncio.wrap_future(fetching))
        if not self.keys:
            raise KeysUnavailable(self._failure)

    def _fetch(self) -> None:
        try:
            keys = asyncio.run(_download_keys(self.url))
        except Exception as e:  # unreachable, slow, refused, not JSON: remembered, logged
            reason = f"no answer within {KEYS_FETCH_SECONDS:.0f} s" \
                if isinstance(e, asyncio.TimeoutError) else f"{type(e).__name__}: {e}"
            self._failure = f"the signing keys behind {self.url} could not be fetched: {reason}"
            self._retry_at = time.monotonic() + KEYS_RETRY_SECONDS
            log.warning("%s; %s for %.0f s", self._failure, "using the keys held"
                        if self.keys else "refusing tokens that need them", KEYS_RETRY_SECONDS)
        else:
            self.keys, self.last_updated = keys, dt.datetime.now()
        finally:
            with self._lock:
                self._fetching = None


async def _download_keys(url: str) -> list[dict]:
    """The key set the OpenID metadata at `url` points to, within KEYS_FETCH_SECONDS."""
    async def get_json(session: aiohttp.ClientSession, address: str) -> dict:
        async with session.get(address) as response:
            response.raise_for_status()
            return await response.json(content_type=None)

    timeout = aiohttp.ClientTimeout(total=KEYS_FETCH_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        metadata = await get_json(session, url)
        return list((await get_json(session, metadata["jwks_uri"]))["keys"])


class _SigningKeyCache(dict):
    """What `JwtTokenExtractor.metadataCache` becomes: every URL botbuilder asks for (the
    channel's, the Emulator's, any other) gets a `_SigningKeys`; an entry put in as
    botbuilder's own `_OpenIdMetadata` is taken over with its URL and keys."""

    def get(self, url, default=None):
        found = super().get(url)
        if not isinstance(found, _SigningKeys):
            found = self[url] = _SigningKeys(url) if found is None else \
                _SigningKeys(found.url, found.keys, found.last_updated)
        return found


def _guard_signing_keys() -> None:
    if not isinstance(JwtTokenExtractor.metadataCache, _SigningKeyCache):
        JwtTokenExtractor.metadataCache = _SigningKeyCache(JwtTokenExtractor.metadataCache)


class _Dedupe(Middleware):
    """Runs each (channel, conversation, activity id) once, across the replicas sharing
    the catalog; a retry of one in flight or recently handled is acknowledged without a
    second reply. Runs after authentication, so an unauthenticated caller cannot burn the
    id of a real activity. When the catalog does not answer, the activity is answered
    (a possible second answer to a retry beats none)."""

    def __init__(self, seen: SeenActivities):
        self.seen = seen

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable]) -> None:
        activity = context.activity
        # An invoke waits for its own response (the handler answers each alike); one
        # skipped here would have none, and botbuilder would answer the retry with a 501.
        if not activity.id or activity.name == ActivityEventNames.continue_conversation \
                or activity.type == ActivityTypes.invoke:
            await logic()
            return
        key = (activity.channel_id or "", activity.conversation.id if activity.conversation
               else "", activity.id)
        try:
            first = await asyncio.to_thread(self.seen.first_time, key)
        except Exception:  # the catalog's database is down: answer without the memory
            log.warning("could not check whether activity %s was seen before; answering it",
                        activity.id, exc_info=True)
            first = True
        if not first:
            log.info("activity %s seen before: not answering it again", activity.id)
            return
        try:
            await logic()
        except BaseException:
            # let the channel's retry have another go
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.seen.forget, key)
            raise
        with contextlib.suppress(Exception):  # else the claim is void after IN_FLIGHT_SECONDS
            await asyncio.to_thread(self.seen.handled, key)
