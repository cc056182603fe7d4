"""The candidates' chunk vectors are read from Chroma once per lexical state, then kept:
reading them was a sixth of a question's CPU time under load. A new state (after the
index changed) reads them again, since a chunk id names other text once its meeting is
indexed again."""
from __future__ import annotations

import numpy as np

from retrieval.index import LexicalState

UNKNOWN = "Chefforum:2099-01-01:1:0"


def test_chunk_vectors_are_read_once_per_state(corpus, monkeypatch):
    index = corpus.index
    state = LexicalState.build(index.catalog, index.ledger)
    ids = state.chunks_of(0) + state.chunks_of(1)
    reads: list[list[str]] = []
    real = index.store.embeddings
    monkeypatch.setattr(index.store, "embeddings",
                        lambda wanted: reads.append(list(wanted)) or real(wanted))

    first = index.chunk_vectors(ids + [UNKNOWN], state)
    again = index.chunk_vectors(ids + [UNKNOWN], state)
    assert set(first) == set(again) == set(ids)
    assert all(np.array_equal(first[i], again[i]) for i in ids)
    assert reads == [ids + [UNKNOWN], [UNKNOWN]]  # only the unknown id is asked again

    fresh = LexicalState.build(index.catalog, index.ledger)
    index.chunk_vectors(ids, fresh)
    assert reads[-1] == ids
