"""With MicrosoftAppId set, /api/messages takes only activities carrying a valid Bot
Framework token: every other kind of request is a 401, never a 500, and never answered.

Offline, with our own signing key: botbuilder fetches the channel's signing keys from an
OpenID metadata URL and caches them in `JwtTokenExtractor.metadataCache`; the test seeds
that cache with our key (endorsed for msteams, as the real keys are) and signs its own
tokens, good and bad.
"""
from __future__ import annotations

import datetime as dt
import json

import jwt
import pytest
from botframework.connector.auth import AuthenticationConstants, JwtTokenExtractor
from botframework.connector.auth.jwt_token_extractor import _OpenIdMetadata
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from fake_teams import activity_json, execute_value

APP_ID = "00000000-1111-2222-3333-444444444444"
KID = "referatbot-test-key"
METADATA_URL = AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
ISSUER = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture
def channel_keys(signing_key):
    """Our public key where botbuilder looks for the channel's keys; restored after."""
    jwk = json.loads(RSAAlgorithm.to_jwk(signing_key.public_key()))
    jwk.update(kid=KID, use="sig", endorsements=["msteams"])
    metadata = _OpenIdMetadata(METADATA_URL)
    metadata.keys = [jwk]
    metadata.last_updated = dt.datetime.now()  # fresh: no refresh over the network
    saved = JwtTokenExtractor.metadataCache.get(METADATA_URL)
    JwtTokenExtractor.metadataCache[METADATA_URL] = metadata
    yield
    if saved is None:
        JwtTokenExtractor.metadataCache.pop(METADATA_URL, None)
    else:
        JwtTokenExtractor.metadataCache[METADATA_URL] = saved


@pytest.fixture
async def secured(start_app, channel_keys):
    return await start_app(app_id=APP_ID, app_password="not-a-real-secret")


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


def _bad_requests(key, other_key, url: str) -> dict[str, str | None]:
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
        "bad signature": f"Bearer {token(other_key, service_url=url)}",
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


BAD_KINDS = list(_bad_requests(new_key(), new_key(), "http://x").keys())


@pytest.mark.parametrize("kind", BAD_KINDS)
async def test_every_bad_token_is_401_and_not_answered(secured, signing_key, connector, kind):
    authorization = _bad_requests(signing_key, new_key(), connector.url)[kind]
    response = await post(secured, activity_json("hjælp", service_url=connector.url),
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
async def test_a_body_no_activity_can_be_is_400_on_the_secured_endpoint(secured, data, caplog):
    response = await secured.post("/api/messages", data=data,
                                  headers={"Content-Type": "application/json",
                                           "Authorization": "Bearer x.y.z"})
    assert response.status == 400
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


INVOKES = {
    "adaptiveCard/action": execute_value({"command": "punkt", "date": "2024-04-24", "punkt": 7}),
    "composeExtension/query": {"commandId": "searchPunkter",
                               "parameters": [{"name": "q", "value": "telefontider"}],
                               "queryOptions": {"skip": 0, "count": 5}},
}


@pytest.mark.parametrize("name", sorted(INVOKES))
@pytest.mark.parametrize("kind", ["missing header", "malformed token", "bad signature",
                                  "expired", "wrong audience"])
async def test_an_invoke_without_a_valid_token_is_401(secured, signing_key, connector, name,
                                                      kind):
    authorization = _bad_requests(signing_key, new_key(), connector.url)[kind]
    body = activity_json(service_url=connector.url, type="invoke", name=name,
                         value=INVOKES[name])
    response = await post(secured, body, authorization)
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
