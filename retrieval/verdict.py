"""Stage three of the answering walk: Candidates -> Verdict, whether the minutes answer.

A question the index could not take as a topic (no words, a meeting the catalog lacks,
the next meeting) has its verdict from its route. A topic's verdict is fitted, not set: a
logistic regression over named features of the first punkt (`features`) gives the
probability that it answers, and two thresholds split that into answer (confidence high),
unsure (low: the nearest punkt is quoted, said to be uncertain) and none. The
coefficients and thresholds are data (retrieval/data/verdict.json), refit on the tuning
questions by scripts/fit_verdict.py, which reports their cross-validation and calibration.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ingest.model import Meeting
from retrieval.answer_types import AnswerType
from retrieval.retrieve import Candidate, Candidates, Route
from retrieval.text import terms
from retrieval.tuning import TUNING, Model, Tuning

#: The cosine the sentence feature is measured from (e5-small: question-to-sentence
#: cosines lie between about 0.7 and 0.95), and the scale of the cosine features (a
#: difference of 0.1 counts 1).
COSINE_FLOOR = 0.8
COSINE_SCALE = 10.0


class Outcome(StrEnum):
    ANSWER = "answer"
    UNSURE = "unsure"
    NONE = "none"


#: The `confidence` of each outcome in the answer's JSON.
CONFIDENCE = {Outcome.ANSWER: "high", Outcome.UNSURE: "low", Outcome.NONE: "none"}


class Reason(StrEnum):
    """Why the verdict is what it is; the value is the answer's `note`."""

    ANSWERED = "answered"  # the first punkt answers, by the fitted verdict
    MEETING = "meeting"  # a whole meeting asked about
    MEETING_OF = "meeting of"  # the meeting that held the punkter the question names
    UNSURE = "unsure"  # between answering and nothing, by the fitted verdict
    FACT_MISSING = "fact missing"  # unsure or none; the asked fact is not near the best sentence
    NOT_FOUND = "below threshold"  # nothing answers, by the fitted verdict
    NOTHING = "nothing"  # the minutes hold none of the question's words
    NOTHING_IN_PERIOD = "nothing in period"  # none within the question's dates
    NO_TOPIC = "no terms"  # the question names no topic
    NO_MEETING = "no meeting"  # the meeting or date asked about is not in the catalog
    FUTURE = "future"  # when the forum meets next
    EMPTY_CATALOG = "empty catalog"
    EMPTY = "empty"  # no question


#: Verdicts a route decides without weighing any punkt.
BY_ROUTE = {Route.EMPTY: Reason.EMPTY, Route.FUTURE: Reason.FUTURE,
            Route.EMPTY_CATALOG: Reason.EMPTY_CATALOG, Route.NO_MEETING: Reason.NO_MEETING,
            Route.NO_TOPIC: Reason.NO_TOPIC}


@dataclass(frozen=True)
class Verdict:
    candidates: Candidates
    outcome: Outcome
    reason: Reason
    #: the punkter to cite (an answer, a meeting) or to offer (unsure, none), best first
    chosen: tuple[Candidate, ...] = ()
    #: the meeting to list (MEETING, MEETING_OF)
    meeting: Meeting | None = None
    #: the evidence weighed: the first punkt's features, by name
    features: tuple[tuple[str, float], ...] = ()
    #: the fitted probability that the first punkt answers
    probability: float | None = None
    #: "high", "low" or "none", by the outcome
    confidence: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "confidence", CONFIDENCE[self.outcome])


def decide(candidates: Candidates, tuning: Tuning = TUNING) -> Verdict:
    route = candidates.route
    if route in BY_ROUTE:
        return Verdict(candidates, Outcome.NONE, BY_ROUTE[route])
    if route == Route.MEETING:
        return Verdict(candidates, Outcome.ANSWER, Reason.MEETING, candidates.punkter,
                       candidates.meeting)
    found = candidates.punkter
    if not found:
        reason = Reason.NO_MEETING if candidates.date_in_topic else \
            Reason.NOTHING_IN_PERIOD if candidates.query.start else Reason.NOTHING
        return Verdict(candidates, Outcome.NONE, reason)
    if not candidates.query.english and not any(c.terms for c in candidates.concepts):
        # a Danish question none of whose words the minutes write, however spelled: the
        # nearest punkter are offered, nothing is quoted (an English word may only be
        # missing from the word list, and the embedding model may still read it)
        return Verdict(candidates, Outcome.NONE, Reason.NOTHING, found[:tuning.max_citations])
    model = tuning.verdict.hybrid if candidates.dense else tuning.verdict.lexical
    named = features(candidates, 0)
    p = model.probability(named)
    weighed = tuple(named.items())
    if candidates.query.which_meeting:
        meeting_of = _meeting_of(candidates, model, tuning)
        if meeting_of:
            return Verdict(candidates, Outcome.ANSWER, Reason.MEETING_OF, meeting_of,
                           meeting_of[0].meeting, weighed, p)
    offered = found[:tuning.max_citations]
    if p >= model.high and named["coverage"] + named["median"] >= tuning.min_support:
        return Verdict(candidates, Outcome.ANSWER, Reason.ANSWERED, _cited(found, tuning),
                       features=weighed, probability=p)
    if candidates.date_in_topic:
        return Verdict(candidates, Outcome.NONE, Reason.NO_MEETING, features=weighed,
                       probability=p)
    missing = named["fact_missing"] or named["person_missing"]
    outcome = Outcome.UNSURE if p >= model.low else Outcome.NONE
    reason = Reason.FACT_MISSING if missing else \
        Reason.UNSURE if outcome == Outcome.UNSURE else Reason.NOT_FOUND
    return Verdict(candidates, outcome, reason, offered, features=weighed, probability=p)


