"""With MicrosoftAppId set, /api/messages takes only activities carrying a valid Bot
Framework token: every other kind of request is a 401, never a 500, and never answered.

Offline, with our own signing key: botbuilder fetches the channel's signing keys from an
OpenID metadata URL and caches them in `JwtTokenExtractor.metadataCache`; the test seeds
that cache with our key (endorsed for msteams, as the real keys are) and signs its own
tokens, good and bad. For a key endpoint that never answers, the cached metadata's URL
points at a local socket that accepts connections and stays silent.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json

import jwt
import pytest
from botframework.connector.auth import (AuthenticationConstants, ClaimsIdentity,
                                         JwtTokenExtractor)
from botframework.connector.auth.jwt_token_extractor import _OpenIdMetadata
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.settings import Settings
from bot.teams import adapter, auth
from bot.teams.auth import MAX_WAITING
from fake_teams import activity_json, execute_value

APP_ID = "00000000-1111-2222-3333-444444444444"
KID = "referatbot-test-key"
METADATA_URL = AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
ISSUER = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


#: a key nobody published, for every token that must fail its signature (one key made
#: here instead of ~50 ms for a new one per token)
STRANGER = new_key()


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return new_key()


def seed_keys(metadata: _OpenIdMetadata):
    """Put `metadata` where botbuilder looks for the channel's keys; returns the undo."""
    saved = JwtTokenExtractor.metadataCache.get(METADATA_URL)
    JwtTokenExtractor.metadataCache[METADATA_URL] = metadata

    def restore():
        if saved is None:
            JwtTokenExtractor.metadataCache.pop(METADATA_URL, None)
        else:
            JwtTokenExtractor.metadataCache[METADATA_URL] = saved
    return restore


def our_jwk(key: rsa.RSAPrivateKey) -> dict:
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid=KID, use="sig", endorsements=["msteams"])
    return jwk


@pytest.fixture
def channel_keys(signing_key):
    """Our public key where botbuilder looks for the channel's keys; restored after."""
    metadata = _OpenIdMetadata(METADATA_URL)
    metadata.keys = [our_jwk(signing_key)]
    metadata.last_updated = dt.datetime.now()  # fresh: no refresh over the network
    restore = seed_keys(metadata)
    yield
    restore()


SECURED = {"app_id": APP_ID, "app_password": "not-a-real-secret"}


@pytest.fixture
async def secured(start_app, channel_keys):
    return await start_app(**SECURED)


@pytest.fixture
async def refusing(shared_app, channel_keys):
    """The module's one secured app, for tests whose requests it must refuse."""
    return await shared_app(**SECURED)


def token(key, *, service_url: str, kid: str = KID, algorithm: str = "RS256", **claims) -> str:
    now = dt.datetime.now(dt.timezone.utc)
    payload = {"iss": ISSUER, "aud": APP_ID, "serviceurl": service_url,
               "nbf": now - dt.timedelta(minutes=1), "exp": now + dt.timedelta(hours=1)}
    payload.update(claims)
    return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": kid})


async def post(client, body: dict, authorization: str | None):
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    return await client.post("/api/messages", data=json.dumps(body), headers=headers)


async def test_a_valid_token_is_accepted(secured, signing_key, connector):
    # a typing activity needs no reply, so nothing has to fetch an outbound token from
    # Azure AD (which cannot be done offline)
    body = activity_json(service_url=connector.url, type="typing")
    response = await post(secured, body,
                          f"Bearer {token(signing_key, service_url=connector.url)}")
    assert response.status == 201


