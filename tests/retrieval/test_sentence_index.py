"""The index embeds every sentence of every open punkt (retrieval/sentences.py) beside the
chunks, and keeps the vectors in the catalog's database, a row per punkt
(retrieval/punkt_vectors.py), not in Chroma: read by punkt, they load no HNSW index. A
replaced meeting's gone punkter leave no row, a stored vector is used only while its
sentence's text is what it was made from, and an index that kept them in Chroma has them
carried over without embedding them again."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np

from ingest.model import chunk_hash
from ingest.pipeline import ingest_paths
from retrieval.sentences import embed_text, sentence_hash, sentence_id, sentences
from retrieval.store import LEGACY_SENTENCES

from question_files import CLOSED

APRIL = dt.date(2024, 4, 24)


def hashes_of(punkt) -> tuple[str, ...]:
    return tuple(sentence_hash(punkt.title, s.text) for s in sentences(punkt))


def stored_punkter(index) -> dict[tuple[str, str, int], tuple[str, ...]]:
    rows = index.catalog.db.execute(
        "SELECT forum, meeting_date, punkt, hashes FROM sentence_vectors").fetchall()
    return {(r["forum"], r["meeting_date"], r["punkt"]): tuple(json.loads(r["hashes"]))
            for r in rows}


def test_every_open_punkts_sentences_are_stored_and_no_closed_ones(corpus):
    index, catalog = corpus.index, corpus.catalog
    wanted = {(m.forum, m.meeting_date.isoformat(), p.number): hashes_of(p)
              for m in catalog.iter_meetings() for p in m.open_punkter if sentences(p)}
    assert sum(map(len, wanted.values())) > 1000
    assert stored_punkter(index) == wanted
    assert ("Chefforum", CLOSED[0].isoformat(), CLOSED[1]) not in stored_punkter(index)
    # nothing of sentences in Chroma any more
    assert LEGACY_SENTENCES not in {c.name for c in index.store.client.list_collections()}


def test_a_sentence_vector_is_the_models_own_for_title_and_sentence(corpus, embedder):
    punkt = corpus.punkt("2024-04-24", 7)
    n, said = next((n, s) for n, s in enumerate(sentences(punkt)) if "telefontid" in s.text)
    vectors = corpus.index.sentence_vectors("Chefforum", APRIL, 7, hashes_of(punkt))
    expected = embedder.passages([f"{punkt.title}: {said.text}"])[0]
    assert float(np.dot(vectors[n], expected)) > 0.999


def test_a_vector_of_other_text_is_not_used(corpus):
    punkt = corpus.punkt("2024-04-24", 7)
    other = (sentence_hash(punkt.title, "en anden tekst"), *hashes_of(punkt)[1:])
    found = corpus.index.sentence_vectors("Chefforum", APRIL, 7, other)
    assert 0 not in found and set(found) == set(range(1, len(other)))


def test_a_replaced_meetings_gone_punkter_leave_no_row(tmp_path, sample, catalog, index):
    text = sample("2024-04-24").read_text(encoding="utf-8")
    path = tmp_path / "cf.txt"
    path.write_text(text, encoding="utf-8")
    ingest_paths([path], catalog, progress=False)
    index.sync(progress=False)
    before = stored_punkter(index)
    assert ("Chefforum", "2024-04-24", 8) in before
    cut = text.index("## Punkt 8:")
    path.write_text(text[:cut] + text[text.index("## **Punkt 9:"):], encoding="utf-8")
    ingest_paths([path], catalog, progress=False)
    index.sync(progress=False)
    after = stored_punkter(index)
    assert ("Chefforum", "2024-04-24", 8) not in after
    assert after == {k: v for k, v in before.items() if k[2] != 8}


def test_vectors_kept_in_chroma_are_carried_over_without_embedding(tmp_path, sample, catalog,
                                                                   index, embedder):
    """An index of layout 1 (sentences in a Chroma collection, their ids in the ledger) is
    brought to layout 2 by the next sync: the vectors move, the collection goes."""
    path = tmp_path / "cf.txt"
    path.write_text(sample("2024-04-24").read_text(encoding="utf-8"), encoding="utf-8")
    ingest_paths([path], catalog, progress=False)
    index.sync(progress=False)
    meeting = catalog.meeting(APRIL)
    # the state layout 1 left: the sentences in their collection, none in the table
    said = {sentence_id(meeting.forum, APRIL, p.number, n): embed_text(p.title, s.text)
            for p in meeting.open_punkter for n, s in enumerate(sentences(p))}
    marked = np.zeros((len(said), 384), dtype=np.float32)
    marked[:, 0] = 1.0  # not the model's vectors: shows which were carried over
    legacy = index.store.client.create_collection(LEGACY_SENTENCES, embedding_function=None)
    legacy.add(ids=list(said), embeddings=marked,
               metadatas=[{"text_hash": chunk_hash(t)} for t in said.values()])
    chunk_ids = index.ledger.chunk_ids(meeting.forum, APRIL)
    index.ledger.mark_indexed(meeting.forum, APRIL, meeting.content_hash,
                              chunk_ids + list(said))
    catalog.db.execute("UPDATE index_ledger SET layout=1")
    index.sentences.clear()

    reopened = type(index)(catalog, type(index.store)(index.store.client,
                           model_name=embedder.name, backend=embedder.backend), embedder)
    embedded = []
    passages = embedder.passages
    embedder.passages = lambda texts, **kw: (embedded.extend(texts), passages(texts, **kw))[1]
    try:
        assert reopened.sync(progress=False) == 1
    finally:
        del embedder.passages
    assert embedded == []
    punkt = meeting.punkt(7)
    carried = reopened.sentence_vectors(meeting.forum, APRIL, 7, hashes_of(punkt))
    assert len(carried) == len(sentences(punkt))
    assert all(v[0] == 1.0 for v in carried.values())
    assert LEGACY_SENTENCES not in {c.name for c in reopened.store.client.list_collections()}
    assert set(reopened.ledger.chunk_ids(meeting.forum, APRIL)) == set(chunk_ids)
