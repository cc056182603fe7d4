"""The Chroma server going away, for real: a `chroma run` subprocess on a free port is
stopped under the running app, and started again on the same port and --path.

While it is down `serve` stays up, /readyz says 503 and names the server, a question
(Teams message, /api/chat, /api/ask) is told the search is unavailable, the catalog commands (møde,
seneste, punkt) keep working; when it is back the app answers again by itself.
"""
from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import create_app
from fake_teams import TELEFON_QUESTION, activity_json, chat_page, texts
from retrieval.phrasebook import say
from servers import free_port, readyz, wait_for_chroma, wait_ready

#: `chroma run` subprocesses: the full tier only
pytestmark = pytest.mark.slow

RECOVERY_TIMEOUT = 60.0


class ChromaServer:
    """`chroma run --path PATH --port PORT`, started and stopped like an operator would."""

    def __init__(self, path: Path, port: int):
        self.path, self.port = path, port
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> None:
        chroma = Path(sys.executable).with_name("chroma")
        self.proc = subprocess.Popen([str(chroma), "run", "--path", str(self.path),
                                      "--port", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_chroma("127.0.0.1", self.port, timeout, alive=self._alive)

    def _alive(self) -> None:
        assert self.proc.poll() is None, f"chroma run exited with {self.proc.returncode}"

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@pytest.fixture
def server(bot_settings, tmp_path):
    """A Chroma server (not yet started) serving this test's copy of the indexed vectors;
    the data dir keeps no embedded store, so every vector comes from the server."""
    path = tmp_path / "chroma-server"
    shutil.move(bot_settings.chroma_path, path)
    chroma = ChromaServer(path, free_port())
    yield chroma
    chroma.stop()


@pytest.fixture
def start(aiohttp_client, bot_settings, server, embedder):
    async def start_app():
        settings = bot_settings.with_(chroma_host="127.0.0.1", chroma_port=server.port)
        return await aiohttp_client(create_app(settings, embedder=embedder))
    return start_app




async def teams_message(client, connector, text: str, n: int) -> dict:
    """Send `text` as Teams would and return the bot's reply (the n-th the connector got)."""
    response = await client.post("/api/messages", json=activity_json(
        text, service_url=connector.url, activity_id=f"act-{n}"))
    assert response.status == 201
    return (await connector.wait_for(n))[n - 1]


async def assert_unavailable_but_up(client, connector, port: int, n: int) -> None:
    """What a user and a probe see while the store is down."""
    assert (await client.get("/healthz")).status == 200
    status, body = await readyz(client)
    assert status == 503 and body["ready"] is False and body["store"] is False
    assert body["catalog"] is True
    # the reason in words; the store's address only in the log
    assert "vector store does not answer" in body["error"] and str(port) not in body["error"]

    response = await client.get("/api/ask", params={"q": TELEFON_QUESTION})
    assert response.status == 503 and response.headers["Retry-After"]
    assert await response.json() == {"error": say("unavailable")}
    assert await chat_page(client, TELEFON_QUESTION) == [{"text": say("unavailable"), "cards": [],
                                                       "citations": []}]
    reply = await teams_message(client, connector, TELEFON_QUESTION, n)
    assert reply["text"] == say("unavailable") and not reply.get("attachments")

    # what only reads the catalog still works
    [latest] = await chat_page(client, "seneste")
    assert texts(latest["cards"][0])[0] == "Chefforum 24.04.2024"
    [meeting] = await chat_page(client, "møde 15-03-2023")
    assert texts(meeting["cards"][0])[0] == "Chefforum 15.03.2023"
    [punkt] = await chat_page(client, "punkt 24-04-2024 7")
    assert texts(punkt["cards"][0])[1] == "Rådhusets telefontider"


async def assert_answers(client, connector, n: int) -> None:
    response = await client.get("/api/ask", params={"q": TELEFON_QUESTION})
    assert response.status == 200
    top = (await response.json())["citations"][0]
    assert (top["meeting_date"], top["punkt"]) == ("2024-04-24", 7)
    reply = await teams_message(client, connector, TELEFON_QUESTION, n)
    card = reply["attachments"][0]["content"]
    assert "Rådhusets telefontider" in " ".join(texts(card))


async def test_server_down_at_start_up_then_started(start, server, connector):
    client = await start()
    # the first load attempt fails at once (connection refused), and says so
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while "error" not in (body := (await readyz(client))[1]) \
            or body["error"] == "loading the model and the index":
        assert loop.time() < deadline, body
        await asyncio.sleep(0.1)
    assert body["model"] is False
    await assert_unavailable_but_up(client, connector, server.port, n=1)

    await asyncio.to_thread(server.start)
    ready = await wait_ready(client, timeout=RECOVERY_TIMEOUT)
    assert ready == {"ready": True, "model": True, "store": True, "catalog": True}
    await assert_answers(client, connector, n=2)


async def test_server_goes_down_while_serving_and_comes_back(start, server, connector):
    await asyncio.to_thread(server.start)
    client = await start()
    await wait_ready(client, timeout=60)
    await assert_answers(client, connector, n=1)

    await asyncio.to_thread(server.stop)
    await assert_unavailable_but_up(client, connector, server.port, n=2)
    status, body = await readyz(client)
    assert body["model"] is True  # the engine itself is intact

    await asyncio.to_thread(server.start)  # same port, same --path
    await wait_ready(client, timeout=RECOVERY_TIMEOUT)
    await assert_answers(client, connector, n=3)
    # and a second question is no accident
    await assert_answers(client, connector, n=4)
