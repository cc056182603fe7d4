"""The hand-written BM25 (retrieval/lexical.py, plain: compounds off) against a reference
implementation, bm25s, over the sample punkter and the same terms, as bm25s checks itself
against rank_bm25. Lucene's BM25, which bm25s implements, leaves out the constant factor
k1 + 1 of each term's weight; ranking is the same, so the scores must agree up to it."""
from __future__ import annotations

import bm25s
import numpy as np
import pytest

from retrieval.index import punkt_document
from retrieval.lexical import LexicalIndex
from retrieval.tuning import TUNING
from retrieval.text import terms

QUESTIONS = ["telefontider rådhuset", "sygefravær mål handleplaner", "budget 2024 proces",
             "genbrugsbørs model inventar", "Plan MED arbejdsmiljø", "ledelsesgrundlag",
             "klimakampen CO2", "virksomhedspraktik løntilskud 47 pladser"]


@pytest.fixture(scope="module")
def indexes(corpus):
    docs = [(r.key, punkt_document(corpus.index.punkt(r))) for r in corpus.index.refs]
    ours = LexicalIndex(docs, compounds=False)
    reference = bm25s.BM25(k1=TUNING.bm25_k1, b=TUNING.bm25_b, method="lucene")
    reference.index([terms(text) for _, text in docs], show_progress=False)
    return ours, reference


@pytest.mark.parametrize("question", QUESTIONS)
def test_plain_bm25_scores_every_punkt_as_the_reference_does(indexes, question):
    ours, reference = indexes
    query = [t for t in terms(question) if t in ours.vocab]
    assert query
    expected = (TUNING.bm25_k1 + 1) * reference.get_scores(query)
    np.testing.assert_allclose(ours.scores(query), expected, rtol=1e-4, atol=1e-5)
