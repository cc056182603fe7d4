"""A Danish BM25 index that understands compound words.

Danish writes compounds as one word ("sygefraværet", "telefontiderne") and the Snowball
stemmer does not split them, so plain BM25 misses "fravær" -> "sygefraværet". Here a query
term also matches the index terms that contain it (and the known word at the tail of a
query compound), at a discount, and each query term counts once per document: its best
match. Built in memory from the catalog; a few seconds for thousands of meetings.

Ranking and the "not found" rule read compounds differently. For ranking, any shared part
is evidence. For coverage (how much of the question a punkt holds), a punkt holds a
question word if it writes the word or a compound holding it ("fravær" in "sygefraværet":
a kind of fravær; "telefon" in "telefontider"). A question compound the minutes never
write weighs like any word they never write, and a punkt holding only some of its parts
holds only those parts' share of it, by idf: "plads" alone is not "parkeringsplads", while
"benchmark" and "værktøj" together are "benchmarkværktøj" written apart.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from wordfreq import zipf_frequency

from retrieval.memo import Memo
from retrieval.spelling import Neighbours, danish_spellings
from retrieval.text import fold, stem, terms
from retrieval.text import term as term_of
from retrieval.tuning import TUNING, Tuning

#: Shortest term that is looked for inside compounds; shorter ones match too much.
MIN_PART = 4
#: Shortest remainder of a compound beside the matched part.
MIN_REST = 3
#: Linking letters between the parts of a compound: "parkering-s-plads", "kantine-ordning".
LINKS = "se"
#: Results kept of each term lookup (expansions, compounds holding a term, a compound's
#: parts, a term's documents).
CACHED = 50_000


@dataclass(frozen=True)
class TermMatch:
    """How one query term matched: the index terms it stands for, with weights."""

    term: str
    expansions: tuple[tuple[str, float], ...]


class LexicalIndex:
    """BM25 over documents given as (key, text); keys are returned with scores."""

    def __init__(self, docs: list[tuple[object, str]], *, compounds: bool = True,
                 tuning: Tuning = TUNING):
        """`compounds=False` gives plain BM25, the baseline the evaluation compares with."""
        self.compounds = compounds
        self.compound_weight = tuning.compound_weight
        self.typo_weight = tuning.typo_weight
        k1, b = tuning.bm25_k1, tuning.bm25_b
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
        # the terms sorted, and sorted back to front, so the compounds that begin or end
        # with a query term are a range found by bisection, not a scan of the vocabulary
        self._by_start = sorted(vocab)
        self._by_end = sorted(t[::-1] for t in vocab)
        n = max(len(docs), 1)
        tf = sparse.csr_matrix((np.array(vals, dtype=np.float32), (rows, cols)),
                               shape=(len(vocab), len(docs)))
        df = np.diff(tf.indptr).astype(np.float32)
        self.df = df
        self.idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        #: the weight of a question word the minutes never write: the highest idf
        self.unseen = float(self.idf.max()) if len(self.idf) else 1.0
        avgdl = float(lengths.mean()) if len(docs) else 1.0
        norm = k1 * (1 - b + b * lengths / max(avgdl, 1.0))
        tf = tf.tocoo()
        weights = self.idf[tf.row] * tf.data * (k1 + 1) / (tf.data + norm[tf.col])
        self.weights = sparse.csr_matrix((weights, (tf.row, tf.col)), shape=tf.shape)
        # held as data, not as lru_cache around bound methods: no reference cycle, so a
        # replaced index is freed at once (retrieval/memo.py)
        self._expansions: Memo[str, tuple[tuple[str, float], ...]] = Memo(CACHED)
        self._withins: Memo[str, tuple[tuple[str, float], ...]] = Memo(CACHED)
        self._splits: Memo[str, tuple[str, ...]] = Memo(CACHED)
        self._holders: Memo[int, frozenset[int]] = Memo(CACHED)
        self._neighbours: Neighbours | None = None

    def __len__(self) -> int:
        return len(self.keys)

    def match(self, term: str) -> TermMatch:
        return TermMatch(term, self._expand(term))

    def forms(self, term: str) -> tuple[tuple[str, float], ...]:
        """The index terms a query term stands for in a text, with weights: its matches
        (itself, the compounds holding it, a compound's known head), or the term alone
        when it matches none."""
        return self._expand(term) or ((term, 1.0),)

    def scores(self, query: list[str], weights: dict[str, float] | None = None) -> np.ndarray:
        """BM25 score of every document for the query terms (best match per term)."""
        total = np.zeros(len(self.keys), dtype=np.float32)
        for term in query:
            total += self.term_scores(term) * (weights or {}).get(term, 1.0)
        return total

    def weight(self, term: str) -> float:
        """A query term's share of the question in coverage: the idf of its best whole
        match (the word itself, or an index compound holding it, discounted), or
        `unseen` when the minutes never write it, not even inside a compound, whether or
        not they write its parts."""
        return self._whole(term) or self.unseen

    def credit(self, term: str, doc: int) -> float:
        """How much of a query term's `weight` one document holds: its best whole match
        there, or, if more, the share of the term's weight that the parts of the compound
        found in the document carry ("parkeringsplads": "plads" alone is one part of
        two, weighed by idf against "parkering", which the minutes never write)."""
        whole = self._whole(term, doc)
        parts = self.parts(term)
        if not parts:
            return whole
        weights = [self.weight(p) for p in parts]
        held = sum(min(w, self._whole(p, doc)) for p, w in zip(parts, weights))
        return max(whole, self.weight(term) * held / sum(weights))

    def known(self, term: str) -> bool:
        """Whether the minutes write the term, alone or inside a compound."""
        return bool(self._within(term))

    def respell(self, word: str) -> tuple[str, str, float] | None:
        """For a question word the minutes never write: (the word as respelled, its index
        term, the weight of that reading) with its Danish letters put back, or one letter
        corrected; None when neither is known. A word that general Danish knows (wordfreq)
        is not corrected: "flygtninge" is no typo of "flytning". Among corrections the
        most frequent term wins."""
        for spelled in danish_spellings(fold(word)):
            if self.known(term_of(spelled)):
                return spelled, term_of(spelled), 1.0
        if zipf_frequency(fold(word), "da") > 0:
            return None  # a word of the language, if not of the minutes: no typo
        if self._neighbours is None:
            self._neighbours = Neighbours(self._by_start)
        found = [t for t in self._neighbours.of(term_of(word)) if t in self.vocab]
        if not found:
            return None
        return word, max(found, key=lambda t: self.df[self.vocab[t]]), self.typo_weight

    def term_scores(self, term: str) -> np.ndarray:
        """BM25 of every document for one query term: its best match (itself or a
        compound) in each."""
        expansions = self._expand(term)
        if not expansions:
            return np.zeros(len(self.keys), dtype=np.float32)
        ids = [self.vocab[t] for t, _ in expansions]
        factors = np.array([w for _, w in expansions], dtype=np.float32)
        rows = sparse.diags(factors) @ self.weights[ids]
        return rows.max(axis=0).toarray().ravel()

    def parts(self, term: str) -> tuple[str, ...]:
        """A query compound as (modifier, head), each as the index term the minutes know
        it by where they know it: "parkeringsplad" -> ("parkering", "plad"),
        "langtidsfravær" -> ("langtid", "fravær"), "fraværsdag" -> ("fravær", "dag");
        () for a word that is not a known word joined to another. The split is at the
        longest known head whose modifier is known too, else at the longest known head,
        else after the longest known modifier."""
        return self._parts(term) if self.compounds else ()

    def _whole(self, term: str, doc: int | None = None) -> float:
        """The best idf x match weight of the term itself or an index compound holding
        it: over the index, or in one document."""
        return float(max((self.idf[self.vocab[t]] * w for t, w in self._within(term)
                          if doc is None or doc in self._docs(self.vocab[t])),
                         default=0.0))

    def _expand(self, term: str) -> tuple[tuple[str, float], ...]:
        return self._expansions.get(term, self._expand_uncached)

    def _within(self, term: str) -> tuple[tuple[str, float], ...]:
        return self._withins.get(term, self._within_uncached)

    def _parts(self, term: str) -> tuple[str, ...]:
        return self._splits.get(term, self._parts_uncached)

    def _docs(self, row: int) -> frozenset[int]:
        return self._holders.get(row, self._docs_uncached)

    def _docs_uncached(self, row: int) -> frozenset[int]:
        """The documents that hold the term of a row (a set: element access into the
        sparse matrix costs microseconds, and coverage asks it thousands of times)."""
        start, end = self.weights.indptr[row], self.weights.indptr[row + 1]
        return frozenset(self.weights.indices[start:end].tolist())

    def idf_of(self, term: str) -> float:
        """The idf of a query term's best match, 0 if it matches nothing."""
        return max((self.idf[self.vocab[t]] * w for t, w in self._expand(term)), default=0.0)

    def _within_uncached(self, term: str) -> tuple[tuple[str, float], ...]:
        """The term itself and the index compounds that hold it."""
        out: dict[str, float] = {}
        if term in self.vocab:
            out[term] = 1.0
        if self.compounds and len(term) >= MIN_PART:
            # index compounds that begin or end with the term: "telefon" -> "telefontid",
            # "fravær" -> "sygefravær"; the rest must be a word of its own (3+ letters),
            # so "stat" does not find "status"
            for t in self._compounds_holding(term):
                out.setdefault(t, self.compound_weight)
        return tuple(out.items())

    def _expand_uncached(self, term: str) -> tuple[tuple[str, float], ...]:
        out = dict(self._within(term))
        if self.compounds and len(term) >= MIN_PART:
            # the longest known head and tail of a query compound:
            # "sygefravær" -> "fravær", "vedligeholdelsesprojekt" -> "vedligehold", "projek"
            for cut in range(MIN_REST, len(term) - MIN_PART + 1):
                if term[cut:] in self.vocab:
                    out.setdefault(term[cut:], self.compound_weight)
                    break
            for cut in range(len(term) - MIN_REST, MIN_PART - 1, -1):
                if term[:cut] in self.vocab:
                    out.setdefault(term[:cut], self.compound_weight)
                    break
        return tuple(out.items())

    def _compounds_holding(self, term: str) -> list[str]:
        """The index terms that begin or end with `term` and are at least MIN_REST letters
        longer, in the order the index met them."""
        found = set(_starting(self._by_start, term))
        found.update(t[::-1] for t in _starting(self._by_end, term[::-1]))
        return sorted((t for t in found if len(t) >= len(term) + MIN_REST),
                      key=self.vocab.__getitem__)

    def _parts_uncached(self, term: str) -> tuple[str, ...]:
        if len(term) < MIN_PART + MIN_REST:
            return ()
        heads = [cut for cut in range(MIN_REST, len(term) - MIN_PART + 1)
                 if term[cut:] in self.vocab]
        for cut in heads:
            modifier = self._known_form(_unlinked(term[:cut]), term[:cut])
            if modifier:
                return modifier, term[cut:]
        if heads:
            return _unlinked(term[:heads[0]]), term[heads[0]:]
        for cut in range(len(term) - MIN_REST, MIN_PART - 1, -1):
            if term[:cut] in self.vocab:
                rest = term[cut:]
                linked = rest[1:] if rest[0] in LINKS and len(rest) > MIN_REST else rest
                return term[:cut], self._known_form(linked, rest) or rest
        return ()

    def _known_form(self, *forms: str) -> str | None:
        """The first of a compound part's forms (without its linking letter, as written,
        and their stems) that the index knows as a word of its own, else the first it
        knows inside its compounds."""
        candidates = [c for form in forms for c in (form, stem(form)) if len(c) >= 2]
        return (next((c for c in candidates if c in self.vocab), None)
                or next((c for c in candidates if self._within(c)), None))


def _unlinked(modifier: str) -> str:
    """A compound's modifier without the linking letter it ends in, if any."""
    return modifier[:-1] if len(modifier) > MIN_REST and modifier[-1] in LINKS else modifier


def _starting(ordered: list[str], prefix: str):
    """The strings of a sorted list that begin with `prefix`."""
    for i in range(bisect_left(ordered, prefix), len(ordered)):
        if not ordered[i].startswith(prefix):
            break
        yield ordered[i]
