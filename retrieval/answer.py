"""Question -> Answer: the meeting asked about, or the best punkter with cited snippets,
or an honest "not found" with the nearest punkter. Answer text is the minutes' own words;
what the answerer says itself is in the question's language (retrieval/wording.py).

A punkt answers only if it holds the question's specific content (Searcher.coverage:
idf times general-language rarity, so common administrative words carry little), or the
dense side finds it far closer to the question than the rest of the minutes. A punkt on
the topic that states nothing of the asked type (no amount for "hvad koster", no date for
"hvornår") does not answer either: it is offered, with a sentence saying so.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

from ingest.model import DAGSORDEN, Meeting, Punkt
from retrieval.answer_types import carries
from retrieval.index import SearchIndex
from retrieval.model import Answer, Citation, MeetingOverview
from retrieval.query import Query, parse_query
from retrieval.search import Ranked, Resolved, Searcher, resolve
from retrieval.snippet import best_snippet, sentence_terms, units
from retrieval.specificity import warm
from retrieval.text import terms
from retrieval.wording import ASKED, long_date, period, say

#: A punkt answers if its support (Answerer.support) reaches this. Set on the tuning
#: questions (tests/retrieval/fixtures/questions_tuning.jsonl) with MARGIN_SCALE, in the
#: middle of the range where both were best; `referatbot eval` prints the trade-off.
MIN_SUPPORT = 0.7
#: A dense margin (cosine above the median punkt) worth the whole of the question's words.
MARGIN_SCALE = 0.1
#: Further citations must score at least this share of the best one.
RELATIVE_SCORE = 0.5
MAX_CITATIONS = 3
#: A punkt of a named meeting is cited when its title holds this share of the question.
TITLE_SHARE = 0.5
log = logging.getLogger(__name__)


class Answerer:
    def __init__(self, index: SearchIndex, *, searcher: Searcher | None = None,
                 min_support: float = MIN_SUPPORT):
        self.index = index
        self.searcher = searcher or Searcher(index)
        self.min_support = min_support
        warm()

    @classmethod
    def lexical(cls, index: SearchIndex) -> "Answerer":
        """An answerer on the lexical side alone, which never touches the embedding model
        (for a server whose model is still loading or cannot load); `index` needs only
        its lexical side loaded (`SearchIndex.load_lexical`)."""
        return cls(index, searcher=Searcher(index, dense_weight=0.0))

    def ask(self, question: str) -> Answer:
        question = " ".join((question or "").split())
        if not question:
            return Answer(question, False, say("empty", "da"), note="empty")
        query = parse_query(question)
        if query.future:
            return self._future(query)
        if query.meeting:
            return self._meeting_answer(query)
        return self._search_answer(query)

    # --- whole meetings ----------------------------------------------------------------

    def _meeting_answer(self, query: Query) -> Answer:
        meeting = self._meeting_of(query)
        if meeting is None:
            if query.latest:
                return _reply(query, False, say("empty_catalog", query.lang),
                              note="empty catalog")
            if query.day and query.undated and (query.decision or query.concepts):
                # the date may name something else than a meeting ("blev referatet fra
                # 6. december 2018 godkendt?"); an agenda asked for is a meeting's
                found = self._search_answer(query.undated)
                if found.answered:
                    return found
            return self._no_meeting(query)
        if query.concepts and not query.latest:
            # a topic within the meeting ("hvilke sager blev udsat d. 15. marts 2023?"):
            # its punkter that hold some of it
            resolved = resolve(query, self.index.lexical)
            ranked = [r for r in self.searcher.rank(query, resolved) if r.coverage > 0]
            citations = self._citations(query, resolved, ranked, relative=0.0)
        else:
            citations = self._title_citations(query, meeting)
        return self._overview(query, meeting, citations)

    def _meeting_of(self, query: Query) -> Meeting | None:
        catalog = self.index.catalog
        if query.latest:
            return catalog.latest()
        if query.day:
            return catalog.meeting(query.day)
        start, end = (query.start, query.end) if query.start else (None, None)
        if start is None and query.year:
            start, end = dt.date(query.year, 1, 1), dt.date(query.year, 12, 31)
        if start is None:
            return None
        days = [m.meeting_date for m in catalog.meetings() if start <= m.meeting_date <= end]
        if not days:
            return None
        # the first meeting of a year when asked for it, else a month's last meeting
        return catalog.meeting(days[0] if query.first else days[-1])

    def _overview(self, query: Query, meeting: Meeting, citations: tuple[Citation, ...],
                  lead: str = "") -> Answer:
        overview = meeting_overview(meeting)
        titles = "; ".join(f"{n}. {t}" for n, t in overview.items)
        text = lead + say("meeting_agenda" if meeting.kind == DAGSORDEN else "meeting", query.lang,
                          forum=meeting.forum,
                          day=long_date(meeting.meeting_date, query.lang),
                          n=len(overview.items), titles=titles)
        return _reply(query, True, text, citations, overview)

    def _title_citations(self, query: Query, meeting: Meeting) -> tuple[Citation, ...]:
        """The punkter of the meeting whose titles the question names ("blev dagsorden og
        referat godkendt 15/3-23?" names punkt 1's title)."""
        resolved = resolve(replace(query, concepts=query.title_concepts), self.index.lexical)
        wanted = [self._expansions(r) for r in resolved if r.terms]
        if not wanted:
            return ()
        held = []
        for p in meeting.open_punkter:
            title = set(terms(p.title))
            share = sum(bool(w & title) for w in wanted) / len(wanted)
            if share >= TITLE_SHARE:
                held.append((share, p))
        held.sort(key=lambda sp: -sp[0])
        return tuple(self._citation(query, resolved, meeting, p) for _, p in held[:MAX_CITATIONS])

    def _expansions(self, r: Resolved) -> set[str]:
        """The index terms a resolved concept matches: its readings and the compounds that
        hold them."""
        return {t for known, _ in r.terms for t, _ in self.index.lexical.forms(known)}

    def _no_meeting(self, query: Query) -> Answer:
        catalog = self.index.catalog
        near = ", ".join(long_date(d, query.lang) for d in catalog.nearest_dates(query.start))
        return _reply(query, False,
                      say("no_meeting", query.lang, period=period(query.start, query.end,
                                                                   query.lang))
                      + (say("nearest", query.lang, dates=near) if near else ""),
                      note="no meeting")

    def _future(self, query: Query) -> Answer:
        latest = self.index.catalog.latest()
        if latest is None:
            return _reply(query, False, say("empty_catalog", query.lang), note="empty catalog")
        return _reply(query, False, say("future", query.lang,
                                             day=long_date(latest.meeting_date, query.lang)),
                      note="future")

    # --- searching ---------------------------------------------------------------------

    def _search_answer(self, query: Query) -> Answer:
        if not query.concepts:
            return _reply(query, False, say("no_topic", query.lang), note="no terms")
        if query.day and query.undated and self.index.catalog.meeting(query.day) is None:
            # no meeting that day: the date belongs to the topic ("lederdagen 22.
            # september 2021", "borgermødet 3. maj 2023")
            found = self._search_answer(query.undated)
            return found if found.answered else self._no_meeting(query)
        resolved = resolve(query, self.index.lexical)
        ranked = self.searcher.rank(query, resolved)
        if not ranked:
            where = period(query.start, query.end, query.lang)
            return _reply(query, False, say("nothing_in_period", query.lang, period=where)
                          if where else say("nothing", query.lang),
                          note="nothing in period" if where else "nothing")
        if query.which_meeting:
            answer = self._which_meeting(query, resolved, ranked)
            if answer:
                return answer
        top = self.index.punkt(ranked[0].ref)  # read once for the checks below
        if any(r.how == "in parts" for r in resolved):
            ranked[0] = replace(ranked[0], coverage=self._coverage_by_sentence(
                resolved, ranked[0], top))
        support = self.support(ranked[0])
        if support < self.min_support:
            return _reply(query, False, say("not_found", query.lang),
                          suggestions=self._citations(query, resolved, ranked, relative=0.0),
                          note="below threshold", support=support)
        citations = self._citations(query, resolved, ranked)
        if query.answer_type in ASKED and not self._carries(query, resolved, top):
            return _reply(query, False, say("fact_missing", query.lang,
                                            what=ASKED[query.answer_type][query.lang]),
                          suggestions=citations[:1], note="fact missing", support=support)
        return _reply(query, True, _answer_text(query, citations[0]), citations, support=support)

    def _coverage_by_sentence(self, resolved: tuple[Resolved, ...], top: Ranked,
                              punkt: Punkt) -> float:
        sentences = [u.text for body in punkt.sections.values() for u in units(body)]
        sentences.append(punkt.title)
        state = self.index.state
        i = state.position.get(top.ref.key)
        return top.coverage if i is None else self.searcher.coverage(resolved, i, sentences,
                                                                      state=state)

    def support(self, top: Ranked) -> float:
        """How strongly a punkt holds the question: its coverage of the question's
        specific content, plus how far the dense side sets it above the rest (a margin
        of MARGIN_SCALE counts as much as the whole question's words)."""
        return top.coverage + top.margin / MARGIN_SCALE

    def _holds(self, top: Ranked) -> bool:
        return self.support(top) >= self.min_support

    def _carries(self, query: Query, resolved: tuple[Resolved, ...], punkt: Punkt) -> bool:
        """Whether a sentence of the punkt that holds a question concept, or its
        neighbour, carries the asked type."""
        wanted = set().union(*(self._expansions(r) for r in resolved))
        asked = frozenset(terms(query.text)) | wanted
        for body in punkt.sections.values():
            found = [u.text for u in units(body) if not u.table]
            for i, text in enumerate(found):
                near = " ".join(found[max(i - 1, 0):i + 2])
                if wanted & sentence_terms(near) and carries(text, query.answer_type, asked):
                    return True
        return False

    def _which_meeting(self, query: Query, resolved: tuple[Resolved, ...],
                       ranked: list[Ranked]) -> Answer | None:
        """The meeting that held the punkter the question names: the meeting of the best
        punkt, when another of the best punkter, on another part of the question, is from
        the same meeting."""
        held = [r for r in ranked[:MAX_CITATIONS * 2] if self._holds(r) or r.coverage >= 0.25]
        if len(held) < 2 or held[0].ref.meeting_date != held[1].ref.meeting_date:
            return None
        meeting = self.index.catalog.meeting(held[0].ref.meeting_date, held[0].ref.forum)
        if meeting is None:
            return None
        same = [r for r in held if r.ref.meeting_date == meeting.meeting_date]
        return self._overview(query, meeting, self._citations(query, resolved, same, relative=0.0),
                              lead=say("meeting_of", query.lang))

    def _citations(self, query: Query, resolved: tuple[Resolved, ...], ranked: list[Ranked], *,
                   relative: float = RELATIVE_SCORE) -> tuple[Citation, ...]:
        if not ranked:
            return ()
        top = ranked[0].score
        chosen = []
        for r in ranked:
            if len(chosen) == MAX_CITATIONS or r.score < relative * top:
                break
            chosen.append(r)
        focus = self.index.chunk_texts([r.chunk_id for r in chosen if r.chunk_id])
        out = []
        for r in chosen:
            meeting = self.index.catalog.meeting(r.ref.meeting_date, r.ref.forum)
            punkt = meeting.punkt(r.ref.number) if meeting else None
            if punkt is None or punkt.closed:
                continue
            out.append(self._citation(query, resolved, meeting, punkt, focus.get(r.chunk_id, "")))
        return tuple(out)

    def _citation(self, query: Query, resolved, meeting: Meeting, punkt,
                  focus: str = "") -> Citation:
        snip = best_snippet(punkt, resolved, self.index.lexical, decision=query.decision,
                            answer_type=query.answer_type, focus=focus)
        return Citation(meeting.forum, meeting.meeting_date, punkt.number, punkt.title,
                        punkt.case_number, snip.section, snip.text, snip.highlights, meeting.kind)


def _answer_text(query: Query, best: Citation) -> str:
    """The best snippet; from an agenda, said to be on the agenda and not yet decided, so
    that an Indstilling is never taken for a decision."""
    if best.kind != DAGSORDEN:
        return best.snippet
    return say("on_agenda", query.lang, forum=best.forum,
               day=long_date(best.meeting_date, query.lang), n=best.punkt) + " " + best.snippet


def _reply(query: Query, *args, **kwargs) -> Answer:
    return Answer(query.text, *args, lang=query.lang, **kwargs)


def meeting_overview(meeting: Meeting) -> MeetingOverview:
    """A meeting's open punkter; closed ones are never listed."""
    return MeetingOverview(meeting.forum, meeting.meeting_date,
                           tuple((p.number, p.title) for p in meeting.open_punkter))
