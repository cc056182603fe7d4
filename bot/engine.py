"""The answerer the server shares between all chats: loaded once, in the background.

Loading the embedding model and bringing the index up to date with the catalog can take
from seconds to minutes (a fresh data dir indexes every meeting), so the server starts
listening first: `/healthz` answers at once, `/readyz` says 503 until the engine is
ready, and commands that only read the catalog (`møde`, `seneste`, `punkt`) work
meanwhile. Questions are answered from the lexical side alone as soon as the index is
open (seconds), labelled as such, until the model has loaded, and for good when it
cannot be loaded: the lexical side is strong on its own (design.md). Retrieval blocks (Chroma, SQLite, encoding), so every question runs in a
worker thread.

A PostgreSQL catalog that restarts is reconnected to by ingest/db.py; meanwhile /readyz
says the catalog does not answer, and the index in memory answers what the catalog's
remembered reads can quote (ingest/catalog.py `remembered`).

A Chroma server that does not answer (down at start-up, or going down while serving)
does not stop the server: loading is tried again in the background with a bounded
backoff, a question that fails on the store raises StoreUnavailable (the user is told the search
is unavailable) and leaves the engine as it was, and the next question after the server is
back is answered.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.settings import Settings
from bot.stores import open_index
from ingest.catalog import Catalog
from ingest.db import CatalogUnavailable
from retrieval.answer import Answerer
from retrieval.browse import Match, browse
from retrieval.embed import Embedder
from retrieval.index import LexicalState, SearchIndex
from retrieval.model import Answer
from retrieval.search import Searcher
from retrieval.store import StoreUnavailable, connect

log = logging.getLogger(__name__)
#: Asked once after loading, so the first real question does not pay for warming up.
WARM_UP_QUESTION = "hvad besluttede CF om telefontider?"
#: Seconds before loading again after the store did not answer; doubled up to RETRY_MAX.
RETRY_FIRST = 1.0
RETRY_MAX = 15.0


class State(StrEnum):
    """The engine's states. LEXICAL answers from the words alone: the model is still
    loading (no error), or could not be loaded (the error says why). STORE_DOWN: the
    vector store or the catalog's database did not answer while loading (retried)."""

    LOADING = "loading"
    LEXICAL = "lexical"
    READY = "ready"
    STORE_DOWN = "store down"
    FAILED = "failed"


class NotReady(RuntimeError):
    """Nothing can answer yet (loading), or loading failed (`failed`)."""

    def __init__(self, message: str, *, failed: bool = False):
        super().__init__(message)
        self.failed = failed


@dataclass(frozen=True)
class Status:
    """The engine at one moment, replaced whole: a question sees one state or the next."""

    state: State = State.LOADING
    #: why loading failed, as a sentence; empty while loading or once loaded
    error: str = ""
    index: SearchIndex | None = None
    answerer: Answerer | None = None
    #: the catalog's ingest sequence the search index was built at
    loaded_seq: int = -1


@dataclass(frozen=True)
class Asked:
    answer: Answer
    #: found by the lexical side alone (the model is loading or missing): say so
    lexical: bool = False


