"""The sentences of a punkt that answer the question, in its own words.

A sentence scores by the question concepts it holds (idf, compounds and respellings
included) and, when the question asks for a number, an amount, a date, a person, a reason
or a list, by whether it carries one (retrieval/answer_types.py). A decision question is
answered from Beslutning: all of it when it fits a card, else its sentences that answer.
A list is never cut from the sentence that introduces it ("... en række bestillinger:"),
and table rows are not quoted as prose: flattened, a row of an agenda table reads as
nonsense. A snippet is cut only at sentence boundaries, or, inside one overlong sentence,
at a word boundary with an ellipsis.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.chunk import split_sentences
from ingest.model import DECISION, Punkt
from retrieval.answer_types import carries
from retrieval.lexical import LexicalIndex
from retrieval.search import Resolved
from retrieval.text import WORD, term, terms

MAX_CHARS = 400
#: A whole Beslutning is quoted up to this length: about twelve lines of a Teams card at
#: its usual width, and 70% of the Beslutning sections of the samples.
DECISION_CHARS = 900
#: A list with its lead sentence may run this long.
LIST_CHARS = 600
#: Sentences of the Beslutning section (what the forum said) count this much more.
DECISION_PREFERENCE = 1.5
TITLE_DISCOUNT = 0.3
#: For a question that asks for a number, an amount, a date, a person or a reason, a
#: sentence that carries none counts this share of its match...
TYPELESS = 0.5
#: ... and a sentence that carries one but not the question's words, this share of its
#: neighbour's match.
NEIGHBOUR_SHARE = 0.5
#: The answer types a sentence can be seen to carry; a list is found by its form.
TYPED = ("amount", "number", "date", "person", "reason")
#: A sentence of the chunk nearest the question (dense side) counts this much more.
FOCUS_BONUS = 0.25
#: How far back a list item looks for the sentence that introduces its list.
LEAD_REACH = 12
SHORT = 120
TABLE_ROW = re.compile(r"\S[ ]*\t+[ \t]*\S|\|.*\|")
ITEM = re.compile(r"^\s*(?:[-•*·]|\d+[.)])\s+")


@dataclass(frozen=True)
class Unit:
    """A sentence, a list item or a table row of a section."""

    text: str
    item: bool = False
    table: bool = False

    @property
    def lead(self) -> bool:
        return self.text.endswith(":")


@dataclass(frozen=True)
class Snippet:
    section: str
    text: str
    score: float
    #: the words of the snippet that hold a question concept, as written there
    highlights: tuple[str, ...] = ()


@lru_cache(maxsize=4096)
def units(text: str) -> tuple[Unit, ...]:
    """The units of a section's text; a punkt's sections are read again for each question
    that cites it, by the snippet and by the answerer's checks."""
    out = []
    for line in text.split("\n"):
        if TABLE_ROW.search(line):
            out.append(Unit(" ".join(line.split()), table=True))
            continue
        item = bool(ITEM.match(line))
        out.extend(Unit(s, item=item and i == 0) for i, s in enumerate(split_sentences(line)))
    return tuple(out)


