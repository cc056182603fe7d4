"""Meeting -> searchable chunks. A chunk never crosses a punkt, and a long section is cut
at sentence boundaries so that an embedding model with a short window sees all of it."""
from __future__ import annotations

import datetime as dt
import re

from ingest.model import Chunk, Meeting, Punkt

#: The bundled model reads 256 word pieces; Danish costs about two a word, and the
#: prefix (forum, date, punkt, title, section) takes some of them.
MAX_WORDS = 100
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9\"“(•-])|\n+")
#: Danish abbreviations after which a full stop does not end the sentence.
ABBREVIATION = re.compile(
    r"(?:\b(?:ca|kr|mio|mia|bl\.a|f\.eks|fx|jf|stk|nr|pkt|inkl|ekskl|evt|ift|vedr|mht|hhv|"
    r"dvs|mv|osv|tlf|att|pga|iflg|ang|min|kl|d|jan|feb|mar|apr|aug|sep|sept|okt|nov|dec)"
    r"|\b[A-ZÆØÅ])\.$", re.IGNORECASE)


def split_sentences(text: str) -> list[str]:
    """Sentences and list items of a section, whitespace folded; a full stop after an
    abbreviation ("ca. 100", "bl.a.") or an initial does not end one."""
    out: list[str] = []
    glue = False
    for line in text.split("\n"):
        for i, part in enumerate(SENTENCE_END.split(line)):
            part = " ".join(part.split())
            if not part:
                continue
            if glue and i > 0 and out:
                out[-1] += " " + part
            else:
                out.append(part)
            glue = bool(ABBREVIATION.search(part))
        glue = False
    return out


def chunk_id(forum: str, day: dt.date, number: int, i: int) -> str:
    """The id of the i-th chunk of a punkt: `Chefforum:2024-04-24:7:0`. The catalog
    records these ids, and the index finds a punkt's chunks by them (`parse_chunk_id`)."""
    return f"{forum}:{day.isoformat()}:{number}:{i}"


def parse_chunk_id(text: str) -> tuple[str, str, int, int]:
    """(forum, ISO date, punkt number, i) of a `chunk_id`; the forum may hold colons."""
    forum, day, number, i = text.rsplit(":", 3)
    return forum, day, int(number), int(i)


def chunk_meeting(meeting: Meeting, max_words: int = MAX_WORDS) -> list[Chunk]:
    return [c for p in meeting.open_punkter for c in chunk_punkt(meeting, p, max_words)]


def chunk_punkt(meeting: Meeting, punkt: Punkt, max_words: int = MAX_WORDS) -> list[Chunk]:
    """The chunks of one open punkt: one or more per section, the title alone if empty."""
    if punkt.closed:
        return []
    day = meeting.meeting_date
    prefix = f"{meeting.forum} {day:%d-%m-%Y}, punkt {punkt.number}: {punkt.title}."
    pieces: list[tuple[str, str]] = []
    for section, text in punkt.sections.items():
        for piece in _pack(split_sentences(text), max_words):
            pieces.append((section, piece))
    if punkt.bilag:
        pieces.append(("Bilag", "; ".join(punkt.bilag)))
    if not pieces:
        pieces.append(("", ""))
    return [
        Chunk(
            id=chunk_id(meeting.forum, day, punkt.number, i),
            text=f"{prefix} {section}: {piece}" if section else prefix,
            embed_text=f"{punkt.title}. {section}: {piece}" if section else punkt.title,
            forum=meeting.forum,
            meeting_date=day,
            punkt=punkt.number,
            title=punkt.title,
            section=section,
            case_number=punkt.case_number,
        )
        for i, (section, piece) in enumerate(pieces)
    ]


def _pack(sentences: list[str], max_words: int) -> list[str]:
    """Greedy packing of whole sentences; a sentence longer than the limit is cut by words."""
    out: list[str] = []
    current: list[str] = []
    size = 0
    for sentence in sentences:
        words = sentence.split()
        while len(words) > max_words:
            if current:
                out.append(" ".join(current))
                current, size = [], 0
            out.append(" ".join(words[:max_words]))
            words = words[max_words:]
        if size + len(words) > max_words and current:
            out.append(" ".join(current))
            current, size = [], 0
        current.extend(words)
        size += len(words)
    if current:
        out.append(" ".join(current))
    return out
