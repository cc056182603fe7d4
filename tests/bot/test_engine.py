"""The engine's one state, and the lexical side answering while the embedding model is
still loading, or for good when it cannot be loaded: labelled as such on every front end."""
from __future__ import annotations

import asyncio
import threading

from bot.app import create_app
from bot.engine import LEXICAL, LOADING, READY, Engine, NotReady
from bot.resources import open_catalog
from bot.routes import SEARCH_HEADER
from bot.texts import say
from fake_teams import TELEFON_QUESTION, texts
from ingest.pipeline import ingest_paths
from retrieval.embed import Embedder


class GatedEmbedder(Embedder):
    """The session's model, which finishes loading only when the test opens the gate."""

    def __init__(self, loaded: Embedder):
        super().__init__(loaded.name)
        self.loaded, self.gate = loaded, threading.Event()

    def load(self) -> "GatedEmbedder":
        assert self.gate.wait(60), "the model was never let through"
        self._model = self.loaded._model
        return self


async def until(predicate, seconds: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_before_loading_nothing_answers(bot_settings, bot_catalog):
    engine = Engine(bot_settings, bot_catalog)
    assert engine.status.state == LOADING
    try:
        await engine.ask(TELEFON_QUESTION)
    except NotReady as e:
        assert not e.failed
    else:
        raise AssertionError("answered before loading")


async def test_the_lexical_side_answers_while_the_model_loads(bot_settings, bot_catalog, embedder):
    gated = GatedEmbedder(embedder)
    engine = Engine(bot_settings, bot_catalog, embedder=gated)
    loading = asyncio.ensure_future(asyncio.to_thread(engine.load_blocking))
    try:
        await until(lambda: engine.status.state == LEXICAL)
        # the model is not loaded, so any use of it would wait at the gate: this must not
        asked = await asyncio.wait_for(engine.ask(TELEFON_QUESTION), 30)
        assert asked.lexical and asked.answer.answered
        top = asked.answer.citations[0]
        assert (top.meeting_date.isoformat(), top.punkt) == ("2024-04-24", 7)
        assert not engine.ready and engine.error == ""
    finally:
        gated.gate.set()
        await loading
    assert engine.status.state == READY
    assert (await engine.ask(TELEFON_QUESTION)).lexical is False


async def test_without_a_model_the_words_answer_and_every_front_end_says_so(
        aiohttp_client, settings, samples_dir):
    # the minutes in the catalog, never indexed: no model could embed them
    with open_catalog(settings) as catalog:
        assert ingest_paths([samples_dir], catalog, progress=False).ok
    missing = settings.with_(embedding_model=str(settings.data_dir / "no-such-model"))
    client = await aiohttp_client(create_app(missing))
    for _ in range(600):
        body = await (await client.get("/readyz")).json()
        if body.get("error") != "loading the model and the index":
            break
        await asyncio.sleep(0.05)
    assert body["ready"] is False and body["model"] is False and "failed to load" in body["error"]
    assert "no-such-model" not in body["error"]

    response = await client.get("/api/ask", params={"q": TELEFON_QUESTION})
    assert response.status == 200 and response.headers[SEARCH_HEADER] == "lexical"
    top = (await response.json())["citations"][0]
    assert (top["meeting_date"], top["punkt"]) == ("2024-04-24", 7)

    chat = await client.post("/api/chat", json={"text": TELEFON_QUESTION})
    [reply] = (await chat.json())["replies"]
    shown = texts(reply["cards"][0])
    assert "[1]" in reply["text"] and shown[0] == "Kilder" and say("lexical_only") in shown
