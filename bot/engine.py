"""The answerer the server shares between all chats: loaded once, in the background.

Loading the embedding model and bringing the index up to date with the catalog can take
from seconds to minutes (a fresh data dir indexes every meeting), so the server starts
listening first: `/healthz` answers at once, `/readyz` says 503 until the engine is
ready, and commands that only read the catalog (`møde`, `seneste`, `punkt`) work
meanwhile. Retrieval blocks (Chroma, SQLite, encoding), so every question runs in a
worker thread.
"""
from __future__ import annotations

import asyncio
import logging

from bot.resources import open_index
from bot.settings import Settings
from ingest.catalog import Catalog
from retrieval.answer import Answerer
from retrieval.embed import Embedder
from retrieval.index import SearchIndex
from retrieval.model import Answer

log = logging.getLogger(__name__)
#: Asked once after loading, so the first real question does not pay for warming up.
WARM_UP_QUESTION = "hvad besluttede CF om telefontider?"


class NotReady(RuntimeError):
    """The engine has not finished loading (or loading failed)."""


class Engine:
    def __init__(self, settings: Settings, catalog: Catalog, *, embedder: Embedder | None = None):
        self.settings = settings
        self.catalog = catalog
        self.embedder = embedder
        self.index: SearchIndex | None = None
        self.answerer: Answerer | None = None
        #: why loading failed, as a sentence; empty while loading or once loaded
        self.error = ""
        #: the catalog's ingest sequence the search index was built at
        self.loaded_seq = -1

    @property
    def ready(self) -> bool:
        return self.answerer is not None

    async def load(self) -> None:
        """Load in a worker thread; never raises (see `error`)."""
        await asyncio.to_thread(self.load_blocking)

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
            self.index, self.answerer = index, answerer
            log.info("engine ready: %d punkter searchable", len(index.refs))
        except Exception as e:  # reported on /readyz and in the log; the server stays up
            log.exception("the search engine could not be loaded")
            self.error = f"{type(e).__name__}: {e}"

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
        if self.answerer is None:
            raise NotReady(self.error or "the search engine is still loading")
        return await asyncio.to_thread(self.answerer.ask, question)

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
