"""The index embeds every sentence of every open punkt (retrieval/sentences.py) beside the
chunks, in the same vector store, under ids its ledger records; a replaced meeting's gone
sentences leave the store, and a stored vector is used only while its sentence's text is
what it was made from."""
from __future__ import annotations

import datetime as dt

import numpy as np

from ingest.pipeline import ingest_paths
from retrieval.sentences import is_sentence_id, sentence_hash, sentence_id, sentences

from question_files import CLOSED


def sentence_ids_of(catalog) -> dict[str, str]:
    """id -> text hash of every sentence a clean index of the catalog holds."""
    return {sentence_id(m.forum, m.meeting_date, p.number, n): sentence_hash(p.title, s.text)
            for m in catalog.iter_meetings() for p in m.open_punkter
            for n, s in enumerate(sentences(p))}


def test_every_open_punkts_sentences_are_stored_under_ids_the_ledger_records(corpus):
    index, catalog = corpus.index, corpus.catalog
    wanted = sentence_ids_of(catalog)
    assert len(wanted) > 1000
    recorded = {i for i in index.ledger.all_chunk_ids() if is_sentence_id(i)}
    assert recorded == set(wanted)
    stored = index.store.sentence_vectors(list(wanted))
    assert {i: h for i, (_, h) in stored.items()} == wanted
    closed = f"Chefforum:{CLOSED[0].isoformat()}:{CLOSED[1]}:"
    assert not any(i.startswith(closed) for i in recorded)


def test_a_sentence_vector_is_the_models_own_for_title_and_sentence(corpus, embedder):
    punkt = corpus.punkt("2024-04-24", 7)
    n, said = next((n, s) for n, s in enumerate(sentences(punkt)) if "telefontid" in s.text)
    i = sentence_id("Chefforum", dt.date(2024, 4, 24), 7, n)
    vector = corpus.index.sentence_vectors({i: sentence_hash(punkt.title, said.text)})[i]
    expected = embedder.passages([f"{punkt.title}: {said.text}"])[0]
    assert float(np.dot(vector, expected)) > 0.999


def test_a_vector_of_other_text_is_not_used(corpus):
    punkt = corpus.punkt("2024-04-24", 7)
    i = sentence_id("Chefforum", dt.date(2024, 4, 24), 7, 0)
    assert corpus.index.sentence_vectors({i: sentence_hash(punkt.title, "en anden tekst")}) == {}


def test_a_replaced_meetings_gone_sentences_leave_the_store(tmp_path, sample, catalog, index):
    text = sample("2024-04-24").read_text(encoding="utf-8")
    path = tmp_path / "cf.txt"
    path.write_text(text, encoding="utf-8")
    ingest_paths([path], catalog, progress=False)
    index.sync(progress=False)
    before = set(sentence_ids_of(catalog))
    assert before and set(index.store.sentence_vectors(list(before))) == before
    cut = text.index("## Punkt 8:")
    path.write_text(text[:cut] + text[text.index("## **Punkt 9:"):], encoding="utf-8")
    ingest_paths([path], catalog, progress=False)
    index.sync(progress=False)
    after = set(sentence_ids_of(catalog))
    gone = before - after
    assert any(":8:" in i for i in gone)
    assert index.store.sentence_vectors(sorted(gone)) == {}
    assert set(index.store.sentence_vectors(sorted(after))) == after
    assert {i for i in index.ledger.all_chunk_ids() if is_sentence_id(i)} == after