class Engine:
    def __init__(self, settings: Settings, catalog: Catalog, *, embedder: Embedder | None = None,
                 retry_first: float = RETRY_FIRST, retry_max: float = RETRY_MAX):
        self.settings = settings
        self.catalog = catalog
        self.embedder = embedder
        self.status = Status()
        self.retry_first, self.retry_max = retry_first, retry_max
        self._stopping = asyncio.Event()
        self._refreshing = asyncio.Lock()

    @property
    def ready(self) -> bool:
        return self.status.state == State.READY

    @property
    def error(self) -> str:
        return self.status.error

    @property
    def store_label(self) -> str:
        """The vector store, as /readyz and the log name it."""
        s = self.settings
        if s.chroma_host:
            return f"the Chroma server at {s.chroma_host}:{s.chroma_port}"
        return f"the embedded Chroma store in {s.chroma_path}"

    async def load(self) -> None:
        """Load in a worker thread; never raises (see `status`). While loading fails
        because the store does not answer, load again after RETRY_FIRST seconds, then
        twice as long each time up to RETRY_MAX, until loaded or `stop()`."""
        wait = self.retry_first
        while not self._stopping.is_set():
            await asyncio.to_thread(self.load_blocking)
            if self.status.state != State.STORE_DOWN:
                return
            log.warning("%s does not answer; loading again in %.0f s", self.store_label, wait)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), wait)
            wait = min(wait * 2, self.retry_max)

    def stop(self) -> None:
        """Stop retrying to load (at shutdown); a load in progress runs to its end."""
        self._stopping.set()

    def close(self) -> None:
        """Close the vector store (at shutdown, once loading has ended and the bot has
        answered what it was asked)."""
        if self.status.index is not None:
            self.status.index.store.close()

    def load_blocking(self) -> None:
        """Open the index and answer from its lexical side at once, then load the model,
        bring the index up to date with the catalog and warm up. A failure is logged and
        kept in `status.error`, for /readyz; the server stays up."""
        try:
            index = open_index(self.settings, self.catalog, embedder=self.embedder)
            if self.status.state == State.LOADING:  # not on a retry: the store was down
                self.status = _lexical(self.catalog, index, error="")
        except Exception as e:  # reported on /readyz and in the log; the server stays up
            self.status = self._failed(e)
            return
        try:
            self.embedder = index.embedder.load()  # loaded: a retry must not load it again
        except Exception as e:  # the model is missing or broken: words only, from now on
            log.exception("the embedding model could not be loaded; answering from the words alone")
            self.status = _lexical(self.catalog, index, error=f"{type(e).__name__}: {e}")
            return
        try:
            # read before syncing: a meeting ingested meanwhile (the inbox) is then newer
            # than the index, and the next refresh takes it in
            seq = self.catalog.max_seq()
            words_only = self.status  # built at loaded_seq: still true if nothing came since
            built = words_only.index.state if words_only.state == State.LEXICAL \
                and words_only.loaded_seq == seq else None
            indexed = index.sync(progress=False, built=built)
            if indexed:
                log.info("indexed %d meeting(s) the index lagged behind", indexed)
            answerer = Answerer(index)
            answerer.ask(WARM_UP_QUESTION)
            self.status = Status(State.READY, "", index, answerer, seq)
            log.info("engine ready: %d punkter searchable", len(index.refs))
        except Exception as e:
            self.status = self._failed(e)

    def _failed(self, e: Exception) -> Status:
        down = isinstance(e, (StoreUnavailable, CatalogUnavailable))
        if down or not self._server_answers():
            log.warning("the search engine could not be loaded: %s", e)
            return Status(State.STORE_DOWN, str(e) if down else
                          f"{self.store_label} does not answer: {type(e).__name__}: {e}")
        log.exception("the search engine could not be loaded")
        return Status(State.FAILED, f"{type(e).__name__}: {e}")

    def _server_answers(self) -> bool:
        """False when a Chroma server is configured and does not answer a heartbeat."""
        if not self.settings.chroma_host:
            return True
        try:
            connect(host=self.settings.chroma_host, port=self.settings.chroma_port).heartbeat()
            return True
        except Exception:  # refused, reset, timed out: not answering
            return False

    def lexical_state(self) -> LexicalState | None:
        """The words' index now (what the digest matches topics on); None while loading."""
        index = self.status.index
        return index.state if index is not None else None

    async def refresh(self) -> bool:
        """Take in meetings ingested since loading (`referatbot ingest` while the server
        runs): a new index is built beside the one in use and swapped in whole, so no
        question sees half of each. Returns True if it changed anything."""
        async with self._refreshing:  # the refresh loop and the inbox: one at a time
            if not await asyncio.to_thread(self._refresh_due):
                return False
            await asyncio.to_thread(self._refresh_blocking)
            return True

    def _refresh_due(self) -> bool:
        status = self.status
        final = status.state == State.READY or (status.state == State.LEXICAL and status.error)
        return bool(final) and self.catalog.max_seq() != status.loaded_seq

    def _refresh_blocking(self) -> None:
        status, seq = self.status, self.catalog.max_seq()
        if status.state == State.LEXICAL:  # the model is missing: the lexical side alone
            self.status = _lexical(self.catalog, status.index, error=status.error)
            return
        index = SearchIndex(self.catalog, status.index.store, status.index.embedder,
                            aliases=status.index.aliases)
        indexed = index.sync(progress=False)
        self.status = replace(status, index=index, answerer=Answerer(index), loaded_seq=seq)
        log.info("search index refreshed: %d meeting(s) indexed, %d punkter searchable",
                 indexed, len(index.refs))

    async def ask(self, question: str) -> Asked:
        """The only gate to the answerer: the answer, and whether the lexical side alone
        found it. StoreUnavailable when the vector store does not answer (loaded or not),
        NotReady while nothing can answer yet or after loading failed."""
        status = _answering(self.status)
        answer = await asyncio.to_thread(self._ask_blocking, status.answerer, question)
        return Asked(answer, lexical=status.state == State.LEXICAL)

    async def search(self, words: str, *, skip: int = 0, count: int = 25) -> list[Match]:
        """The punkter matching a few typed words, a page at a time (`retrieval.browse`),
        on the lexical side alone: it answers as soon as the index is open, never waits
        for the model or the vector store, and stays far within Teams' 5 seconds for a
        compose-box search (scripts/bench_compose.py). Raises as `ask` does."""
        index = _answering(self.status).index
        return await asyncio.to_thread(browse, index, words, skip=skip, count=count,
                                       searcher=Searcher(index, dense_weight=0.0))

    def _ask_blocking(self, answerer: Answerer, question: str) -> Answer:
        try:
            return answerer.ask(question)
        except Exception as e:
            if isinstance(e, StoreUnavailable) or not answerer.index.store.heartbeat():
                raise StoreUnavailable(f"{self.store_label} does not answer: "
                                       f"{type(e).__name__}: {e}") from e
            raise

    async def check(self) -> dict[str, bool]:
        """What /readyz reports: each part and whether it works right now."""
        index, store = self.status.index, False
        if index is not None:
            store = await asyncio.to_thread(index.store.heartbeat)
        catalog = await asyncio.to_thread(self._catalog_answers)
        return {"model": self.ready, "store": store, "catalog": catalog}

    def _catalog_answers(self) -> bool:
        try:
            self.catalog.count()
            return True
        except CatalogUnavailable as e:  # the PostgreSQL server is down or restarting
            log.warning("%s", e)
            return False
        except Exception:  # a closed or broken database file
            log.exception("the catalog does not answer")
            return False


def _answering(status: Status) -> Status:
    """`status` if it can answer; else StoreUnavailable or NotReady saying why not."""
    if status.answerer is None:
        if status.state == State.STORE_DOWN:
            raise StoreUnavailable(status.error)
        raise NotReady(status.error or "the search engine is still loading",
                       failed=status.state == State.FAILED)
    return status


def _lexical(catalog: Catalog, index: SearchIndex, *, error: str) -> Status:
    """Words only: a lexical index of the whole catalog beside `index` (which may still be
    syncing), answered without the embedding model."""
    seq = catalog.max_seq()  # before reading: what is ingested meanwhile is newer
    lexical = SearchIndex(catalog, index.store, index.embedder, aliases=index.aliases)
    lexical.load_lexical()
    log.info("answering from the words alone: %d punkter searchable", len(lexical.refs))
    return Status(State.LEXICAL, error, lexical, Answerer.lexical(lexical), seq)

