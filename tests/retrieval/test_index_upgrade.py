"""A data dir indexed before the catalog recorded chunk ids: the next sync re-indexes it,
so the dense rerank of lexical candidates (which looks chunks up by id) works again, and
it does so from the stored vectors, without embedding anything again."""
from __future__ import annotations

import sqlite3

import numpy as np

from bot.resources import open_catalog, open_index
from bot.settings import Settings
from ingest.pipeline import ingest_paths
from retrieval.embed import Embedder


class CountingEmbedder(Embedder):
    """The session's real model; counts the passages it is asked to embed."""

    def __init__(self, real: Embedder):
        super().__init__(real.name)
        self._model = real._model
        self.real = real
        self.passages_embedded = 0

    def passages(self, texts, *, progress=False) -> np.ndarray:
        self.passages_embedded += len(texts)
        return self.real.passages(texts, progress=progress)


def test_an_index_without_chunk_ids_is_rebuilt_from_its_vectors(tmp_path, sample, embedder):
    settings = Settings(data_dir=tmp_path / "data")
    with open_catalog(settings) as catalog:
        ingest_paths([sample("2024-04-24")], catalog, progress=False)
        index = open_index(settings, catalog, embedder=embedder)
        assert index.sync(progress=False) == 1
        chunks = index.store.count()
        keys = {r.key for r in index.refs}
        assert set(index.state.chunk_ids) == keys
    # the catalog as it was before the chunk_ids column
    db = sqlite3.connect(settings.catalog_path)
    db.execute("ALTER TABLE meetings DROP COLUMN chunk_ids")
    db.commit()
    db.close()

    counting = CountingEmbedder(embedder)
    with open_catalog(settings) as catalog:
        assert len(list(catalog.iter_meetings(stale_only=True))) == 1
        index = open_index(settings, catalog, embedder=counting)
        assert index.sync(progress=False) == 1
        assert counting.passages_embedded == 0
        assert index.store.count() == chunks
        assert set(index.state.chunk_ids) == keys
        assert index.sync(progress=False) == 0
