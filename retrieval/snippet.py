"""A punkt's sentences weighed for a question, and the quote built from the best of them.

Each sentence (retrieval/sentences.py) scores by its cosine to the question (the index's
sentence vectors: e5 reads a question and a sentence-long passage best), plus a little for
the share of the question's specific content that it and its neighbours hold, plus a
little when the question asks for a number, an amount, a date, a person or a reason and
the sentence carries one (retrieval/answer_types.py). The same weighing is the verdict's
sentence-level evidence and picks the sentence to quote. Without vectors (the model still
loading) the words and the type decide alone.

A decision question is answered from Beslutning: all of it when it fits a card, else its
best sentence. The answer is often in two places of a punkt (what was decided, and the
figure or name in the account before it), so the best sentence elsewhere is quoted too,
after "…", when it weighs nearly as much (from Beslutning only, for a decision). A list is
never cut from the sentence that introduces it ("... en række bestillinger:"), and table
rows are not quoted as prose: flattened, a row of an agenda table reads as nonsense. A snippet is cut only at sentence boundaries, or, inside one
overlong sentence, at a word boundary with an ellipsis.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ingest.model import DECISION, Punkt
from retrieval.answer_types import AnswerType, carries
from retrieval.search import Resolved
from retrieval.sentences import Unit, sentences, units
from retrieval.text import WORD, term, terms
from retrieval.tuning import TUNING, Tuning

#: The answer types a sentence can be seen to carry; a list is found by its form.
TYPED = frozenset({AnswerType.AMOUNT, AnswerType.NUMBER, AnswerType.DATE, AnswerType.PERSON,
                   AnswerType.REASON})
#: The types whose absence near the best sentence says the punkt may not answer.
FACTS = TYPED - {AnswerType.REASON}
#: How far back a list item looks for the sentence that introduces its list.
LEAD_REACH = 12
#: Most sentences joined into one snippet.
MOST_SENTENCES = 3
#: Between the two places of a quote.
GAP = " … "


@dataclass(frozen=True)
class Weighed:
    """One sentence of a punkt, weighed for a question."""

    section: str
    #: its place among `units(punkt.sections[section])`
    position: int
    text: str
    #: cosine to the question; None without a sentence vector
    similarity: float | None
    #: share of the question's specific content held by it and its neighbours (a concept
    #: held only inside a compound at the compound weight)
    match: float
    #: share held by the sentence itself (breaks ties between neighbours)
    own: float
    #: holds something of the asked type that the question does not name
    carries: bool
    score: float


@dataclass(frozen=True)
class Evidence:
    """A punkt's sentences weighed for one question, in the punkt's order."""

    sentences: tuple[Weighed, ...] = ()

    @property
    def best(self) -> Weighed | None:
        return max(self.sentences, key=_rank, default=None)

    def fact_missing(self, answer_type: AnswerType) -> bool:
        """The question asks for a number, an amount, a date or a person, and neither the
        best sentence nor its neighbours carry one."""
        best = self.best
        if answer_type not in FACTS or best is None:
            return answer_type in FACTS
        return not any(s.carries for s in self._around(best))

    def _around(self, sentence: Weighed) -> list[Weighed]:
        same = [s for s in self.sentences if s.section == sentence.section]
        i = same.index(sentence)
        return same[max(i - 1, 0):i + 2]


@dataclass(frozen=True)
class Snippet:
    section: str
    text: str
    #: the words of the snippet that hold a question concept, as written there
    highlights: tuple[str, ...] = ()


def weigh(punkt: Punkt, concepts: tuple[Resolved, ...], *, answer_type: AnswerType,
          asked: frozenset[str], similarity: dict[int, float],
          tuning: Tuning = TUNING) -> Evidence:
    """Every sentence of the punkt weighed. `similarity`: cosine to the question by the
    sentence's place in `sentences(punkt)` (missing ones have none); `asked`: the
    question's own index terms, which a sentence must go beyond to carry the type."""
    total = sum(c.weight for c in concepts) or 1.0
    typed = answer_type in TYPED
    out = []
    listed = sentences(punkt)
    for n, s in enumerate(listed):
        near = [x.text for x in listed[max(n - 1, 0):n + 2] if x.section == s.section]
        around, itself = sentence_terms(" ".join(near)), sentence_terms(s.text)
        match = sum(c.weight * c.held(around, tuning.compound_weight) for c in concepts) / total
        own = sum(c.weight * c.held(itself, tuning.compound_weight) for c in concepts) / total
        carried = typed and carries(s.text, answer_type, asked)
        cosine = similarity.get(n)
        score = ((cosine or 0.0) + tuning.sentence_match * match
                 + (tuning.sentence_type if carried else 0.0))
        out.append(Weighed(s.section, s.position, s.text, cosine, match, own, carried, score))
    return Evidence(tuple(out))


