"""Stage four of the answering walk: Verdict -> Answer, in the minutes' own words.

An answer leads with what was asked, and where: a decision with "Chefforum besluttede 24.
april 2024 (punkt 7): «…»", a date question with the meeting's date, an amount question with
the amount the best sentence states; then the quote (retrieval/snippet.py). An agenda's
punkt is said to be on the agenda and not yet decided, so an Indstilling is never taken
for a decision. Unsure, it says so and quotes the nearest punkt's best sentence; the
nearest punkter go in `suggestions`, as for nothing found. What the answerer says itself
is in the question's language (retrieval/phrasebook.py).
"""
from __future__ import annotations

from ingest.model import DAGSORDEN, DECISION, Meeting
from retrieval.answer_types import AnswerType, first
from retrieval.model import Answer, Citation, MeetingOverview
from retrieval.phrasebook import ASKED, say
from retrieval.query import Query
from retrieval.retrieve import Candidate, Candidates
from retrieval.snippet import best_snippet
from retrieval.tuning import TUNING, Tuning
from retrieval.verdict import Outcome, Reason, Verdict
from retrieval.wording import long_date, period, short_date


def quote(verdict: Verdict, tuning: Tuning = TUNING) -> Answer:
    candidates = verdict.candidates
    query = candidates.query
    lang = query.lang
    cited = tuple(_citation(c, candidates, tuning) for c in verdict.chosen)

    def reply(answered: bool, text: str, **parts) -> Answer:
        return Answer(query.text, answered, text, note=verdict.reason.value,
                      probability=verdict.probability, lang=lang,
                      confidence=verdict.confidence, **parts)

    reason = verdict.reason
    if reason in (Reason.MEETING, Reason.MEETING_OF):
        lead = say("meeting_of", lang) if reason == Reason.MEETING_OF else ""
        also = say("also_met", lang, forums=say("and", lang).join(candidates.also_met)) \
            if candidates.also_met and reason == Reason.MEETING else ""
        return reply(True, lead + _overview_text(verdict.meeting, lang) + also,
                     citations=cited, meeting=meeting_overview(verdict.meeting))
    if reason == Reason.ANSWERED:
        return reply(True, _answer_text(query, cited[0], candidates), citations=cited)
    if verdict.outcome == Outcome.UNSURE:
        return reply(False, _unsure_text(verdict, lang, tuning), suggestions=cited)
    return reply(False, _none_text(verdict, lang), suggestions=cited)


def meeting_overview(meeting: Meeting) -> MeetingOverview:
    """A meeting's open punkter; closed ones are never listed."""
    return MeetingOverview(meeting.forum, meeting.meeting_date,
                           tuple((p.number, p.title) for p in meeting.open_punkter))


def _overview_text(meeting: Meeting, lang: str) -> str:
    overview = meeting_overview(meeting)
    titles = "; ".join(f"{n}. {t}" for n, t in overview.items)
    return say("meeting_agenda" if meeting.kind == DAGSORDEN else "meeting", lang,
               forum=meeting.forum, day=long_date(meeting.meeting_date, lang),
               n=len(overview.items), titles=titles)


def _citation(c: Candidate, candidates: Candidates, tuning: Tuning) -> Citation:
    query = candidates.query
    snip = best_snippet(c.punkt, candidates.concepts, c.evidence, decision=query.decision,
                        answer_type=query.answer_type, tuning=tuning)
    return Citation(c.meeting.forum, c.meeting.meeting_date, c.punkt.number, c.punkt.title,
                    c.punkt.case_number, snip.section, snip.text, snip.highlights,
                    c.meeting.kind)


def _answer_text(query: Query, best: Citation, candidates: Candidates) -> str:
    """The first citation's quote, led by what was asked and where."""
    lang = query.lang
    where = {"forum": best.forum, "day": long_date(best.meeting_date, lang), "n": best.punkt,
             "quote": best.snippet}
    if best.kind == DAGSORDEN:
        return say("on_agenda", lang, **where)
    if best.section == DECISION and (query.decision or query.answer_type == AnswerType.DECISION):
        return say("decided", lang, **where)
    if query.answer_type == AnswerType.DATE:
        return say("dated", lang, **where)
    amount = first(best.snippet, AnswerType.AMOUNT, candidates.asked) \
        if query.answer_type == AnswerType.AMOUNT else None
    if amount:
        return say("amount", lang, amount=amount, **where)
    return say("quoted", lang, **where)


def _unsure_text(verdict: Verdict, lang: str, tuning: Tuning) -> str:
    nearest = verdict.chosen[0]
    best = nearest.evidence.best
    sentence = best.text if best else nearest.punkt.title
    if len(sentence) > tuning.max_chars:
        sentence = sentence[:tuning.max_chars - 1].rsplit(" ", 1)[0] + "…"
    return say("unsure", lang) + _missing(verdict, lang) + say(
        "nearest_punkt", lang, forum=nearest.meeting.forum,
        day=short_date(nearest.meeting.meeting_date), n=nearest.punkt.number, quote=sentence)


def _missing(verdict: Verdict, lang: str) -> str:
    """" Punktet om emnet nævner ikke noget beløb." when that is why."""
    answer_type = verdict.candidates.query.answer_type
    if verdict.reason != Reason.FACT_MISSING or answer_type not in ASKED:
        return ""
    return say("missing", lang, what=say(ASKED[answer_type], lang))


def _none_text(verdict: Verdict, lang: str) -> str:
    candidates = verdict.candidates
    query = candidates.query
    reason = verdict.reason
    if reason == Reason.EMPTY:
        return say("empty", lang)
    if reason == Reason.NO_TOPIC:
        return say("no_topic", lang)
    if reason == Reason.EMPTY_CATALOG:
        return say("empty_catalog", lang)
    if reason == Reason.FUTURE:
        return say("future", lang, day=long_date(candidates.meeting.meeting_date, lang))
    if reason == Reason.NO_MEETING:
        near = ", ".join(long_date(d, lang) for d in candidates.nearest)
        return (say("no_meeting", lang, period=period(query.start, query.end, lang))
                + (say("nearest", lang, dates=near) if near else ""))
    if reason == Reason.NOTHING_IN_PERIOD:
        return say("nothing_in_period", lang, period=period(query.start, query.end, lang))
    if reason == Reason.NOTHING:
        return say("nothing", lang)
    return say("not_found", lang) + _missing(verdict, lang)
