"""Who may call /api/messages: the Bot Framework credentials (`BotConfig`), and every
way a token can be wrong a 401. botbuilder 4.17.1 lets PyJWT errors (malformed, expired,
bad signature) and its own lookups (an unknown key id) escape as 500s, so authentication
is wrapped to turn any failure into PermissionError, which CloudAdapter's callers map to
401.

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

Connections. botbuilder asks the authentication for a connector client and a user-token
client on every turn and proactive send, and builds each anew (msrest's retry policy
alone costs ~10 ms of the event loop, and each client opens its own connections);
`RefuseOnAnyError` keeps one connector client per app id, service URL and audience
(`_ReusedConnectors`) and one user-token client per app id, across turns.

Nothing of this is built at import: the app puts the guard in place at start-up and
takes it away at clean-up (`signing_keys_guarded`, in bot/app.py's `bot_ctx`).
"""
from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from typing import Awaitable, Iterator

import aiohttp

from botbuilder.schema import Activity
from botframework.connector.auth import (AuthenticateRequestResult,
                                         BotFrameworkAuthentication, ClaimsIdentity,
                                         ConnectorFactory, JwtTokenExtractor,
                                         JwtTokenValidation)
from botframework.connector.auth.jwt_token_extractor import _OpenIdMetadata

from bot.settings import Settings

log = logging.getLogger(__name__)
#: Seconds a fetch of an issuer's signing keys (metadata document and key set) may take.
KEYS_FETCH_SECONDS = 5.0
#: After a failed fetch, tokens needing those keys are refused at once for this long.
KEYS_RETRY_SECONDS = 30.0
#: Validations in flight at once; a request beyond them is answered 503 at once.
MAX_WAITING = 64
#: Worker threads fetching keys, off the event loop (one per metadata URL at a time).
KEY_FETCHERS = 4
#: connector clients kept (one per app id, service URL and audience: a few in practice)
CONNECTORS_KEPT = 32


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


class RefuseOnAnyError(BotFrameworkAuthentication):
    """Delegates to the real authentication; any failure to authenticate a request is a
    PermissionError (401), never an exception that becomes a 500. At most `max_waiting`
    checks are in flight; one more raises AuthenticationBusy at once."""

    def __init__(self, inner: BotFrameworkAuthentication, *, max_waiting: int = MAX_WAITING):
        self._inner = inner
        self.max_waiting = max_waiting
        self.waiting = 0
        self._connectors: collections.OrderedDict = collections.OrderedDict()
        self._user_token_clients: dict = {}

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
        result = await self._checked(self._inner.authenticate_request(activity, auth_header))
        if result.connector_factory is not None:
            result.connector_factory = self._reused(result.connector_factory,
                                                    result.claims_identity)
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str):
        return await self._checked(
            self._inner.authenticate_streaming_request(auth_header, channel_id_header))

    def create_connector_factory(self, claims_identity: ClaimsIdentity):
        return self._reused(self._inner.create_connector_factory(claims_identity),
                            claims_identity)

    def _reused(self, factory: ConnectorFactory,
                claims_identity: ClaimsIdentity) -> "_ReusedConnectors":
        app_id = JwtTokenValidation.get_app_id_from_claims(claims_identity.claims or {})
        return _ReusedConnectors(factory, app_id, self._connectors)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity):
        """One per app id: botbuilder asks for one every turn (the bot signs no user
        in), and each costs what a connector client does."""
        app_id = JwtTokenValidation.get_app_id_from_claims(claims_identity.claims or {})
        client = self._user_token_clients.get(app_id)
        if client is None:
            client = await self._inner.create_user_token_client(claims_identity)
            self._user_token_clients[app_id] = client
        return client

    def create_bot_framework_client(self):
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._checked(self._inner.authenticate_channel_request(auth_header))