def features(candidates: Candidates, n: int) -> dict[str, float]:
    """The named evidence that the n-th punkt answers the question, on comparable scales:

    coverage: share of the question's specific content (idf times general-language
      rarity) that the punkt holds;
    sentence: its best sentence's cosine to the question, 10 x (cosine - 0.8);
    runner_up: that cosine above the best sentence of the best other punkt, x 10;
    median: the punkt's chunk similarity above the median punkt scored, x 10;
    match: share of the specific content held by the best sentence and its neighbours;
    fact_missing: 1 when the question asks for a number, an amount or a date and the best
      sentence and its neighbours carry none;
    person_missing: the same for a person or role (a weaker sign: names and roles are
      harder to see than figures);
    title: share of the specific content in the punkt's title;
    english: 1 for an English question (the model's cross-lingual cosines run lower);
    lead: the punkt's ranking score above the best other punkt's.
    """
    found = candidates.punkter
    this = found[n]
    others = [c for i, c in enumerate(found) if i != n]
    best = this.evidence.best
    cosine = best.similarity if best and best.similarity is not None else None
    rival = max((c.evidence.best.similarity for c in others
                 if c.evidence.best and c.evidence.best.similarity is not None), default=None)
    concepts = candidates.concepts
    total = sum(c.weight for c in concepts) or 1.0
    title_terms = set(terms(this.punkt.title))
    ranked = this.ranked
    answer_type = candidates.query.answer_type
    missing = this.evidence.fact_missing(answer_type)
    rival_score = max((c.ranked.score for c in others if c.ranked), default=0.0)
    return {
        "coverage": ranked.coverage if ranked else 0.0,
        "sentence": COSINE_SCALE * (cosine - COSINE_FLOOR) if cosine is not None else 0.0,
        "runner_up": COSINE_SCALE * (cosine - rival) if cosine is not None and rival is not None
        else 0.0,
        "median": COSINE_SCALE * ranked.margin if ranked else 0.0,
        "match": best.match if best else 0.0,
        "fact_missing": float(answer_type != AnswerType.PERSON and missing),
        "person_missing": float(answer_type == AnswerType.PERSON and missing),
        "title": sum(c.weight for c in concepts if c.forms & title_terms) / total,
        "english": float(candidates.query.english),
        "lead": (ranked.score - rival_score) if ranked else 0.0,
    }


def _cited(found: tuple[Candidate, ...], tuning: Tuning) -> tuple[Candidate, ...]:
    """The first punkt and those after it that score at least `relative_score` of it."""
    top = found[0].ranked.score
    return tuple(c for c in found[:tuning.max_citations]
                 if c is found[0] or c.ranked.score >= tuning.relative_score * top)


def _meeting_of(candidates: Candidates, model: Model, tuning: Tuning) -> tuple[Candidate, ...]:
    """For "hvilket møde ... både X og Y": the punkter of the first punkt's meeting, when
    another of the best punkter, on another part of the question, is from the same
    meeting. A punkt counts when it holds `which_meeting_share` of the question or the
    verdict would at least offer it."""
    found = candidates.punkter
    held = [c for n, c in enumerate(found)
            if c.ranked.coverage >= tuning.which_meeting_share
            or model.probability(features(candidates, n)) >= model.low]
    if len(held) < 2 or held[0].meeting.meeting_date != held[1].meeting.meeting_date:
        return ()
    first = held[0].meeting
    return tuple(c for c in held if (c.meeting.forum, c.meeting.meeting_date)
                 == (first.forum, first.meeting_date))
