"""Domain types for minutes: plain dataclasses that nothing Teams-specific touches."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

#: Section headings a referat uses, in their usual order. `Bilag` is kept apart as a list.
SECTION_NAMES = (
    "Anledning",
    "Sagsfremstilling",
    "Historik",
    "Økonomi",
    "Kommunikation",
    "Indstilling",
    "Beslutning",
)
DECISION = "Beslutning"
#: Where a decision of another body or an earlier meeting is kept: the case's history.
HISTORY = "Sagsforløb"
#: What a meeting's document is: minutes with decisions, or the agenda before the meeting.
REFERAT, DAGSORDEN = "referat", "dagsorden"


class Outcome(StrEnum):
    """What ingesting a file did. Its value is what `ingest --json`, `status` and the
    inbox's records write."""

    NEW = "new"
    REPLACED = "replaced"
    UNCHANGED = "unchanged"
    #: the same file (by hash) was ingested before
    KNOWN = "known"
    #: an agenda of a meeting whose referat is stored: the referat stays
    KEPT = "kept"
    REFUSED = "refused"


#: All a closed punkt shows of itself, beside its number.
CLOSED_TITLE = "Lukket"


@dataclass(frozen=True)
class Punkt:
    """One numbered agenda item. A closed punkt keeps only its number and the word
    "Lukket": constructing one that holds anything else is refused, so no path (parser,
    catalog, index, reply) can carry a closed punkt's content."""

    number: int
    title: str
    heading: str = ""
    case_number: str = ""
    closed: bool = False
    sections: dict[str, str] = field(default_factory=dict)
    bilag: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.closed and (self.title != CLOSED_TITLE or self.heading or self.case_number
                            or self.sections or self.bilag):
            raise ValueError(f"closed punkt {self.number} must hold nothing but its number")

    @property
    def decision(self) -> str:
        return self.sections.get(DECISION, "")

    def to_json(self) -> dict:
        """The item shape of `referatbot show --json` (design.md)."""
        if self.closed:
            return {"punkt": self.number, "title": self.title, "closed": True}
        return {
            "punkt": self.number,
            "title": self.title,
            "heading": self.heading,
            "case_number": self.case_number,
            "closed": False,
            "sections": dict(self.sections),
            "bilag": list(self.bilag),
        }


@dataclass(frozen=True)
class Meeting:
    """One referat: the meeting's header and its punkter in order."""

    forum: str
    meeting_date: dt.date
    time: str = ""
    place: str = ""
    source: str = ""
    content_hash: str = ""
    punkter: tuple[Punkt, ...] = ()
    kind: str = REFERAT
    #: the document names its forum (False: the default forum was taken); not stored
    forum_named: bool = field(default=True, compare=False)

    @property
    def open_punkter(self) -> tuple[Punkt, ...]:
        return tuple(p for p in self.punkter if not p.closed)

    def punkt(self, number: int) -> Punkt | None:
        return next((p for p in self.punkter if p.number == number), None)

    def to_json(self) -> dict:
        return {
            "forum": self.forum,
            "meeting_date": self.meeting_date.isoformat(),
            "time": self.time,
            "place": self.place,
            "kind": self.kind,
            "items": [p.to_json() for p in self.punkter],
        }


def chunk_hash(embed_text: str) -> str:
    """Identity of a chunk's embedded text: equal text, equal vector."""
    return hashlib.sha256(embed_text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Chunk:
    """A searchable piece of one open punkt; never crosses a punkt.

    `text` (stored and shown) names forum, date, punkt and title; `embed_text` leaves out
    the date, which is a filter rather than meaning, so equal text shares one vector."""

    id: str
    text: str
    embed_text: str
    forum: str
    meeting_date: dt.date
    punkt: int
    title: str
    section: str
    case_number: str

    @property
    def metadata(self) -> dict:
        d = self.meeting_date
        return {
            "forum": self.forum,
            "meeting_date": d.isoformat(),
            "date_int": d.year * 10000 + d.month * 100 + d.day,
            "year": d.year,
            "punkt": self.punkt,
            "title": self.title,
            "section": self.section,
            "case_number": self.case_number,
            "text_hash": chunk_hash(self.embed_text),
        }
