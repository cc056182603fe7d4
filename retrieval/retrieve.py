"""Stage two of the answering walk: Query -> Candidates, what the index holds for a question.

It finds the meeting a question names, or ranks the punkter for its topic
(retrieval/search.py), and weighs the sentences of the best ones (retrieval/snippet.py)
with the index's sentence vectors. It decides nothing: whether and how to answer is the
verdict's (retrieval/verdict.py). What it did besides ranking is listed in `steps`, such
as a date that names no meeting being searched as part of the topic ("lederdagen 22.
september 2021").
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np

from ingest.catalog import Catalog
from ingest.model import Meeting, Punkt
from retrieval.index import SearchIndex
from retrieval.query import Query, Reading
from retrieval.search import Ranked, Resolved, Searcher, resolve
from retrieval.sentences import sentence_hash, sentences
from retrieval.snippet import Evidence, weigh
from retrieval.text import terms


class Route(StrEnum):
    """What the question was taken for."""

    EMPTY = "empty"  # no words at all
    FUTURE = "future"  # when the forum meets next, which no referat tells
    EMPTY_CATALOG = "empty catalog"
    MEETING = "meeting"  # a whole meeting the catalog holds
    NO_MEETING = "no meeting"  # a meeting, or a date, the catalog does not hold
    NO_TOPIC = "no topic"  # a search without content words
    SEARCH = "search"  # punkter ranked for the topic


@dataclass(frozen=True)
class Candidate:
    """A punkt that may answer, with how it ranked (None: named by its title in a meeting
    question) and its sentences weighed."""

    meeting: Meeting
    punkt: Punkt
    ranked: Ranked | None
    evidence: Evidence


@dataclass(frozen=True)
class Candidates:
    query: Query
    route: Route
    #: the question's concepts as the index knows them
    concepts: tuple[Resolved, ...] = ()
    #: the index terms the question names itself (an answer must go beyond them)
    asked: frozenset[str] = frozenset()
    #: best first
    punkter: tuple[Candidate, ...] = ()
    #: the meeting asked about (MEETING), or the latest one (FUTURE)
    meeting: Meeting | None = None
    #: the meetings nearest a date the catalog does not hold
    nearest: tuple[dt.date, ...] = ()
    #: a date that names no meeting was searched as part of the topic
    date_in_topic: bool = False
    #: other forums that met on the day asked about, when the question named none
    also_met: tuple[str, ...] = ()
    #: whether the embedding model's evidence was weighed (not while it loads)
    dense: bool = True
    steps: tuple[str, ...] = ()


def retrieve(query: Query, index: SearchIndex, searcher: Searcher) -> Candidates:
    """The candidates for a query; `searcher` ranks (on the words alone when its dense
    weight is 0, and then no sentence vector is read)."""
    dense = searcher.dense_weight > 0
    catalog = index.catalog
    if not query.text:
        return Candidates(query, Route.EMPTY, dense=dense)
    if query.future:
        latest = _latest(catalog, query.forums)
        return Candidates(query, Route.FUTURE if latest else Route.EMPTY_CATALOG,
                          meeting=latest, dense=dense)
    if query.meeting:
        meeting = _meeting_of(query, catalog)
        if meeting is not None:
            return replace(_within(query, meeting, index, searcher),
                           also_met=_also_met(query, meeting, catalog))
        if query.latest:
            return Candidates(query, Route.EMPTY_CATALOG, dense=dense)
        if not (query.day and query.undated and (query.decision or query.concepts)):
            return Candidates(query, Route.NO_MEETING, dense=dense,
                              nearest=_nearest(query, catalog))
    steps: tuple[str, ...] = ()
    date_in_topic = bool(query.day and query.undated and _on_day(query, catalog) is None)
    nearest: tuple[dt.date, ...] = ()
    searched = query
    if date_in_topic:
        # no meeting that day: the date belongs to the topic ("blev referatet fra 6.
        # december 2018 godkendt?", "borgermødet 3. maj 2023")
        steps = (f"no meeting on {query.day.isoformat()}: the date searched as part of "
                 "the topic",)
        nearest = _nearest(query, catalog)
        searched = query.undated
    if not searched.concepts:
        return Candidates(query, Route.NO_TOPIC, dense=dense, steps=steps)
    concepts = resolve(searched, index.lexical, searcher.tuning)
    ranked = searcher.rank(searched, concepts)
    reach = searcher.tuning.max_citations * (2 if query.which_meeting else 1)
    asked = _asked(query, concepts)
    return Candidates(query, Route.SEARCH, concepts, asked,
                      _weighed(searched, concepts, asked, ranked[:reach], index, searcher),
                      nearest=nearest, date_in_topic=date_in_topic, dense=dense, steps=steps)


def _meeting_of(query: Query, catalog: Catalog) -> Meeting | None:
    """The meeting a question names: the latest, a day's, or a period's (of the forums it
    names, when it names any)."""
    if query.latest:
        return _latest(catalog, query.forums)
    if query.day:
        return _on_day(query, catalog)
    start, end = (query.start, query.end) if query.start else (None, None)
    if start is None and query.year:
        start, end = dt.date(query.year, 1, 1), dt.date(query.year, 12, 31)
    if start is None:
        return None
    held = [m for m in catalog.meetings() if start <= m.meeting_date <= end
            and (not query.forums or m.forum in query.forums)]
    if not held:
        return None
    # the first meeting of a year when asked for it, else a month's last meeting
    found = held[0] if query.first else held[-1]
    return catalog.meeting(found.meeting_date, found.forum)


def _latest(catalog: Catalog, forums: tuple[str, ...]) -> Meeting | None:
    """The latest meeting, of `forums` when given."""
    found = [m for m in (catalog.latest(f) for f in forums or (None,)) if m is not None]
    return max(found, key=lambda m: m.meeting_date, default=None)


def _on_day(query: Query, catalog: Catalog) -> Meeting | None:
    """The meeting on the question's day: of the first forum it names that met then."""
    return next(filter(None, (catalog.meeting(query.day, f) for f in query.forums or (None,))),
                None)


