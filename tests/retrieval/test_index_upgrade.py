"""Data dirs from older releases. Before the index kept its own ledger (retrieval/ledger.py)
the catalog's `meetings` table held the indexed content hash, and since a later release the
chunk ids too: a catalog with either hands them to the ledger, and its meetings are
re-indexed on the next sync (those releases embedded no sentences, and without chunk ids
the dense rerank could not find the chunks), from the stored vectors. A data dir indexed
before sentences were embedded is re-indexed once, embedding its sentences and none of its
chunks."""
from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest

from bot.settings import Settings
from bot.stores import open_catalog, open_index
from ingest.pipeline import ingest_paths
from retrieval.embed import Embedder
from retrieval.sentences import embed_text, is_sentence_id, sentences


class CountingEmbedder(Embedder):
    """The session's real model; counts the passages it is asked to embed."""

    def __init__(self, real: Embedder):
        super().__init__(real.name)
        self._model = real._model
        self.real = real
        self.passages_embedded = 0
        self.texts: list[str] = []

    def passages(self, texts, *, progress=False) -> np.ndarray:
        self.passages_embedded += len(texts)
        self.texts.extend(texts)
        return self.real.passages(texts, progress=progress)


#: The tables of a catalog from before the ledger's own table (and the bot's).
CATALOG_TABLES = {"meetings", "punkter", "sources", "settings"}


def as_an_older_release_left_it(catalog_path, *, chunk_ids: bool) -> None:
    """Move the ledger back into the catalog's meetings table, as an older release kept
    it (with or without the chunk_ids column), and drop every table that release did
    not have, the ledger's and schema_version among them."""
    db = sqlite3.connect(catalog_path)
    db.execute("ALTER TABLE meetings ADD COLUMN indexed_hash TEXT")
    db.execute("UPDATE meetings SET indexed_hash=(SELECT indexed_hash FROM index_ledger i "
               "WHERE i.forum=meetings.forum AND i.meeting_date=meetings.meeting_date)")
    if chunk_ids:
        db.execute("ALTER TABLE meetings ADD COLUMN chunk_ids TEXT NOT NULL DEFAULT '[]'")
        db.execute("UPDATE meetings SET chunk_ids=(SELECT chunk_ids FROM index_ledger i "
                   "WHERE i.forum=meetings.forum AND i.meeting_date=meetings.meeting_date)")
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
        if table not in CATALOG_TABLES:
            db.execute(f"DROP TABLE {table}")
    db.commit()
    db.close()


@pytest.mark.parametrize("chunk_ids", [True, False], ids=["with chunk ids", "before chunk ids"])
def test_an_older_catalog_hands_its_ledger_over(tmp_path, sample, embedder, chunk_ids):
    settings = Settings(data_dir=tmp_path / "data")
    with open_catalog(settings) as catalog:
        ingest_paths([sample("2024-04-24")], catalog, progress=False)
        index = open_index(settings, catalog, embedder=embedder)
        assert index.sync(progress=False) == 1
        chunks = index.store.count()
        keys = {r.key for r in index.refs}
        assert set(index.state.chunk_ids) == keys
    as_an_older_release_left_it(settings.catalog_path, chunk_ids=chunk_ids)

    counting = CountingEmbedder(embedder)
    with open_catalog(settings) as catalog:
        index = open_index(settings, catalog, embedder=counting)
        assert len(index.ledger.stale(catalog)) == 1
        assert index.sync(progress=False) == 1
        # the sentences, which that release did not have, and no chunk
        meeting = next(catalog.iter_meetings())
        assert set(counting.texts) == {embed_text(p.title, s.text) for p in meeting.open_punkter
                                       for s in sentences(p)}
        assert index.store.count() == chunks
        assert set(index.state.chunk_ids) == keys
        assert index.sync(progress=False) == 0


def test_an_index_from_before_sentences_embeds_them_once_and_no_chunk_again(tmp_path, sample,
                                                                          embedder):
    settings = Settings(data_dir=tmp_path / "data")
    with open_catalog(settings) as catalog:
        ingest_paths([sample("2024-04-24")], catalog, progress=False)
        index = open_index(settings, catalog, embedder=embedder)
        index.sync(progress=False)
        chunks = index.store.count()
        index.sentences.clear()  # as that release left it
        rows = catalog.db.execute("SELECT forum, meeting_date, chunk_ids FROM index_ledger")
        for r in rows.fetchall():
            kept = [i for i in json.loads(r["chunk_ids"]) if not is_sentence_id(i)]
            with catalog.db.transaction() as db:
                db.execute("UPDATE index_ledger SET layout=0, chunk_ids=? WHERE forum=? AND "
                           "meeting_date=?", (json.dumps(kept), r["forum"], r["meeting_date"]))
        meeting = next(catalog.iter_meetings())
        said = [embed_text(p.title, s.text) for p in meeting.open_punkter for s in sentences(p)]

    counting = CountingEmbedder(embedder)
    with open_catalog(settings) as catalog:
        index = open_index(settings, catalog, embedder=counting)
        assert index.sentences.count() == 0
        assert index.sync(progress=False) == 1
        assert counting.passages_embedded == len(set(said))
        assert (index.store.count(), index.sentences.count()) == (chunks, len(said))
        assert index.sync(progress=False) == 0
