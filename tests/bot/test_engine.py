"""The engine's one state, and the lexical side answering while the embedding model is
still loading, or for good when it cannot be loaded: labelled as such on every front end."""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import shutil
import threading
import time
from pathlib import Path

from bot.app import create_app
from bot.engine import Engine, NotReady, State
from bot.routes import SEARCH_HEADER
from bot.stores import open_catalog, open_index
from fake_teams import TELEFON_QUESTION, texts
from ingest.pipeline import ingest_paths
from new_minutes import answers_telefon, file_name, redated, telefon_question
from retrieval.embed import Embedder
from retrieval.index import LexicalState
from retrieval.phrasebook import say
from servers import wait_ready


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
    assert engine.status.state == State.LOADING
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
        await until(lambda: engine.status.state == State.LEXICAL)
        # the model is not loaded, so any use of it would wait at the gate: this must not
        asked = await asyncio.wait_for(engine.ask(TELEFON_QUESTION), 30)
        assert asked.lexical and asked.answer.answered
        top = asked.answer.citations[0]
        assert (top.meeting_date.isoformat(), top.punkt) == ("2024-04-24", 7)
        assert not engine.ready and engine.error == ""
    finally:
        gated.gate.set()
        await loading
    assert engine.status.state == State.READY
    assert (await engine.ask(TELEFON_QUESTION)).lexical is False


def counting_builds(monkeypatch) -> list[int]:
    """LexicalState.build, counted: one entry per build."""
    builds: list[int] = []
    build = LexicalState.build.__func__

    def counted(cls, catalog, ledger):
        builds.append(1)
        return build(cls, catalog, ledger)
    monkeypatch.setattr(LexicalState, "build", classmethod(counted))
    return builds


def test_loading_an_index_in_step_builds_its_lexical_side_once(bot_settings, bot_catalog,
                                                               embedder, monkeypatch):
    builds = counting_builds(monkeypatch)
    engine = Engine(bot_settings, bot_catalog, embedder=embedder)
    engine.load_blocking()
    assert engine.ready and len(builds) == 1
    assert engine.status.answerer.ask(TELEFON_QUESTION).answered


async def test_a_meeting_indexed_while_the_model_loads_is_answered_once_loaded(
        bot_settings, bot_catalog, embedder, samples_dir, tmp_path):
    gated = GatedEmbedder(embedder)
    engine = Engine(bot_settings, bot_catalog, embedder=gated)
    loading = asyncio.ensure_future(asyncio.to_thread(engine.load_blocking))
    day = dt.date(2025, 3, 12)
    try:
        await until(lambda: engine.status.state == State.LEXICAL)
        new = tmp_path / file_name(day)
        new.write_text(redated(samples_dir, day), encoding="utf-8")
        assert ingest_paths([new], bot_catalog, progress=False).ok
        # and indexed, as `referatbot ingest` does: nothing is left for loading to index
        open_index(bot_settings, bot_catalog, embedder=embedder).sync(progress=False)
    finally:
        gated.gate.set()
        await loading
    assert engine.ready  # and the words-only state, built before, was not taken as it was
    answer = engine.status.answerer.ask(telefon_question(day))
    assert answers_telefon(answer.to_json(), day)


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



def store_threads() -> int:
    """This process's threads that Chroma's Rust side runs (its runtime, its SQLite pool).
    A thread that ends while they are listed is not counted."""
    names = []
    for t in os.listdir("/proc/self/task"):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            names.append(Path("/proc/self/task", t, "comm").read_text())
    return sum(name.startswith(("tokio", "sqlx")) for name in names)


async def test_a_stopped_app_leaves_no_vector_store_threads_behind(aiohttp_client, bot_settings,
                                                                   embedder, tmp_path):
    """An embedded Chroma client runs its own Rust runtime and SQLite workers until it is
    closed: an app that stops must close it, or every start over another data dir (every
    test here) leaves them running."""
    before = store_threads()
    for n in range(3):
        data_dir = tmp_path / f"copy-{n}"
        shutil.copytree(bot_settings.data_dir, data_dir)
        app = create_app(bot_settings.with_(data_dir=data_dir), embedder=embedder)
        client = await aiohttp_client(app)
        await wait_ready(client)
        await client.close()
    # Tokio's blocking pool lets an idle thread linger for 10 s, and other tests' clients
    # in this worker may hold one for a moment: wait for the count to settle. A leak never
    # settles; three leaked clients leave dozens of threads.
    deadline = time.monotonic() + 30
    while (extra := store_threads() - before) > 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
    assert extra <= 0, f"{extra} more store threads 30 s after 3 apps stopped"
