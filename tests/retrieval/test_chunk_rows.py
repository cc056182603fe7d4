"""Each punkt's chunk vectors are kept in the catalog's database too (retrieval/
punkt_vectors.py), where a question reads its lexical candidates' chunks by punkt instead
of asking Chroma by id; Chroma stays the searched store. An index of layout 2 (chunk
vectors in Chroma alone) gets the rows at the next sync without embedding anything, and
answers meanwhile from Chroma."""
from __future__ import annotations

import datetime as dt

import numpy as np

from ingest.chunk import chunk_meeting
from ingest.pipeline import ingest_paths

APRIL = dt.date(2024, 4, 24)


def test_every_chunk_has_its_chroma_vector_in_its_punkts_row(corpus):
    index, catalog = corpus.index, corpus.catalog
    chunks = [c for m in catalog.iter_meetings() for c in chunk_meeting(m)]
    assert len(chunks) > 300 and index.chunks.count() == len(chunks) == index.store.count()
    in_chroma = index.store.embeddings([c.id for c in chunks])
    for c in chunks:
        ids, vectors = index.chunks.of_punkt(c.forum, c.meeting_date, c.punkt)
        assert np.allclose(vectors[ids.index(c.id)], in_chroma[c.id], atol=1e-6), c.id


def test_a_questions_candidates_are_read_from_the_rows_not_from_chroma(corpus, monkeypatch):
    index = corpus.index
    ids = [i for n in range(5) for i in index.state.chunks_of(n)]

    def not_chroma(ids):
        raise AssertionError(f"Chroma was asked for {ids}")

    monkeypatch.setattr(index.store, "embeddings", not_chroma)
    read = index._chunk_vectors(ids)
    assert set(read) == set(ids) and all(v.shape == (384,) for v in read.values())


def test_an_index_without_the_rows_answers_from_chroma_and_gets_them_without_embedding(
        tmp_path, sample, catalog, index, embedder):
    path = tmp_path / "cf.txt"
    path.write_text(sample("2024-04-24").read_text(encoding="utf-8"), encoding="utf-8")
    ingest_paths([path], catalog, progress=False)
    index.sync(progress=False)
    expected = {i: index.store.embeddings([i])[i] for i in index.ledger.chunk_ids("Chefforum",
                                                                                  APRIL)}
    # as layout 2 left it: the chunks in Chroma alone
    index.chunks.clear()
    catalog.db.execute("UPDATE index_ledger SET layout=2")
    read = index._chunk_vectors(list(expected))
    assert set(read) == set(expected)  # from Chroma, while the rows are missing

    embedded, written = [], []
    passages, upsert = embedder.passages, index.store.collection.upsert
    embedder.passages = lambda texts, **kw: (embedded.extend(texts), passages(texts, **kw))[1]
    index.store.collection.upsert = lambda ids, **kw: (written.extend(ids), upsert(ids, **kw))
    try:
        assert index.sync(progress=False) == 1
    finally:
        del embedder.passages, index.store.collection.upsert
    assert embedded == [] and written == []  # Chroma's records stay as they were
    assert index.chunks.count() == len(expected)
    for i, vector in expected.items():
        forum, day, number = i.rsplit(":", 3)[:3]
        ids, vectors = index.chunks.of_punkt(forum, dt.date.fromisoformat(day), int(number))
        assert np.allclose(vectors[ids.index(i)], vector, atol=1e-6)


def test_an_upgrade_writes_again_a_chunk_whose_record_chroma_holds_differs(
        tmp_path, sample, catalog, index):
    path = tmp_path / "cf.txt"
    path.write_text(sample("2024-04-24").read_text(encoding="utf-8"), encoding="utf-8")
    ingest_paths([path], catalog, progress=False)
    index.sync(progress=False)
    ids = index.ledger.chunk_ids("Chefforum", APRIL)
    before = index.store.collection.get(ids=ids, include=["metadatas", "documents"])
    # one record as an older index wrote it: another case number, a shorter text
    stale = dict(before["metadatas"][0], case_number="00.00.00-A00-0-19")
    first = before["ids"][0]
    index.store.collection.upsert(ids=[first], embeddings=[index.store.embeddings([first])[first]],
                                  metadatas=[stale], documents=["(ældre tekst)"])
    catalog.db.execute("UPDATE index_ledger SET layout=2")

    written = []
    upsert = index.store.collection.upsert
    index.store.collection.upsert = lambda ids, **kw: (written.extend(ids), upsert(ids, **kw))
    try:
        assert index.sync(progress=False) == 1
    finally:
        del index.store.collection.upsert
    assert written == [first]
    after = index.store.collection.get(ids=ids, include=["metadatas", "documents"])
    assert (after["ids"], after["metadatas"], after["documents"]) == (
        before["ids"], before["metadatas"], before["documents"])
