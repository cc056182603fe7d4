"""The one to three sentences of a punkt that answer the question, in its own words.

Sentences are scored by the idf of the question terms they match (compounds included);
for a decision question the Beslutning section is read first. A snippet is cut only at
sentence boundaries, or, for one overlong sentence, at a word boundary with an ellipsis.
"""
from __future__ import annotations

from dataclasses import dataclass

from ingest.chunk import split_sentences
from ingest.model import DECISION, Punkt
from retrieval.lexical import LexicalIndex
from retrieval.text import terms

MAX_CHARS = 400
#: A matching section is preferred over a better-matching one by this factor when the
#: question asks for a decision.
DECISION_PREFERENCE = 1.5


@dataclass(frozen=True)
class Snippet:
    section: str
    text: str
    score: float


def best_snippet(punkt: Punkt, query_terms: tuple[str, ...], lexical: LexicalIndex, *,
                 decision: bool, max_chars: int = MAX_CHARS) -> Snippet:
    weights = _term_weights(query_terms, lexical)
    candidates: list[tuple[float, str, list[str], int]] = []
    for section, text in punkt.sections.items():
        sentences = split_sentences(text)
        for i, sentence in enumerate(sentences):
            score = _score(sentence, weights)
            if decision and section == DECISION:
                score = score * DECISION_PREFERENCE + 0.01
            elif section == DECISION:
                score += 0.01  # ties go to the decision
            candidates.append((score, section, sentences, i))
    if not candidates:
        return Snippet("", punkt.title, 0.0)
    score, section, sentences, i = max(candidates, key=lambda c: c[0])
    return Snippet(section, _extend(sentences, i, weights, max_chars), score)


def _term_weights(query_terms: tuple[str, ...], lexical: LexicalIndex) -> dict[str, float]:
    """Index term -> weight of the question term it stands for (compounds discounted)."""
    out: dict[str, float] = {}
    for term in query_terms:
        base = lexical.idf_of(term) or 1.0
        for t, w in lexical.match(term).expansions or ((term, 1.0),):
            out[t] = max(out.get(t, 0.0), base * w)
    return out


def _score(sentence: str, weights: dict[str, float]) -> float:
    return sum(weights.get(t, 0.0) for t in set(terms(sentence)))


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