def _bad_requests(key, url: str) -> dict[str, str | None]:
    now = dt.datetime.now(dt.timezone.utc)
    good = token(key, service_url=url)
    header, payload, signature = good.split(".")
    return {
        "missing header": None,
        "empty header": "",
        "wrong scheme": f"Basic {good}",
        "scheme only": "Bearer",
        "three parts": f"Bearer {good} extra",
        "malformed token": "Bearer not.a.jwt",
        "garbage": "Bearer %%%%",
        "bad signature": f"Bearer {token(STRANGER, service_url=url)}",
        "tampered payload": f"Bearer {header}.{payload[:-4]}AAAA.{signature}",
        "unknown key id": f"Bearer {token(key, service_url=url, kid='someone-elses-key')}",
        "expired": f"Bearer {token(key, service_url=url, exp=now - dt.timedelta(hours=1), nbf=now - dt.timedelta(hours=2))}",
        "not yet valid": f"Bearer {token(key, service_url=url, nbf=now + dt.timedelta(hours=1))}",
        "wrong audience": f"Bearer {token(key, service_url=url, aud='another-bots-app-id')}",
        "wrong issuer": f"Bearer {token(key, service_url=url, iss='https://evil.example.com')}",
        "other service url": f"Bearer {token(key, service_url='https://evil.example.com/')}",
        "alg none": "Bearer " + jwt.encode({"iss": ISSUER, "aud": APP_ID}, None, algorithm="none",
                                            headers={"kid": KID}),
        "hmac with a guessed secret": "Bearer " + jwt.encode(
            {"iss": ISSUER, "aud": APP_ID, "serviceurl": url, "exp": now + dt.timedelta(hours=1)},
            "a-guessed-shared-secret-of-32-bytes!", algorithm="HS256", headers={"kid": KID}),
    }


BAD_KINDS = list(_bad_requests(STRANGER, "http://x").keys())


@pytest.mark.parametrize("kind", BAD_KINDS)
async def test_every_bad_token_is_401_and_not_answered(refusing, signing_key, connector, kind):
    authorization = _bad_requests(signing_key, connector.url)[kind]
    response = await post(refusing, activity_json("hjælp", service_url=connector.url),
                          authorization)
    assert response.status == 401, (kind, await response.text())
    assert await response.json() == {"error": "unauthorized"}
    assert connector.received == []


async def test_a_token_for_another_channel_is_refused(secured, signing_key, connector):
    """The key is endorsed for msteams only; an activity claiming another channel fails."""
    body = activity_json(service_url=connector.url, type="typing", channelId="webchat")
    response = await post(secured, body, f"Bearer {token(signing_key, service_url=connector.url)}")
    assert response.status == 401


async def test_refusals_do_not_hurt_the_server(secured, signing_key, connector):
    for _ in range(20):
        response = await post(secured, activity_json("hjælp", service_url=connector.url),
                              "Bearer not.a.jwt")
        assert response.status == 401
    assert (await secured.get("/healthz")).status == 200
    body = activity_json(service_url=connector.url, type="typing")
    response = await post(secured, body, f"Bearer {token(signing_key, service_url=connector.url)}")
    assert response.status == 201


async def test_without_an_app_id_the_endpoint_is_open(bot_client, connector):
    response = await post(bot_client, activity_json("hjælp", service_url=connector.url), None)
    assert response.status == 201
    [reply] = await connector.wait_for(1)
    assert reply["_authorization"] == ""


@pytest.mark.parametrize("data", [
    '{"type": "message", "text": ' + "[" * 1000 + "]" * 1000 + "}",
    '{"type": "message", "value": ' + "9" * 5000 + "}",
], ids=["nested 1000 deep", "an int of 5000 digits"])
async def test_a_body_no_activity_can_be_is_400_on_the_secured_endpoint(refusing, data, caplog):
    response = await refusing.post("/api/messages", data=data,
                                  headers={"Content-Type": "application/json",
                                           "Authorization": "Bearer x.y.z"})
    assert response.status == 400
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_teams_feedback_needs_a_valid_token_too(secured, signing_key, connector):
    """The message/submitAction invoke is an activity like any other: without a valid
    token it is a 401 and nothing is stored; with one, Teams' 200 and empty body."""
    from bot.app_keys import feedback_key

    body = activity_json(service_url=connector.url, activity_id="feedback-1", type="invoke",
                         name="message/submitAction", replyToId="1700000000000",
                         value={"actionName": "feedback", "actionValue": {"reaction": "like"}})
    bad = token(STRANGER, service_url=connector.url)
    for authorization in (None, "Bearer not.a.jwt", f"Bearer {bad}"):
        response = await post(secured, body, authorization)
        assert response.status == 401, authorization
    assert secured.app[feedback_key].votes() == []
    response = await post(secured, body, f"Bearer {token(signing_key, service_url=connector.url)}")
    assert response.status == 200 and await response.text() == "{}"
    assert [v.vote for v in secured.app[feedback_key].votes()] == ["up"]
    assert connector.activities == []


