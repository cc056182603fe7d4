"""A meeting or one punkt of it, looked up by date: found, or why not. The chat (`møde`,
`punkt`, their buttons) and the CLI (`referatbot show`) each word the outcome their way,
from this one result."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ingest.catalog import Catalog
from ingest.model import Meeting, Punkt

#: Meeting dates offered when there is no meeting on the day asked for.
NEAREST = 3


@dataclass(frozen=True)
class Found:
    meeting: Meeting
    #: the punkt asked for; None when the whole meeting was
    punkt: Punkt | None = None


@dataclass(frozen=True)
class NoMeeting:
    day: dt.date
    #: the closest meeting dates, oldest first (empty: no minutes at all)
    nearest: tuple[dt.date, ...]


@dataclass(frozen=True)
class NoPunkt:
    meeting: Meeting
    number: int

    @property
    def numbers(self) -> tuple[int, ...]:
        """The punkt numbers the meeting does have."""
        return tuple(p.number for p in self.meeting.punkter)


Lookup = Found | NoMeeting | NoPunkt


def look_up(catalog: Catalog, day: dt.date, number: int | None = None,
            forum: str | None = None) -> Lookup:
    """The meeting on `day` (of `forum`, when given; else the first forum's by name), and
    its punkt `number`. Blocks: a catalog read."""
    meeting = catalog.meeting(day, forum)
    if meeting is None:
        return NoMeeting(day, tuple(catalog.nearest_dates(day, NEAREST, forum)))
    if number is None:
        return Found(meeting)
    punkt = meeting.punkt(number)
    return NoPunkt(meeting, number) if punkt is None else Found(meeting, punkt)
