"""The answerer the server shares between all chats: loaded once, in the background.

Loading the embedding model and bringing the index up to date with the catalog can take
from seconds to minutes (a fresh data dir indexes every meeting), so the server starts
listening first: `/healthz` answers at once, `/readyz` says 503 until the engine is
ready, and commands that only read the catalog (`møde`, `seneste`, `punkt`) work
meanwhile. Retrieval blocks (Chroma, SQLite, encoding), so every question runs in a
worker thread.

A Chroma server that does not answer (down at start-up, or going down while serving)
does not stop the server: loading is tried again in the background with a bounded
backoff, a question that fails on the store raises StoreUnavailable (the user gets
UNAVAILABLE) and leaves the engine as it was, and the next question after the server is
back is answered.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.resources import open_index
from bot.settings import Settings
from ingest.catalog import Catalog
from retrieval.answer import Answerer
from retrieval.embed import Embedder
from retrieval.index import SearchIndex
from retrieval.model import Answer
from retrieval.store import StoreUnavailable, connect

log = logging.getLogger(__name__)
#: Asked once after loading, so the first real question does not pay for warming up.
WARM_UP_QUESTION = "hvad besluttede CF om telefontider?"
#: What a user is told when the vector store does not answer.
UNAVAILABLE = "Søgningen er midlertidigt utilgængelig – prøv igen om lidt."
#: Seconds before loading again after the store did not answer; doubled up to RETRY_MAX.
RETRY_FIRST = 1.0
RETRY_MAX = 15.0


class NotReady(RuntimeError):
    """The engine has not finished loading (or loading failed)."""


class Engine:
    def __init__(self, settings: Settings, catalog: Catalog, *, embedder: Embedder | None = None,
                 retry_first: float = RETRY_FIRST, retry_max: float = RETRY_MAX):
        self.settings = settings
        self.catalog = catalog
        self.embedder = embedder
        self.index: SearchIndex | None = None
        self.answerer: Answerer | None = None
        #: why loading failed, as a sentence; empty while loading or once loaded
        self.error = ""
        #: the catalog's ingest sequence the search index was built at
        self.loaded_seq = -1
        #: loading failed because the vector store did not answer; `load` tries again
        self.store_down = False
        self.retry_first, self.retry_max = retry_first, retry_max
        self._stopping = asyncio.Event()

    @property
    def ready(self) -> bool:
        return self.answerer is not None

    @property
    def store_label(self) -> str:
        """The vector store, as /readyz and the log name it."""
        s = self.settings
        if s.chroma_host:
            return f"the Chroma server at {s.chroma_host}:{s.chroma_port}"
        return f"the embedded Chroma store in {s.chroma_path}"

    async def load(self) -> None:
        """Load in a worker thread; never raises (see `error`). While loading fails because
        the store does not answer, load again after RETRY_FIRST seconds, then twice as
        long each time up to RETRY_MAX, until loaded or `stop()`."""
        wait = self.retry_first
        while not self._stopping.is_set():
            await asyncio.to_thread(self.load_blocking)
            if self.ready or not self.store_down:
                return
            log.warning("%s does not answer; loading again in %.0f s", self.store_label, wait)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), wait)
            wait = min(wait * 2, self.retry_max)

    def stop(self) -> None:
        """Stop retrying to load (at shutdown); a load in progress runs to its end."""
        self._stopping.set()

    def load_blocking(self) -> None:
        """Load the model, bring the index up to date with the catalog, warm up. A failure
        is logged and kept in `error`, for /readyz; the server stays up without answers."""
        try:
            index = open_index(self.settings, self.catalog, embedder=self.embedder)
            index.embedder.load()
            indexed = index.sync(progress=False)
            if indexed:
                log.info("indexed %d meeting(s) the index lagged behind", indexed)
            answerer = Answerer(index)
            answerer.ask(WARM_UP_QUESTION)
            self.loaded_seq = self.catalog.max_seq()
            self.embedder = index.embedder  # loaded: a later load must not load it again
            self.index, self.answerer = index, answerer
            self.error, self.store_down = "", False
            log.info("engine ready: %d punkter searchable", len(index.refs))
        except Exception as e:  # reported on /readyz and in the log; the server stays up
            self.store_down = isinstance(e, StoreUnavailable) or not self._server_answers()
            if self.store_down:
                log.warning("the search engine could not be loaded: %s", e)
                self.error = (str(e) if isinstance(e, StoreUnavailable) else
                              f"{self.store_label} does not answer: {type(e).__name__}: {e}")
            else:
                log.exception("the search engine could not be loaded")
                self.error = f"{type(e).__name__}: {e}"

    def _server_answers(self) -> bool:
        """False when a Chroma server is configured and does not answer a heartbeat."""
        if not self.settings.chroma_host:
            return True
        try:
            connect(host=self.settings.chroma_host, port=self.settings.chroma_port).heartbeat()
            return True
        except Exception:  # refused, reset, timed out: not answering
            return False

    async def refresh(self) -> bool:
        """Take in meetings ingested since loading (`referatbot ingest` while the server
        runs): a new index is built beside the one in use and swapped in whole, so no
        question sees half of each. Returns True if it changed anything."""
        if self.index is None or await asyncio.to_thread(self.catalog.max_seq) == self.loaded_seq:
            return False
        return await asyncio.to_thread(self._refresh_blocking)

    def _refresh_blocking(self) -> bool:
        seq = self.catalog.max_seq()
        index = SearchIndex(self.catalog, self.index.store, self.index.embedder)
        indexed = index.sync(progress=False)
        self.index, self.answerer, self.loaded_seq = index, Answerer(index), seq
        log.info("search index refreshed: %d meeting(s) indexed, %d punkter searchable",
                 indexed, len(index.refs))
        return True

    async def ask(self, question: str) -> Answer:
        """The answer; StoreUnavailable when the vector store does not answer (loaded or
        not), NotReady while loading or after loading failed for another reason."""
        answerer = self.answerer
        if answerer is None:
            if self.store_down:
                raise StoreUnavailable(self.error)
            raise NotReady(self.error or "the search engine is still loading")
        return await asyncio.to_thread(self._ask_blocking, answerer, question)

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
        store = False
        if self.index is not None:
            store = await asyncio.to_thread(self.index.store.heartbeat)
        catalog = await asyncio.to_thread(self._catalog_answers)
        return {"model": self.ready, "store": store, "catalog": catalog}

    def _catalog_answers(self) -> bool:
        try:
            self.catalog.count()
            return True
        except Exception:  # a closed or broken database file
            log.exception("the catalog does not answer")
            return False