INVOKES = {
    "adaptiveCard/action": execute_value({"command": "punkt", "date": "2024-04-24", "punkt": 7}),
    "composeExtension/query": {"commandId": "searchPunkter",
                               "parameters": [{"name": "q", "value": "telefontider"}],
                               "queryOptions": {"skip": 0, "count": 5}},
}


@pytest.mark.parametrize("name", sorted(INVOKES))
@pytest.mark.parametrize("kind", ["missing header", "malformed token", "bad signature",
                                  "expired", "wrong audience"])
async def test_an_invoke_without_a_valid_token_is_401(refusing, signing_key, connector, name,
                                                      kind):
    authorization = _bad_requests(signing_key, connector.url)[kind]
    body = activity_json(service_url=connector.url, type="invoke", name=name,
                         value=INVOKES[name])
    response = await post(refusing, body, authorization)
    assert response.status == 401
    assert await response.json() == {"error": "unauthorized"}
    assert connector.received == []


@pytest.mark.parametrize("name", sorted(INVOKES))
async def test_an_invoke_with_a_valid_token_is_answered(secured, signing_key, connector, name):
    """Both are answered in the HTTP response, so no outbound token is needed offline."""
    body = activity_json(service_url=connector.url, type="invoke", name=name,
                         value=INVOKES[name])
    response = await post(secured, body, f"Bearer {token(signing_key, service_url=connector.url)}")
    assert response.status == 200
    answer = await response.json()
    if name == "adaptiveCard/action":
        assert answer["type"] == "application/vnd.microsoft.card.adaptive"
        assert answer["value"]["body"][1]["text"] == "Rådhusets telefontider"
    else:
        first = answer["composeExtension"]["attachments"][0]["preview"]["content"]
        assert first["title"] == "Rådhusets telefontider"


# --- a key endpoint that never answers ---------------------------------------------------


class SilentServer:
    """A local TCP server that accepts every connection and never says a word."""

    def __init__(self):
        self.accepted = 0
        self.connected = asyncio.Event()
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> "SilentServer":
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self

    @property
    def url(self) -> str:
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/.well-known/openidconfiguration"

    async def _accept(self, reader, writer) -> None:
        self.accepted += 1
        self._writers.append(writer)
        self.connected.set()

    async def close(self) -> None:
        for writer in self._writers:
            writer.close()
        self.server.close()
        await self.server.wait_closed()


@pytest.fixture
async def silent(monkeypatch):
    """The silent server, with the adapter giving up on it after 1.5 s instead of 5."""
    monkeypatch.setattr(auth, "KEYS_FETCH_SECONDS", 1.5)
    server = await SilentServer().start()
    yield server
    await server.close()


def silent_keys(silent: SilentServer, *, keys: list | None = None,
                updated: dt.datetime = dt.datetime.min):
    """The channel's metadata, pointed at the silent server (`updated` long ago: due for
    a refresh); returns the undo."""
    metadata = _OpenIdMetadata(silent.url)
    metadata.keys, metadata.last_updated = list(keys or []), updated
    return seed_keys(metadata)


@pytest.fixture
async def secured_silent(start_app, silent):
    restore = silent_keys(silent)
    yield await start_app(app_id=APP_ID, app_password="not-a-real-secret")
    restore()


