"""The PostgreSQL catalog going away, for real: a PostgreSQL cluster of this test's own is
stopped under the running app (`pg_ctl stop -m fast`, as for a restart or an upgrade) and
started again on the same port and data dir.

While it is down `serve` stays up, /readyz says 503 and that the catalog does not answer
(in words, no address), a question the index can still answer from the catalog's
remembered reads is answered, and what needs the database is told the search is
unavailable (never "sorry", never a 500); when it is back the app reconnects by itself:
ready again, the catalog commands and writes (a subscription) work, without a restart.
"""
from __future__ import annotations

import asyncio

import pytest

from bot.app import create_app
from bot.app_keys import subscriptions_key
from bot.stores import open_catalog
from catalogs import PostgresServer
from fake_teams import TELEFON_QUESTION, activity_json, chat_page, texts
from ingest.pipeline import ingest_paths
from retrieval.phrasebook import say
from servers import free_port, readyz, wait_ready

#: a PostgreSQL cluster stopped and started: the full tier only
pytestmark = pytest.mark.slow
RECOVERY_TIMEOUT = 60.0
CHANNEL = "19:chefgruppen@thread.tacv2"


@pytest.fixture
def postgres():
    server = PostgresServer(free_port()).create()
    yield server
    server.remove()


@pytest.fixture
async def client(aiohttp_client, bot_settings, postgres, samples_dir, embedder):
    settings = bot_settings.with_(catalog_url=postgres.url)
    with open_catalog(settings) as catalog:
        assert ingest_paths([samples_dir], catalog, progress=False).ok
    client = await aiohttp_client(create_app(settings, embedder=embedder))
    await wait_ready(client, timeout=120)
    return client


async def teams(client, connector, text: str, n: int) -> dict:
    """`text` as Teams sends it; the bot's reply (the n-th the connector got)."""
    response = await client.post("/api/messages", json=activity_json(
        text, service_url=connector.url, activity_id=f"act-{n}",
        conversation={"id": CHANNEL, "conversationType": "channel",
                      "tenantId": "tenant-1"}))
    assert response.status == 201
    return (await connector.wait_for(n))[n - 1]


async def ask(client, question: str):
    return await client.get("/api/ask", params={"q": question})


async def test_postgres_stopped_under_the_app_then_started(client, postgres, connector):
    response = await ask(client, TELEFON_QUESTION)
    assert response.status == 200
    before = await response.json()

    await asyncio.to_thread(postgres.stop)
    assert (await client.get("/healthz")).status == 200
    status, body = await readyz(client)
    assert status == 503 and body["ready"] is False and body["catalog"] is False
    assert body["model"] is True and body["store"] is True
    assert body["error"] == "the catalog database does not answer (the server log has the details)"

    # answered from the index and what the catalog read for it before
    response = await ask(client, TELEFON_QUESTION)
    assert response.status == 200 and await response.json() == before
    reply = await teams(client, connector, TELEFON_QUESTION, 1)
    assert "Rådhusets telefontider" in " ".join(texts(reply["attachments"][0]["content"]))
    # what needs the database is unavailable, in words
    assert await chat_page(client, "møde 15-03-2023") == [{"text": say("unavailable"), "cards": [],
                                                       "citations": []}]
    assert (await teams(client, connector, "abonner", 2))["text"] == say("unavailable")

    await asyncio.to_thread(postgres.start)  # same port, same data dir
    ready = await wait_ready(client, timeout=RECOVERY_TIMEOUT)
    assert ready == {"ready": True, "model": True, "store": True, "catalog": True}
    [meeting] = await chat_page(client, "møde 15-03-2023")
    assert texts(meeting["cards"][0])[0] == "Chefforum 15.03.2023"
    assert (await teams(client, connector, "abonner", 3))["text"] != say("unavailable")
    subscription = await asyncio.to_thread(client.app[subscriptions_key].get, CHANNEL)
    assert subscription is not None and subscription.active  # written after the restart
    assert (await ask(client, "hvem er sikkerhedskoordinator?")).status == 200
