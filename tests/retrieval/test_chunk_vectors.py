"""The candidates' chunk vectors are read once per lexical state, then kept: reading them
was a sixth of a question's CPU time under load. They are read from their punkter's rows
in the catalog's database, from Chroma only where a punkt has none. A new state (after
the index changed) reads them again, since a chunk id names other text once its meeting
is indexed again."""
from __future__ import annotations

import datetime as dt

import numpy as np

from retrieval.index import LexicalState

UNKNOWN = "Chefforum:2099-01-01:1:0"


def test_chunk_vectors_are_read_once_per_state(corpus, monkeypatch):
    index = corpus.index
    state = LexicalState.build(index.catalog, index.ledger)
    ids = state.chunks_of(0) + state.chunks_of(1)
    rows: list[tuple] = []
    from_chroma: list[list[str]] = []
    of_punkt, embeddings = index.chunks.of_punkt, index.store.embeddings
    monkeypatch.setattr(index.chunks, "of_punkt",
                        lambda forum, day, number: rows.append((forum, day, number))
                        or of_punkt(forum, day, number))
    monkeypatch.setattr(index.store, "embeddings",
                        lambda wanted: from_chroma.append(list(wanted)) or embeddings(wanted))

    first = index.chunk_vectors(ids + [UNKNOWN], state)
    again = index.chunk_vectors(ids + [UNKNOWN], state)
    assert set(first) == set(again) == set(ids)
    assert all(np.array_equal(first[i], again[i]) for i in ids)
    punkter = [(r.forum, r.meeting_date, r.number) for r in state.refs[:2]]
    unknown = ("Chefforum", dt.date(2099, 1, 1), 1)
    assert rows == [*punkter, unknown, unknown]  # then only the unknown id's punkt
    assert from_chroma == [[UNKNOWN], [UNKNOWN]]  # which has no row

    rows.clear()
    index.chunk_vectors(ids, LexicalState.build(index.catalog, index.ledger))
    assert rows == punkter