def forged(url: str) -> str:
    """A token with the Bot Framework's issuer, signed by a key nobody published."""
    return f"Bearer {token(STRANGER, service_url=url, kid='a-key-id-nobody-published')}"


async def post_all(client, connector, n: int) -> list[asyncio.Task]:
    body = activity_json("hjælp", service_url=connector.url)
    return [asyncio.create_task(post(client, body, forged(connector.url))) for _ in range(n)]


async def test_forged_tokens_waiting_for_silent_keys_hold_up_no_other_route(
        secured_silent, silent, connector):
    client = secured_silent
    waiting = await post_all(client, connector, 20)
    await asyncio.wait_for(silent.connected.wait(), 30)  # the key fetch is under way

    assert (await client.get("/healthz")).status == 200
    assert (await client.get("/readyz")).status == 200
    assert (await client.post("/api/chat", json={"text": "hjælp"})).status == 200
    assert not any(task.done() for task in waiting)  # answered while the tokens wait

    responses = await asyncio.wait_for(asyncio.gather(*waiting), 60)
    assert [r.status for r in responses] == [401] * 20
    assert {json.dumps(await r.json()) for r in responses} == {'{"error": "unauthorized"}'}
    assert silent.accepted == 1  # one fetch for all twenty

    # the failed fetch is remembered: the next forged token is refused without a fetch
    [again] = await post_all(client, connector, 1)
    assert (await asyncio.wait_for(again, 60)).status == 401
    assert silent.accepted == 1
    assert connector.received == []


async def test_beyond_max_waiting_a_request_is_503_at_once(secured_silent, silent, connector):
    waiting = await post_all(secured_silent, connector, MAX_WAITING + 5)
    finished: list[int] = []
    for task in waiting:
        task.add_done_callback(lambda t: finished.append(t.result().status))
    responses = await asyncio.wait_for(asyncio.gather(*waiting), 60)
    statuses = sorted(r.status for r in responses)
    assert statuses == [401] * MAX_WAITING + [503] * 5
    assert finished[:5] == [503] * 5  # the ones over the bound did not wait
    busy = next(r for r in responses if r.status == 503)
    assert busy.headers["Retry-After"]
    assert "try again" in (await busy.json())["error"]
    assert silent.accepted == 1


async def test_keys_held_stay_in_use_when_their_refresh_gets_no_answer(start_app, silent,
                                                                       signing_key, connector):
    restore = silent_keys(silent, keys=[our_jwk(signing_key)],
                          updated=dt.datetime.now() - dt.timedelta(days=2))  # due a refresh
    try:
        client = await start_app(app_id=APP_ID, app_password="not-a-real-secret")
        body = activity_json(service_url=connector.url, type="typing")
        good = f"Bearer {token(signing_key, service_url=connector.url)}"
        first = await asyncio.wait_for(post(client, body, good), 60)
        assert first.status == 201  # after the refresh failed, with the keys held
        assert silent.accepted == 1
        assert (await asyncio.wait_for(post(client, body, good), 60)).status == 201
        assert silent.accepted == 1  # the failure is remembered: no second fetch
        assert (await post(client, body, forged(connector.url))).status == 401
    finally:
        restore()


async def test_turns_share_a_connector_and_a_user_token_client_per_app_and_service_url():
    """botbuilder asks for both on every turn; each costs ~10 ms of the event loop to
    build (msrest's retry policy), and a connector client its own connections."""
    authn = adapter.BotEndpoint(Settings(**SECURED), None).adapter.bot_framework_authentication
    ours = ClaimsIdentity({"aud": APP_ID, "appid": APP_ID, "ver": "1.0"}, True)
    emea, amer = "https://smba.trafficmanager.net/emea/", "https://smba.trafficmanager.net/amer/"
    first = await authn.create_connector_factory(ours).create(emea)
    assert await authn.create_connector_factory(ours).create(emea) is first
    assert await authn.create_connector_factory(ours).create(amer) is not first
    assert (await authn.create_user_token_client(ours)
            is await authn.create_user_token_client(ours))
