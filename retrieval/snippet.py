"""The one to three sentences of a punkt that answer the question, in its own words.

Sentences are scored by the idf of the question terms they match (compounds included);
for a decision question the Beslutning section is read first. A snippet is cut only at
sentence boundaries, or, for one overlong sentence, at a word boundary with an ellipsis.
A decision question is answered from the Beslutning section whenever the punkt has one.
"""
from __future__ import annotations

from dataclasses import dataclass

from ingest.chunk import split_sentences
from ingest.model import DECISION, Punkt
from retrieval.lexical import LexicalIndex
from retrieval.text import terms

MAX_CHARS = 400
#: Sentences of the Beslutning section (what the forum said) count this much more.
DECISION_PREFERENCE = 1.5
TITLE_DISCOUNT = 0.3


@dataclass(frozen=True)
class Snippet:
    section: str
    text: str
    score: float


def best_snippet(punkt: Punkt, query_terms: tuple[str, ...], lexical: LexicalIndex, *,
                 decision: bool, max_chars: int = MAX_CHARS) -> Snippet:
    weights = _term_weights(query_terms, lexical, set(terms(punkt.title)))
    sections = punkt.sections
    if decision and sections.get(DECISION):
        sections = {DECISION: sections[DECISION]}
    candidates: list[tuple[float, str, list[str], int]] = []
    for section, text in sections.items():
        sentences = split_sentences(text)
        for i, sentence in enumerate(sentences):
            score = _score(sentence, weights)
            if section == DECISION:
                # what the forum itself said; ties and near-ties go to it
                score = score * DECISION_PREFERENCE + 0.01
            candidates.append((score, section, sentences, i))
    if not candidates:
        return Snippet("", punkt.title, 0.0)
    score, section, sentences, i = max(candidates, key=lambda c: c[0])
    return Snippet(section, _extend(sentences, i, weights, max_chars), score)


def _term_weights(query_terms: tuple[str, ...], lexical: LexicalIndex,
                  title: set[str]) -> dict[str, list[tuple[str, float]]]:
    """Index term -> the question terms it stands for, with weights (compounds discounted).
    A question term found in the punkt's title says which punkt, not which sentence, so
    it weighs less here."""
    out: dict[str, list[tuple[str, float]]] = {}
    for term in query_terms:
        expansions = lexical.match(term).expansions or ((term, 1.0),)
        base = lexical.idf_of(term) or 1.0
        if any(t in title for t, _ in expansions):
            base *= TITLE_DISCOUNT
        for t, w in expansions:
            out.setdefault(t, []).append((term, base * w))
    return out


def _score(sentence: str, weights: dict[str, list[tuple[str, float]]]) -> float:
    """Each question term counts once, by its best match in the sentence."""
    best: dict[str, float] = {}
    for t in set(terms(sentence)):
        for term, w in weights.get(t, ()):
            best[term] = max(best.get(term, 0.0), w)
    return sum(best.values())


def _extend(sentences: list[str], i: int, weights: dict[str, float], max_chars: int) -> str:
    """Start at the best sentence; add the next ones while they fit and help (or the
    snippet is still too short to stand alone)."""
    chosen = [sentences[i]]
    j = i + 1
    while j < len(sentences) and len(chosen) < 3:
        nxt = sentences[j]
        if len(" ".join(chosen + [nxt])) > max_chars:
            break
        if _score(nxt, weights) <= 0 and len(" ".join(chosen)) >= 120:
            break
        chosen.append(nxt)
        j += 1
    text = " ".join(chosen)
    if len(text) > max_chars:
        cut = text[: max_chars - 1].rsplit(" ", 1)[0]
        text = cut.rstrip(",;:-–") + "…"
    return text
