"""A Danish BM25 index that understands compound words.

Danish writes compounds as one word ("sygefraværet", "telefontiderne") and the Snowball
stemmer does not split them, so plain BM25 misses "fravær" -> "sygefraværet". Here a query
term also matches the index terms that contain it (and the known word at the tail of a
query compound), at a discount, and each query term counts once per document: its best
match. Built in memory from the catalog; a few seconds for thousands of meetings.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse

from retrieval.text import terms

K1 = 1.2
B = 0.75
#: Weight of a compound match against an exact one.
COMPOUND_WEIGHT = 0.6
#: Shortest term that is looked for inside compounds; shorter ones match too much.
MIN_PART = 4
#: Shortest remainder of a compound beside the matched part.
MIN_REST = 3


@dataclass(frozen=True)
class TermMatch:
    """How one query term matched: the index terms it stands for, with weights."""

    term: str
    expansions: tuple[tuple[str, float], ...]


class LexicalIndex:
    """BM25 over documents given as (key, text); keys are returned with scores."""

    def __init__(self, docs: list[tuple[object, str]], *, compounds: bool = True):
        """`compounds=False` gives plain BM25, the baseline the evaluation compares with."""
        self.compounds = compounds
        self.keys = [k for k, _ in docs]
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        lengths = np.zeros(len(docs), dtype=np.float32)
        for j, (_, text) in enumerate(docs):
            counts: dict[int, int] = {}
            toks = terms(text)
            lengths[j] = len(toks)
            for t in toks:
                i = vocab.setdefault(t, len(vocab))
                counts[i] = counts.get(i, 0) + 1
            rows.extend(counts)
            cols.extend([j] * len(counts))
            vals.extend(counts.values())
        self.vocab = vocab
        self.terms_list = list(vocab)
        # the terms sorted, and sorted back to front, so the compounds that begin or end
        # with a query term are a range found by bisection, not a scan of the vocabulary
        self._by_start = sorted(vocab)
        self._by_end = sorted(t[::-1] for t in vocab)
        n = max(len(docs), 1)
        tf = sparse.csr_matrix((np.array(vals, dtype=np.float32), (rows, cols)),
                               shape=(len(vocab), len(docs)))
        df = np.diff(tf.indptr).astype(np.float32)
        self.idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        avgdl = float(lengths.mean()) if len(docs) else 1.0
        norm = K1 * (1 - B + B * lengths / max(avgdl, 1.0))
        tf = tf.tocoo()
        weights = self.idf[tf.row] * tf.data * (K1 + 1) / (tf.data + norm[tf.col])
        self.weights = sparse.csr_matrix((weights, (tf.row, tf.col)), shape=tf.shape)
        self._expand = lru_cache(maxsize=50_000)(self._expand_uncached)

    def __len__(self) -> int:
        return len(self.keys)

    def match(self, term: str) -> TermMatch:
        return TermMatch(term, self._expand(term))

    def scores(self, query: list[str], weights: dict[str, float] | None = None) -> np.ndarray:
        """BM25 score of every document for the query terms (best match per term)."""
        total = np.zeros(len(self.keys), dtype=np.float32)
        for term in query:
            expansions = self._expand(term)
            if not expansions:
                continue
            ids = [self.vocab[t] for t, _ in expansions]
            factors = np.array([w for _, w in expansions], dtype=np.float32)
            rows = sparse.diags(factors) @ self.weights[ids]
            best = rows.max(axis=0).toarray().ravel()
            total += best * (weights or {}).get(term, 1.0)
        return total

    def credit(self, term: str, doc: int) -> float:
        """The weight (idf x match weight) with which a query term matches one document."""
        return max((self.idf[self.vocab[t]] * w for t, w in self._expand(term)
                    if self.weights[self.vocab[t], doc] > 0), default=0.0)

    def idf_of(self, term: str) -> float:
        """The idf of a query term's best match, 0 if it matches nothing."""
        return max((self.idf[self.vocab[t]] * w for t, w in self._expand(term)), default=0.0)

    def _expand_uncached(self, term: str) -> tuple[tuple[str, float], ...]:
        out: dict[str, float] = {}
        if term in self.vocab:
            out[term] = 1.0
        if self.compounds and len(term) >= MIN_PART:
            # index compounds that begin or end with the term: "telefon" -> "telefontid",
            # "fravær" -> "sygefravær"; the rest must be a word of its own (3+ letters),
            # so "stat" does not find "status"
            for t in self._compounds_holding(term):
                out.setdefault(t, COMPOUND_WEIGHT)
            # the longest known head and tail of a query compound:
            # "sygefravær" -> "fravær", "vedligeholdelsesprojekt" -> "vedligehold", "projek"
            for cut in range(MIN_REST, len(term) - MIN_PART + 1):
                if term[cut:] in self.vocab:
                    out.setdefault(term[cut:], COMPOUND_WEIGHT)
                    break
            for cut in range(len(term) - MIN_REST, MIN_PART - 1, -1):
                if term[:cut] in self.vocab:
                    out.setdefault(term[:cut], COMPOUND_WEIGHT)
                    break
        return tuple(out.items())

    def _compounds_holding(self, term: str) -> list[str]:
        """The index terms that begin or end with `term` and are at least MIN_REST letters
        longer, in the order the index met them."""
        found = set(_starting(self._by_start, term))
        found.update(t[::-1] for t in _starting(self._by_end, term[::-1]))
        return sorted((t for t in found if len(t) >= len(term) + MIN_REST),
                      key=self.vocab.__getitem__)


def _starting(ordered: list[str], prefix: str):
    """The strings of a sorted list that begin with `prefix`."""
    for i in range(bisect_left(ordered, prefix), len(ordered)):
        if not ordered[i].startswith(prefix):
            break
        yield ordered[i]
