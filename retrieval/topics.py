"""Whether a decision is about a topic a conversation follows (`abonner parkering`).

The topic is read as a question is (`understand`, `resolve`: inflections, compounds,
English words, misspellings), and a punkt is about it when it holds as much of the
topic's specific content as a confident answer must (`Tuning.min_support`, measured by
`coverage`, as for a question). Words alone, so the digest needs neither the embedding
model nor the vector store and runs from `referatbot digest` in a cron job as it does
in `serve`; a topic the minutes word otherwise ("p-pladser" for "parkering") is missed,
where a question would still find it by meaning.
"""
from __future__ import annotations

from typing import Iterable

from retrieval.index import LexicalState
from retrieval.query import Reading, understand
from retrieval.search import coverage, resolve
from retrieval.tuning import TUNING, Tuning


def about(state: LexicalState, topic: str, keys: Iterable[tuple[str, str, int]], *,
          tuning: Tuning = TUNING) -> dict[tuple[str, str, int], bool | None]:
    """For each punkt key (forum, ISO date, number): whether it is about `topic`, or None
    when `state` does not hold it (the index has not taken in its meeting yet)."""
    query = understand(topic)
    resolved = resolve(query, state.lexical, tuning)
    out: dict[tuple[str, str, int], bool | None] = {}
    for key in keys:
        i = state.position.get(key)
        out[key] = None if i is None else bool(resolved) and \
            coverage(state.lexical, resolved, i) >= tuning.min_support
    return out


def written(state: LexicalState, topic: str) -> bool | None:
    """Whether the minutes write any word of `topic` as a word of theirs (inflected,
    translated or misspelled; not only as parts of other words); None when it holds no
    word that could name a topic (`det`, `om`)."""
    query = understand(topic)
    if not query.concepts:
        return None
    return any(r.how not in (Reading.UNKNOWN, Reading.IN_PARTS)
               for r in resolve(query, state.lexical))
