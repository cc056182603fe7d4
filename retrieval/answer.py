"""Question -> Answer: the meeting asked about, or the best punkter with cited snippets,
or an honest "not found" with the nearest punkter. Answer text is the minutes' own words.
"""
from __future__ import annotations

import logging

from ingest.dates import MONTH_NAMES_DA, danish_long
from ingest.model import Meeting
from retrieval.index import SearchIndex
from retrieval.model import Answer, Citation, MeetingOverview
from retrieval.query import Query, parse_query
from retrieval.search import Ranked, Searcher
from retrieval.snippet import best_snippet

#: A punkt answers only if it holds this share of the question's weight (idf). Below it
#: the question names something the minutes never discussed.
MIN_COVERAGE = 0.4
#: Further citations must score at least this share of the best one.
RELATIVE_SCORE = 0.5
MAX_CITATIONS = 3
log = logging.getLogger(__name__)


class Answerer:
    def __init__(self, index: SearchIndex, *, searcher: Searcher | None = None,
                 min_coverage: float = MIN_COVERAGE):
        self.index = index
        self.searcher = searcher or Searcher(index)
        self.min_coverage = min_coverage

    def ask(self, question: str) -> Answer:
        question = " ".join((question or "").split())
        if not question:
            return Answer(question, False, "Skriv et spørgsmål, fx: hvad besluttede CF om "
                          "telefontider?", note="empty")
        query = parse_query(question)
        if query.meeting:
            return self._meeting_answer(query)
        return self._search_answer(query)

    # --- whole meetings ----------------------------------------------------------------

    def _meeting_answer(self, query: Query) -> Answer:
        catalog = self.index.catalog
        if query.latest:
            meeting = catalog.latest()
        elif query.day:
            meeting = catalog.meeting(query.day)
        else:  # a month: its last meeting
            days = [m.meeting_date for m in catalog.meetings()
                    if query.start <= m.meeting_date <= query.end]
            meeting = catalog.meeting(days[-1]) if days else None
        if meeting is None:
            if query.latest:
                return Answer(query.text, False, "Der er endnu ingen referater.", note="empty catalog")
            near = ", ".join(danish_long(d) for d in catalog.nearest_dates(query.start))
            return Answer(query.text, False,
                          f"Der er intet referat fra {_period(query)}."
                          + (f" Nærmeste møder: {near}." if near else ""), note="no meeting")
        overview = meeting_overview(meeting)
        citations: tuple[Citation, ...] = ()
        if query.terms and not query.latest:
            ranked = [r for r in self.searcher.rank(query) if r.coverage > 0]
            citations = self._citations(query, ranked)
        titles = "; ".join(f"{n}. {t}" for n, t in overview.items)
        text = (f"{meeting.forum} d. {danish_long(meeting.meeting_date)} behandlede "
                f"{len(overview.items)} punkter: {titles}.")
        return Answer(query.text, True, text, citations, overview)

    # --- searching ---------------------------------------------------------------------

    def _search_answer(self, query: Query) -> Answer:
        if not query.terms:
            return Answer(query.text, False, "Spørgsmålet nævner ikke noget emne. Prøv fx: "
                          "hvad besluttede CF om telefontider?", note="no terms")
        ranked = self.searcher.rank(query)
        if not ranked:
            period = _period(query)
            return Answer(query.text, False, f"Der er ingen referater fra {period}."
                          if period else "Jeg fandt intet i referaterne om det.",
                          note="nothing in period" if period else "nothing")
        if ranked[0].coverage < self.min_coverage:
            suggestions = self._citations(query, ranked, relative=0.0)
            return Answer(query.text, False, "Jeg fandt ikke noget i referaterne, der svarer "
                          "på spørgsmålet." + (" Måske et af disse punkter:" if suggestions else ""),
                          suggestions=suggestions, note="below threshold")
        citations = self._citations(query, ranked)
        return Answer(query.text, True, citations[0].snippet, citations)

    def _citations(self, query: Query, ranked: list[Ranked], *,
                   relative: float = RELATIVE_SCORE) -> tuple[Citation, ...]:
        if not ranked:
            return ()
        top = ranked[0].score
        out = []
        for r in ranked:
            if len(out) == MAX_CITATIONS or r.score < relative * top:
                break
            punkt = self.index.punkt(r.ref)
            if punkt is None or punkt.closed:
                continue
            snip = best_snippet(punkt, query.terms, self.index.lexical, decision=query.decision)
            out.append(Citation(r.ref.forum, r.ref.meeting_date, r.ref.number, r.ref.title,
                                r.ref.case_number, snip.section, snip.text))
        return tuple(out)



def meeting_overview(meeting: Meeting) -> MeetingOverview:
    """A meeting's open punkter; closed ones are never listed."""
    return MeetingOverview(meeting.forum, meeting.meeting_date,
                           tuple((p.number, p.title) for p in meeting.open_punkter))


def _period(query: Query) -> str:
    if query.start is None:
        return ""
    if query.start == query.end:
        return f"d. {danish_long(query.start)}"
    if query.start.day == 1 and query.start.month == query.end.month and query.end.day > 27:
        return f"{MONTH_NAMES_DA[query.start.month - 1]} {query.start.year}"
    return f"{danish_long(query.start)} til {danish_long(query.end)}"