def best_snippet(punkt: Punkt, concepts: tuple[Resolved, ...], evidence: Evidence, *,
                 decision: bool, answer_type: AnswerType = AnswerType.OTHER,
                 tuning: Tuning = TUNING) -> Snippet:
    """The quote of a punkt: around its best sentence of those that hold (with their
    neighbours) some of the question's words, or its whole Beslutning for a decision when
    that fits."""
    title = set(terms(punkt.title))
    forms = frozenset().union(*(c.forms for c in concepts)) if concepts else frozenset()
    wanted = AnswerType.OTHER if answer_type == AnswerType.DECISION else answer_type
    whole = punkt.sections.get(DECISION, "")
    # a question that names only the punkt ("eventuelt 15. marts 2023") asks what
    # became of it: its decision
    decision = decision or (wanted == AnswerType.OTHER and _names_only(concepts, title))
    if decision and whole and len(" ".join(whole.split())) <= tuning.decision_chars:
        text = _render(list(units(whole)))
        return Snippet(DECISION, text, _highlights(text, forms))
    pool = [s for s in evidence.sentences if s.section == DECISION] if decision and whole \
        else list(evidence.sentences)
    # where some sentences hold the question's words, the quote is one of them
    pool = [s for s in pool if s.match > 0] or pool
    best = max(pool, key=_rank, default=None)
    if best is None:
        return Snippet("", punkt.title)
    found = units(punkt.sections[best.section])
    text = _second_place(_compose(found, best.position, forms, wanted, tuning), best, pool,
                         evidence, tuning)
    return Snippet(best.section, text, _highlights(text, forms))


def _second_place(text: str, best: Weighed, pool: list[Weighed], evidence: Evidence,
                  tuning: Tuning) -> str:
    """The quote, and after GAP the best sentence of `pool` elsewhere in the punkt (not in
    the quote, nor next to it), where that one scores `second_share` of the best or more,
    and both fit `two_places_chars`."""
    quoted = [s for s in evidence.sentences if s == best or s.text in text]
    second = max((s for s in pool if s not in quoted and not _next_to(s, quoted)),
                 key=_rank, default=None)
    if second is None or second.score < best.score * tuning.second_share:
        return text
    joined = text + GAP + second.text
    return joined if len(joined) <= tuning.two_places_chars else text


def _next_to(sentence: Weighed, quoted: list[Weighed]) -> bool:
    """Whether the sentence just before or after `sentence` in its section is quoted: the
    quote would go on from it, without the gap GAP says."""
    return any(s.section == sentence.section and abs(s.position - sentence.position) == 1
               for s in quoted)


def _rank(s: Weighed) -> tuple[float, float]:
    """A sentence's score, ties going to the one that holds the question's words itself
    rather than beside it."""
    return s.score, s.own


def _names_only(concepts: tuple[Resolved, ...], title: set[str]) -> bool:
    """Whether every concept of the question the punkt holds is a word of its title."""
    held = [c for c in concepts if c.terms]
    return bool(held) and all(c.forms & title for c in held)


@lru_cache(maxsize=20_000)
def sentence_terms(sentence: str) -> frozenset[str]:
    """A sentence's index terms; the same sentences are weighed for question after
    question."""
    return frozenset(terms(sentence))


def _compose(found: tuple[Unit, ...], i: int, forms: frozenset[str], wanted: str,
             tuning: Tuning) -> str:
    """From the best unit: a list item with the sentence that introduces its list, a lead
    sentence with its items, else the best sentence and the next ones while they fit and
    help (or the snippet is still too short to stand alone)."""
    unit = found[i]
    if unit.item:
        lead = next((j for j in range(i - 1, max(i - LEAD_REACH, -1), -1)
                     if found[j].lead and not found[j].item), None)
        if lead is not None:
            return _fit([found[lead], *found[i:]], tuning.list_chars)
    if unit.lead:
        return _fit(found[i:], tuning.list_chars)
    chosen = [unit]
    for nxt in found[i + 1:]:
        if nxt.table or len(_render(chosen + [nxt])) > tuning.max_chars \
                or len(chosen) == MOST_SENTENCES:
            break
        helps = bool(forms & sentence_terms(nxt.text)) or carries(nxt.text, wanted)
        if not helps and len(_render(chosen)) >= tuning.short:
            break
        chosen.append(nxt)
    return _clip(_render(chosen), tuning.max_chars)


def _fit(found: list[Unit] | tuple[Unit, ...], max_chars: int) -> str:
    """The first unit and the list items after it, as many as fit."""
    chosen = [found[0]]
    for nxt in found[1:]:
        if not nxt.item or len(_render(chosen + [nxt])) > max_chars:
            break
        chosen.append(nxt)
    return _clip(_render(chosen), max_chars)


def _render(found: list[Unit]) -> str:
    """Sentences joined by spaces; a list item on a line of its own."""
    out = ""
    for u in found:
        out += ("\n" if u.item and out else " " if out else "") + u.text
    return out


def _clip(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:-–") + "…"


def _highlights(text: str, forms: frozenset[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for w in WORD.findall(text)
                               if len(w) > 1 and term(w) in forms))
