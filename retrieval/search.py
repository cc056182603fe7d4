"""Hybrid retrieval, ranked per punkt: the Danish lexical index and the dense vectors
from Chroma, fused here (Chroma's own hybrid search exists only in its hosted mode).

Scores are fused, each side scaled by its best candidate, not by rank: reciprocal rank
fusion with the weak bundled English model was worse than BM25 alone (design.md), and
score fusion lets a strong side carry a question the other side barely matches.

A question's concepts are first resolved against the index (`resolve`): each word as the
index knows it, as written, through its Danish translations, with its Danish letters put
back, one letter corrected, or joined with the next word into the compound the minutes
write ("syge fravær" -> "sygefravær").
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval.index import LexicalState, PunktRef, SearchIndex
from retrieval.lexical import LexicalIndex
from retrieval.query import Concept, Query, Reading
from retrieval.specificity import generality_factor
from retrieval.text import fold, term, terms
from retrieval.tuning import TUNING, Tuning

#: Linking letters tried when two question words are joined into one compound.
JOINS = ("", "s", "e")
#: Shortest word that is joined with its neighbour.
MIN_JOIN = 3


@dataclass(frozen=True)
class Resolved:
    """A question concept as the index knows it."""

    concept: Concept
    #: index terms that stand for it, each with the weight of that reading
    terms: tuple[tuple[str, float], ...]
    how: Reading
    #: its share of the question's specific content: idf times generality
    weight: float
    #: the index terms that hold it in a text: its readings and the compounds holding them
    forms: frozenset[str] = frozenset()
    #: those of `forms` that are its readings themselves, not compounds holding them
    exact: frozenset[str] = frozenset()

    def held(self, found: frozenset[str], compound_weight: float) -> float:
        """How fully a text whose index terms are `found` holds the concept: 1 by one of
        its readings, `compound_weight` only inside a compound ("udsat" in
        "forudsættes")."""
        return 1.0 if self.exact & found else compound_weight if self.forms & found else 0.0


@dataclass(frozen=True)
class Ranked:
    ref: PunktRef
    score: float
    lexical: float
    dense: float
    #: share of the question's specific content found in this punkt, 0..1
    coverage: float
    #: dense similarity above the median of the punkter scored for the question
    margin: float = 0.0
    #: the punkt's chunk nearest the question, "" when the dense side did not score it
    chunk_id: str = ""


def resolve(query: Query, lexical: LexicalIndex, tuning: Tuning = TUNING) -> tuple[Resolved, ...]:
    concepts = _joined(list(query.concepts), lexical)
    out = []
    for c in concepts:
        known = [(t, 1.0) for t in c.terms if lexical.known(t)]
        if c.english and (c.terms[-1], 1.0) in known:
            # a word both languages write ("plan", "budget", "CO2", a name): as it is
            known = [(c.terms[-1], 1.0)]
        elif c.english and len(known) > 1:
            # several translations: each is only a guess at the sense
            known = [(t, len(known) ** -0.5) for t, _ in known]
        how = (Reading.TRANSLATED if c.english else Reading.WRITTEN) if known else Reading.UNKNOWN
        word = c.word
        if not known and not c.english:
            found = lexical.respell(c.word)
            if found:
                word, t, factor = found
                known = [(t, factor)]
                how = Reading.RESPELLED if factor == 1.0 else Reading.CORRECTED
        if not known and not c.english and lexical.parts(c.term):
            # a compound the minutes write only in parts: credit() weighs the parts held
            known, how = [(c.term, 1.0)], Reading.IN_PARTS
        idf = max((lexical.weight(t) for t, _ in known), default=lexical.unseen)
        weight = idf * generality_factor(word, "en" if c.english else "da", tuning.specific_zipf,
                                         tuning.everyday_zipf, tuning.everyday_floor)
        if c.english and not known:
            # the word list is small: a word it lacks is weak evidence of a new topic
            weight *= tuning.untranslated
        forms = [(t, w) for k, _ in known for t, w in lexical.forms(k)]
        out.append(Resolved(c, tuple(known), c.how or how, weight,
                            frozenset(t for t, _ in forms),
                            frozenset(t for t, w in forms if w == 1.0)))
    return tuple(out)


def _joined(concepts: list[Concept], lexical: LexicalIndex) -> list[Concept]:
    """Two neighbouring question words the minutes write as one compound, as one."""
    out: list[Concept] = []
    i = 0
    while i < len(concepts):
        pair = _compound(concepts[i], concepts[i + 1], lexical) if i + 1 < len(concepts) else None
        out.append(pair or concepts[i])
        i += 2 if pair else 1
    return out


def _compound(a: Concept, b: Concept, lexical: LexicalIndex) -> Concept | None:
    if a.english or min(len(a.word), len(b.word)) < MIN_JOIN:
        return None
    for link in JOINS:
        word = fold(a.word) + link + fold(b.word)
        joined = term(word)
        # a new, longer word of the minutes, not a stem that swallowed the second
        if joined in lexical.vocab and len(joined) > len(a.term) + len(b.term) // 2:
            return Concept(word, (joined,), how=Reading.JOINED)
    return None


class Searcher:
    """Ranks an index's punkter for a query; `dense_weight=0` ranks on the words alone,
    never touching the embedding model (None: the tuning's weight)."""

    def __init__(self, index: SearchIndex, *, dense_weight: float | None = None,
                 tuning: Tuning = TUNING):
        self.index = index
        self.tuning = tuning
        self.dense_weight = tuning.dense_weight if dense_weight is None else dense_weight

    def mask(self, query: Query, state: LexicalState | None = None) -> np.ndarray:
        """Punkter inside the question's date filter and of the forums it names (all when
        it has neither)."""
        state = state or self.index.state
        dates = state.ordinals
        out = state.of_forums(query.forums) if query.forums \
            else np.ones(len(dates), dtype=bool)
        if query.start is None:
            return out
        return out & (dates >= query.start.toordinal()) & (dates <= query.end.toordinal())

    def rank(self, query: Query, resolved: tuple[Resolved, ...] | None = None,
             k: int = 10) -> list[Ranked]:
        state = self.index.state  # one state for the whole question, however long it takes
        if resolved is None:
            resolved = resolve(query, state.lexical, self.tuning)
        mask = self.mask(query, state)
        if not mask.any():
            return []
        lexical = self.lexical_scores(resolved, decision=query.decision, state=state)
        nearest: dict[int, str] = {}
        if self.dense_weight and query.start is not None:
            inside = np.flatnonzero(mask)
            inside = inside[np.argsort(-lexical[inside], kind="stable")][:self.tuning.filtered_exact]
            dense = self.dense_scores(query, list(inside), nearest=False, chunks=nearest,
                                      state=state)
        elif self.dense_weight:
            # the forums named: Chroma's nearest are of them, and so are these
            scored = np.where(mask, lexical, 0.0) if query.forums else lexical
            candidates = np.argsort(-scored)[:self.tuning.rerank]
            dense = self.dense_scores(query, [i for i in candidates if scored[i] > 0],
                                      chunks=nearest, state=state)
        else:
            dense = np.zeros_like(lexical)
        lex_top = float(lexical[mask].max())
        score = lexical / lex_top if lex_top > 0 else np.zeros_like(lexical)
        floor = _median(dense, mask)
        weight = self.dense_weight * (self.tuning.english_dense if query.english else 1.0)
        score = score + weight * spread(dense, mask, floor, self.tuning.min_spread)
        if query.year:
            score = score * np.where(state.years == query.year, 1 + self.tuning.year_boost, 1.0)
        score = np.where(mask, score, -np.inf)
        order = np.argsort(-score, kind="stable")[:k]
        return [
            Ranked(state.refs[i], float(score[i]), float(lexical[i]), float(dense[i]),
                   self.coverage(resolved, i, state=state), max(0.0, float(dense[i]) - floor),
                   nearest.get(i, ""))
            for i in order if np.isfinite(score[i]) and score[i] > 0
        ]

    def lexical_scores(self, resolved: tuple[Resolved, ...], *, decision: bool,
                       state: LexicalState | None = None) -> np.ndarray:
        """BM25 per punkt: each concept counts once, by its best reading."""
        state = state or self.index.state
        out = _concept_scores(state.lexical, resolved)
        if decision:
            out = out + self.tuning.decision_weight * _concept_scores(state.decisions, resolved)
        return out

    def dense_scores(self, query: Query, candidates: list[int] = (), *, nearest: bool = True,
                     chunks: dict[int, str] | None = None,
                     state: LexicalState | None = None) -> np.ndarray:
        """Best chunk similarity per punkt: for the nearest chunks Chroma finds (unless
        `nearest` is off), and exactly for the given candidates, so that a good lexical
        candidate is not penalised just for falling outside the nearest chunks. `chunks`,
        if given, receives the best chunk's id per punkt."""
        state = state or self.index.state
        out = np.zeros(len(state.refs), dtype=np.float32)
        if not len(out):
            return out
        best = {} if chunks is None else chunks
        vector = self.index.embedder.query(query.text)
        hits = self.index.nearest(vector, self.tuning.dense_chunks, query.forums) \
            if nearest else ()
        found = [(state.position.get((h.forum, h.meeting_date, h.punkt)), h.chunk_id,
                  h.similarity) for h in hits]
        ids = {chunk_id: i for i in candidates for chunk_id in state.chunks_of(i)}
        found += [(ids[chunk_id], chunk_id, float(chunk @ vector))
                  for chunk_id, chunk in self.index.chunk_vectors(list(ids), state).items()]
        for i, chunk_id, similarity in found:
            if i is not None and similarity > out[i]:
                out[i] = similarity
                best[i] = chunk_id
        return out

    def coverage(self, resolved: tuple[Resolved, ...], i: int,
                 sentences: list[str] | None = None, *,
                 state: LexicalState | None = None) -> float:
        """`coverage` of the punkt at position i of `state` (the index's now)."""
        return coverage((state or self.index.state).lexical, resolved, i, sentences)


def coverage(lexical: LexicalIndex, resolved: tuple[Resolved, ...], i: int,
             sentences: list[str] | None = None) -> float:
    """How much of the question's specific content the punkt at position i holds: each
    concept by its weight (idf times generality), held by its best reading there. A word
    the minutes never write counts fully against every punkt: it is the strongest sign
    of a topic they never discussed. So does a compound they write only in parts, and a
    punkt holding one part of it holds only that part's share (LexicalIndex.credit).
    Given the punkt's `sentences`, a compound held in parts is held only by parts that
    stand in one sentence: "senior" in one paragraph and "ordning" in another are no
    "seniorordning"."""
    total = found = 0.0
    for r in resolved:
        total += r.weight
        if sentences is not None and r.how == Reading.IN_PARTS:
            held = _parts_together(lexical, r.terms[0][0], i, sentences)
        else:
            held = max((factor * min(1.0, lexical.credit(t, i) / lexical.weight(t))
                        for t, factor in r.terms), default=0.0)
        found += r.weight * held
    return found / total if total else 0.0


def _parts_together(lexical: LexicalIndex, compound: str, i: int, sentences: list[str]) -> float:
    """The share of a compound's weight that its parts found in one sentence carry."""
    parts = lexical.parts(compound)
    weights = [lexical.weight(p) for p in parts]
    best = min(1.0, lexical.credit(compound, i) / lexical.weight(compound)) if not parts \
        else 0.0
    readings = [{t for t, _ in lexical.forms(p)} for p in parts]
    for sentence in sentences:
        found = set(terms(sentence))
        share = sum(w for w, forms in zip(weights, readings) if forms & found)
        best = max(best, share / sum(weights) if weights else 0.0)
    return best


def _median(dense: np.ndarray, mask: np.ndarray) -> float:
    scored = dense[mask & (dense > 0)]
    return float(np.median(scored)) if len(scored) else 0.0


def spread(dense: np.ndarray, mask: np.ndarray, floor: float, least: float) -> np.ndarray:
    """Dense similarities rescaled to 0..1 between the median of the scored punkter
    (`floor`) and the best: an embedding model's cosines sit in a narrow band (e5: 0.75
    to 0.9), so dividing by the best alone would leave them all near 1. When the best is
    barely above the median (the model sees nothing special), the range is taken as
    `least`, so noise is not stretched into evidence."""
    scored = dense[mask & (dense > 0)]
    if not len(scored):
        return np.zeros_like(dense)
    top = float(scored.max())
    return np.clip((dense - floor) / max(top - floor, least), 0.0, 1.0)


def _concept_scores(lexical: LexicalIndex, resolved: tuple[Resolved, ...]) -> np.ndarray:
    out = np.zeros(len(lexical), dtype=np.float32)
    for r in resolved:
        best = np.zeros(len(lexical), dtype=np.float32)
        for t, factor in r.terms:
            best = np.maximum(best, factor * lexical.term_scores(t))
        out += best
    return out
