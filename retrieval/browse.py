"""A few words typed in a search box -> the punkter that hold them, best first, a page at
a time: Teams' compose-box search. Not an answer: no not-found rule and no snippet, since
a result list shows whatever matches and the reader picks.

No words (or only a date, such as `marts 2023`) lists the punkter with a decision, the
newest meeting first. A forum's name among the words (`byrådet`, `TMU`) keeps the results
to that forum's. Ranking is the search's own (`Searcher.rank`); given a lexical
searcher (`dense_weight=0`) it never touches the embedding model or the vector store, so
it answers while the model loads and within Teams' 5 seconds. Closed punkter are not in
the index and are skipped should the catalog hold one the index does not know as closed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ingest.model import Meeting, Punkt
from retrieval.index import LexicalState, SearchIndex
from retrieval.query import understand
from retrieval.search import Searcher


@dataclass(frozen=True)
class Match:
    forum: str
    meeting_date: dt.date
    punkt: Punkt


def browse(index: SearchIndex, words: str, *, skip: int = 0, count: int = 25,
           searcher: Searcher | None = None) -> list[Match]:
    """Page `skip`..`skip + count` of the punkter matching `words`. Blocks: catalog reads,
    and the embedding model and Chroma when `searcher` has a dense side."""
    if count <= 0:
        return []
    searcher = searcher or Searcher(index, dense_weight=0.0)
    state = index.state  # one state for the whole page
    query = understand(words or "", index.forum_names(state))
    if not query.concepts:
        return _newest_decisions(index, state, searcher.mask(query, state), skip, count)
    ranked = searcher.rank(query, k=skip + count)[skip:]
    meetings = _Meetings(index)
    found = (meetings.punkt(r.ref.forum, r.ref.meeting_date, r.ref.number) for r in ranked)
    return [m for m in found if m is not None]


def _newest_decisions(index: SearchIndex, state: LexicalState, mask: np.ndarray, skip: int,
                      count: int) -> list[Match]:
    """Open punkter with a decision inside `mask`, newest meeting first, in punkt order."""
    inside = np.flatnonzero(mask)
    order = inside[np.lexsort((inside, -state.ordinals[inside]))]
    meetings, out, seen = _Meetings(index), [], 0
    for i in order:
        ref = state.refs[i]
        match = meetings.punkt(ref.forum, ref.meeting_date, ref.number)
        if match is None or not match.punkt.decision:
            continue
        seen += 1
        if seen > skip:
            out.append(match)
            if len(out) == count:
                break
    return out


class _Meetings:
    """The catalog's meetings read once per page (a page often holds several punkter of
    one meeting)."""

    def __init__(self, index: SearchIndex):
        self.index = index
        self._read: dict[tuple[str, dt.date], Meeting | None] = {}

    def punkt(self, forum: str, day: dt.date, number: int) -> Match | None:
        key = (forum, day)
        if key not in self._read:
            self._read[key] = self.index.catalog.meeting(day, forum)
        meeting = self._read[key]
        punkt = meeting.punkt(number) if meeting else None
        if punkt is None or punkt.closed:
            return None
        return Match(forum, day, punkt)