def _also_met(query: Query, meeting: Meeting, catalog: Catalog) -> tuple[str, ...]:
    """The other forums that met on the day a question asks about without naming a
    forum: the answer lists one meeting and says that the others were held."""
    if not query.day or query.forums:
        return ()
    return tuple(f for f in catalog.forums_on(query.day) if f != meeting.forum)


def _nearest(query: Query, catalog: Catalog) -> tuple[dt.date, ...]:
    """The meeting dates nearest the question's, of the one forum it names, if one."""
    forum = query.forums[0] if len(query.forums) == 1 else None
    return tuple(catalog.nearest_dates(query.start, forum=forum))


def _within(query: Query, meeting: Meeting, index: SearchIndex,
            searcher: Searcher) -> Candidates:
    """A named meeting, with the punkter of it that the question names: those holding
    its topic ("hvilke sager blev udsat d. 15. marts 2023?"), or those whose titles
    hold its words ("blev dagsorden og referat godkendt 15/3-23?")."""
    tuning = searcher.tuning
    dense = searcher.dense_weight > 0
    if query.concepts and not query.latest:
        concepts = resolve(query, index.lexical, tuning)
        asked = _asked(query, concepts)
        ranked = [r for r in searcher.rank(query, concepts) if r.coverage > 0]
        found = _weighed(query, concepts, asked, ranked[:tuning.max_citations], index, searcher)
        return Candidates(query, Route.MEETING, concepts, asked, found, meeting=meeting,
                          dense=dense)
    concepts = resolve(replace(query, concepts=query.title_concepts), index.lexical, tuning)
    asked = _asked(query, concepts)
    wanted = [c.forms for c in concepts if c.terms]
    held = []
    for p in meeting.open_punkter if wanted else ():
        title = set(terms(p.title))
        share = sum(bool(w & title) for w in wanted) / len(wanted)
        if share >= tuning.title_share:
            held.append((share, p))
    held.sort(key=lambda sp: -sp[0])
    found = tuple(Candidate(meeting, p, None, _evidence(query, concepts, asked, p, {}, searcher))
                  for _, p in held[:tuning.max_citations])
    return Candidates(query, Route.MEETING, concepts, asked, found, meeting=meeting, dense=dense)


def _asked(query: Query, concepts: tuple[Resolved, ...]) -> frozenset[str]:
    return frozenset(terms(query.text)).union(*(c.forms for c in concepts))


def _weighed(query: Query, concepts: tuple[Resolved, ...], asked: frozenset[str],
             ranked: list[Ranked], index: SearchIndex,
             searcher: Searcher) -> tuple[Candidate, ...]:
    """The ranked punkter as candidates (closed or vanished ones left out), the first
    `evidence_punkter` with their sentences' cosines to the question."""
    tuning = searcher.tuning
    dense = searcher.dense_weight > 0
    vector = index.embedder.query(query.text) if dense and ranked else None
    meetings: dict[tuple[str, dt.date], Meeting | None] = {}
    out = []
    for n, r in enumerate(ranked):
        key = (r.ref.forum, r.ref.meeting_date)
        if key not in meetings:
            meetings[key] = index.catalog.meeting(r.ref.meeting_date, r.ref.forum)
        meeting = meetings[key]
        punkt = meeting.punkt(r.ref.number) if meeting else None
        if punkt is None or punkt.closed:
            continue
        cosines = _cosines(meeting, punkt, vector, index) \
            if vector is not None and n < tuning.evidence_punkter else {}
        if any(c.how == Reading.IN_PARTS for c in concepts):
            r = _parts_in_one_sentence(r, concepts, punkt, index, searcher)
        out.append(Candidate(meeting, punkt, r, _evidence(query, concepts, asked, punkt, cosines,
                                                           searcher)))
    return tuple(out)


def _evidence(query: Query, concepts: tuple[Resolved, ...], asked: frozenset[str],
              punkt: Punkt, cosines: dict[int, float], searcher: Searcher) -> Evidence:
    return weigh(punkt, concepts, answer_type=query.answer_type, asked=asked,
                 similarity=cosines, tuning=searcher.tuning)


def _cosines(meeting: Meeting, punkt: Punkt, vector: np.ndarray,
             index: SearchIndex) -> dict[int, float]:
    """Cosine to the question of each of the punkt's sentences that has a vector made
    from its present text."""
    hashes = tuple(sentence_hash(punkt.title, s.text) for s in sentences(punkt))
    found = index.sentence_vectors(meeting.forum, meeting.meeting_date, punkt.number, hashes)
    return {n: float(v @ vector) for n, v in found.items()}


def _parts_in_one_sentence(r: Ranked, concepts: tuple[Resolved, ...], punkt: Punkt,
                           index: SearchIndex, searcher: Searcher) -> Ranked:
    """A compound the minutes write only in parts is held only where its parts stand in
    one sentence: "senior" in one paragraph and "ordning" in another are no
    "seniorordning" (Searcher.coverage)."""
    state = index.state
    i = state.position.get(r.ref.key)
    if i is None:
        return r
    texts = [s.text for s in sentences(punkt)] + [punkt.title]
    return replace(r, coverage=searcher.coverage(concepts, i, texts, state=state))
