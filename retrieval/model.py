"""What a question gets back. The JSON shape is a contract (design.md): `ask --json`,
`GET /api/ask`, the Teams card and the chat page all render these same objects."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ingest.model import REFERAT


@dataclass(frozen=True)
class Citation:
    forum: str
    meeting_date: dt.date
    punkt: int
    title: str
    case_number: str
    section: str
    snippet: str
    #: words of the snippet that hold a question concept, for bold type in the card and
    #: on the chat page; not part of the JSON, whose snippet stays plain text
    highlights: tuple[str, ...] = field(default=(), compare=False)
    #: the meeting's document: an agenda's punkt is not decided yet
    kind: str = field(default=REFERAT, compare=False)

    def to_json(self) -> dict:
        return {
            "forum": self.forum,
            "meeting_date": self.meeting_date.isoformat(),
            "punkt": self.punkt,
            "title": self.title,
            "case_number": self.case_number,
            "section": self.section,
            "snippet": self.snippet,
        }


@dataclass(frozen=True)
class MeetingOverview:
    """A whole meeting as an answer: its date and open punkter (closed ones left out)."""

    forum: str
    meeting_date: dt.date
    items: tuple[tuple[int, str], ...]

    def to_json(self) -> dict:
        """`{"meeting_date", "items"}` exactly as design.md gives it (forum is not part of it)."""
        return {
            "meeting_date": self.meeting_date.isoformat(),
            "items": [{"punkt": n, "title": t} for n, t in self.items],
        }


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    answer: str
    citations: tuple[Citation, ...] = ()
    meeting: MeetingOverview | None = None
    suggestions: tuple[Citation, ...] = ()
    #: why it was answered so (the verdict's reason: "below threshold", "no meeting", ...)
    note: str = field(default="", compare=False)
    #: the fitted probability that the first punkt answers, where the verdict weighed one;
    #: for the evaluation's trade-off curve
    probability: float | None = field(default=None, compare=False)
    #: the question's language, "da" or "en", for whatever is said around the answer
    lang: str = field(default="da", compare=False)
    #: "high" (answered), "low" (unsure: the nearest punkt quoted, answered false) or
    #: "none" (nothing found); when not given, high if answered, else none
    confidence: str | None = None

    def __post_init__(self) -> None:
        if self.confidence is None:
            object.__setattr__(self, "confidence", "high" if self.answered else "none")

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answered": self.answered,
            "answer": self.answer,
            "citations": [c.to_json() for c in self.citations],
            "meeting": self.meeting.to_json() if self.meeting else None,
            "suggestions": [c.to_json() for c in self.suggestions],
            "confidence": self.confidence,
        }
