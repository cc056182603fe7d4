"""Question -> Query: the date filter, the intent, and the terms that should rank.

A day or a month becomes a filter and leaves the text (`i marts 2023`, `24-04-2024`,
`April 2024`); a bare year (`i 2019`) is a preference and stays a word, because the
minutes talk about other years all the time (`budget 2024`, `udsat i 2023`). Decision words favour the Beslutning section; question
fillers and the forum's own name do not rank.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from ingest.dates import MONTH_YEAR, YEAR, find_day, month_number
from retrieval.text import query_terms, stem, words

DECISION_WORDS = frozenset(stem(w) for w in """
besluttede besluttet beslutte beslutning beslutningen beslutninger besluttes vedtog vedtaget
vedtage godkendte godkendt konkluderede konklusion aftalte aftalt decide decided decision
decisions agreed conclude concluded resolved
""".split())
MEETING_WORDS = frozenset("""
dagsorden dagsordenen dagsordner behandlet behandlede behandles punkter punkterne sager
sagerne agenda items discussed oversigt indhold
""".split())
MEETING_STEMS = frozenset(stem(w) for w in MEETING_WORDS)
LATEST_WORDS = re.compile(r"\b(seneste|sidste|nyeste|latest|last|newest|recent)\b", re.IGNORECASE)
MEETING_NOUN = re.compile(r"\b(møde|mødet|møder|meeting|referat|referatet)\b", re.IGNORECASE)
#: Words before a bare year that make it a time ("i 2019"), not part of a name.
YEAR_LEAD = frozenset("i in fra from siden since år året during tilbage back".split())


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[str, ...]
    start: dt.date | None = None
    end: dt.date | None = None
    decision: bool = False
    meeting: bool = False
    latest: bool = False
    #: a bare year ("i 2023") prefers that year's meetings but does not filter, since
    #: "udsat i 2023" may well be told in a 2024 referat
    year: int | None = None

    @property
    def day(self) -> dt.date | None:
        """The one day asked about, when the question names a full date."""
        return self.start if self.start and self.start == self.end else None


def parse_query(text: str) -> Query:
    rest = " ".join(text.split())
    start = end = year = None
    found = find_day(rest)
    if found:
        start = end = found[0]
        rest = _cut(rest, found[1])
    else:
        m = MONTH_YEAR.search(rest)
        month = month_number(m.group(1)) if m else None
        if m and month and int(m.group(2)) >= dt.MINYEAR:  # not 'ſept 2024', not 'maj 0000'
            year = int(m.group(2))
            start = dt.date(year, month, 1)
            end = dt.date(year, month, calendar.monthrange(year, month)[1])
            rest = _cut(rest, m)
        else:
            for m in YEAR.finditer(rest):
                before = words(rest[:m.start()])
                if not before or before[-1] in YEAR_LEAD or not words(rest[m.end():]):
                    year = int(m.group(1))
                    break
    terms = query_terms(rest)
    lowered = words(text)
    decision = any(stem(w) in DECISION_WORDS for w in lowered)
    latest = bool(LATEST_WORDS.search(text) and MEETING_NOUN.search(text))
    content = [t for t in terms if t not in DECISION_WORDS and t not in MEETING_STEMS]
    # a whole meeting: the latest, a day's ("hvad skete der 24-04-2024?"), or a month's
    # agenda ("hvad blev behandlet i marts 2023?")
    meeting = latest or bool(start and (
        any(w in MEETING_WORDS for w in lowered) or (start == end and not content)))
    return Query(text=text, terms=tuple(content), start=start, end=end, decision=decision,
                 meeting=meeting, latest=latest, year=year)


def _cut(text: str, m: re.Match) -> str:
    return (text[:m.start()] + " " + text[m.end():]).strip()