def best_snippet(punkt: Punkt, resolved: tuple[Resolved, ...], lexical: LexicalIndex, *,
                 decision: bool, answer_type: str = "other", focus: str = "",
                 max_chars: int = MAX_CHARS) -> Snippet:
    """`focus` is the text of the punkt's chunk nearest the question by the dense side;
    its sentences are preferred, so a paraphrase finds its sentence as well as its punkt."""
    title = set(terms(punkt.title))
    weights = _term_weights(resolved, lexical, title)
    wanted = "other" if answer_type == "decision" else answer_type
    whole = punkt.sections.get(DECISION, "")
    # a question that names only the punkt ("eventuelt 15. marts 2023") asks what
    # became of it: its decision
    decision = decision or (wanted == "other" and _names_only(resolved, lexical, title))
    if decision and whole and len(" ".join(whole.split())) <= DECISION_CHARS:
        text = _render(units(whole))
        return Snippet(DECISION, text, 1.0, _highlights(text, weights))
    sections = {DECISION: whole} if decision and whole else punkt.sections
    focus = " ".join(focus.split())
    best: tuple[float, str, tuple[Unit, ...], int] | None = None
    for section, body in sections.items():
        found = units(body)
        matches = [_score(u.text, weights) if not u.table else 0.0 for u in found]
        for i, unit in enumerate(found):
            if unit.table:
                continue
            score = matches[i]
            if wanted in TYPED:
                # the sentence next to the question's words may be the one with the date;
                # a sentence without anything of the asked type answers only if nothing
                # better does
                near = max(matches[max(i - 1, 0):i + 2])
                score = score or NEIGHBOUR_SHARE * near
                if not carries(unit.text, wanted):
                    score *= TYPELESS
            if focus and unit.text in focus:
                score *= 1 + FOCUS_BONUS
            if section == DECISION and wanted == "other":
                # what the forum itself said; ties and near-ties go to it, unless the
                # question asks for a fact that may stand anywhere in the punkt
                score = score * DECISION_PREFERENCE + 0.01
            if best is None or score > best[0]:
                best = (score, section, found, i)
    if best is None:
        return Snippet("", punkt.title, 0.0)
    score, section, found, i = best
    text = _compose(found, i, weights, wanted, max_chars)
    return Snippet(section, text, score, _highlights(text, weights))


def _term_weights(resolved: tuple[Resolved, ...], lexical: LexicalIndex,
                  title: set[str]) -> dict[str, list[tuple[int, float]]]:
    """Index term -> the question concepts it stands for, with weights (compounds and
    corrections discounted). A concept found in the punkt's title says which punkt, not
    which sentence, so it weighs less here."""
    out: dict[str, list[tuple[int, float]]] = {}
    for n, r in enumerate(resolved):
        for known, factor in r.terms:
            expansions = lexical.forms(known)
            base = (lexical.idf_of(known) or 1.0) * factor
            if any(t in title for t, _ in expansions):
                base *= TITLE_DISCOUNT
            for t, w in expansions:
                out.setdefault(t, []).append((n, base * w))
    return out


def _names_only(resolved: tuple[Resolved, ...], lexical: LexicalIndex, title: set[str]) -> bool:
    """Whether every concept of the question the punkt holds is a word of its title."""
    held = [r for r in resolved if r.terms]
    return bool(held) and all(
        any(t in title for known, _ in r.terms for t, _ in lexical.forms(known))
        for r in held)


@lru_cache(maxsize=20_000)
def sentence_terms(sentence: str) -> frozenset[str]:
    """A sentence's index terms; the same sentences are scored for question after
    question."""
    return frozenset(terms(sentence))


def _score(sentence: str, weights: dict[str, list[tuple[int, float]]]) -> float:
    """Each question concept counts once, by its best match in the sentence."""
    best: dict[int, float] = {}
    for t in sentence_terms(sentence):
        for n, w in weights.get(t, ()):
            best[n] = max(best.get(n, 0.0), w)
    return sum(best.values())


def _compose(found: tuple[Unit, ...], i: int, weights, wanted: str, max_chars: int) -> str:
    """From the best unit: a list item with the sentence that introduces its list, a lead
    sentence with its items, else the best sentence and the next ones while they fit and
    help (or the snippet is still too short to stand alone)."""
    unit = found[i]
    if unit.item:
        lead = next((j for j in range(i - 1, max(i - LEAD_REACH, -1), -1)
                     if found[j].lead and not found[j].item), None)
        if lead is not None:
            return _fit([found[lead], *found[i:]], LIST_CHARS)
    if unit.lead:
        return _fit(found[i:], LIST_CHARS)
    chosen = [unit]
    for nxt in found[i + 1:]:
        if nxt.table or len(_render(chosen + [nxt])) > max_chars or len(chosen) == 3:
            break
        helps = _score(nxt.text, weights) > 0 or carries(nxt.text, wanted)
        if not helps and len(_render(chosen)) >= SHORT:
            break
        chosen.append(nxt)
    return _clip(_render(chosen), max_chars)


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


def _highlights(text: str, weights: dict) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for w in WORD.findall(text)
                               if len(w) > 1 and term(w) in weights))