class _ReusedConnectors(ConnectorFactory):
    """One connector client per app id, service URL and audience, kept for later turns.
    botbuilder builds a new one for every turn and proactive send: msrest's retry policy
    alone then costs about 10 ms of the event loop's time (a list of 999 status codes
    built by membership tests in a list of 500), and each client opens its own HTTP
    connections. The clients hold the credentials, which fetch and renew their tokens."""

    def __init__(self, inner: ConnectorFactory, app_id: str | None,
                 clients: collections.OrderedDict):
        self._inner = inner
        self._app_id = app_id
        self._clients = clients

    async def create(self, service_url: str, audience: str = None):
        key = (self._app_id, service_url, audience)
        client = self._clients.get(key)
        if client is None:
            client = await self._inner.create(service_url, audience)
            self._clients[key] = client
            while len(self._clients) > CONNECTORS_KEPT:
                self._clients.popitem(last=False)
        self._clients.move_to_end(key)
        return client


class _SigningKeys(_OpenIdMetadata):
    """One OpenID metadata URL's signing keys, refreshed when botbuilder's rules say so
    (daily; for an unknown key id at most hourly), but fetched in a worker thread within
    KEYS_FETCH_SECONDS, once for every token waiting, and with a failure remembered for
    KEYS_RETRY_SECONDS. Keys already held stay in use when a refresh fails: they rotate
    seldom, and refusing every real activity for a slow key endpoint helps nobody."""

    def __init__(self, url: str, fetcher: concurrent.futures.Executor,
                 keys: list | None = None, last_updated: dt.datetime = dt.datetime.min):
        super().__init__(url)
        self.keys, self.last_updated = list(keys or []), last_updated
        self._fetcher = fetcher
        self._lock = threading.Lock()
        self._fetching: concurrent.futures.Future | None = None
        self._retry_at = 0.0
        self._failure = ""

    async def _refresh(self) -> None:
        """Called by botbuilder's `get` when the keys are due for a refresh."""
        if time.monotonic() >= self._retry_at:
            with self._lock:
                if self._fetching is None:
                    self._fetching = self._fetcher.submit(self._fetch)
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
    """What `JwtTokenExtractor.metadataCache` becomes while the guard is in place: every
    URL botbuilder asks for (the channel's, the Emulator's, any other) gets a
    `_SigningKeys` fetching in `fetcher`; an entry put in as botbuilder's own
    `_OpenIdMetadata` is taken over with its URL and keys. `replaced` is botbuilder's
    cache, put back when the last app using the guard closes (`users`)."""

    def __init__(self, replaced: dict, fetcher: concurrent.futures.Executor):
        super().__init__(replaced)
        self.replaced, self.fetcher, self.users = replaced, fetcher, 0

    def get(self, url, default=None):
        found = super().get(url)
        if not isinstance(found, _SigningKeys):
            found = self[url] = _SigningKeys(url, self.fetcher) if found is None else \
                _SigningKeys(found.url, self.fetcher, found.keys, found.last_updated)
        return found


@contextlib.contextmanager
def signing_keys_guarded() -> Iterator[None]:
    """The signing-key guard in place while the context is open (the app's start-up to
    its clean-up): botbuilder's class-level key cache becomes a `_SigningKeyCache` with a
    pool of KEY_FETCHERS threads. The apps of one process share it, as botbuilder's
    cache is one: the first to open puts it in place, the last to close puts botbuilder's
    cache back and shuts the pool down (a fetch under way ends within
    KEYS_FETCH_SECONDS)."""
    cache = JwtTokenExtractor.metadataCache
    if not isinstance(cache, _SigningKeyCache):
        fetcher = concurrent.futures.ThreadPoolExecutor(max_workers=KEY_FETCHERS,
                                                        thread_name_prefix="signing-keys")
        cache = JwtTokenExtractor.metadataCache = _SigningKeyCache(cache, fetcher)
    cache.users += 1
    try:
        yield
    finally:
        cache.users -= 1
        if not cache.users:
            if JwtTokenExtractor.metadataCache is cache:
                JwtTokenExtractor.metadataCache = cache.replaced
            cache.fetcher.shutdown(wait=False, cancel_futures=True)
