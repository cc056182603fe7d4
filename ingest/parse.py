"""Referat text -> Meeting with Punkter. Pure: text in, records out.

The layout (design.md): a header (`REFERAT Chefforum d. 24-04-2024`, `Mødedato …`,
`Mødested …`), a table of contents that is not read, then punkter headed
`Punkt N: CF - Title (20 min.)`, each with a case number on its own line and section
headings on their own lines. Markdown (`#`, `**bold**`, `\\_`) and HTML sub/sup tags are
tolerated because the minutes system exports them.
"""
from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass

from ingest.dates import find_day
from ingest.model import SECTION_NAMES, Meeting, Punkt

BILAG = "Bilag"
_SECTION_BY_KEY = {name.lower(): name for name in (*SECTION_NAMES, BILAG)}

#: at most four digits: `Punkt 123456789…:` is no agenda item (and int() refuses 4,300+ digits)
PUNKT_HEADING = re.compile(r"^Punkt\s+(\d{1,4})\s*[:.]\s*(.*)$", re.IGNORECASE)
CASE_NUMBER = re.compile(r"^\d{2}\.\d{2}\.\d{2}-[A-ZÆØÅ0-9]{3}-\d+-\d{2}$")
#: (?<=\S): the forum ends at a non-space, so a long run of spaces is not tried from each of
#: its positions (quadratic)
TITLE_HEADER = re.compile(r"^REFERAT\s+(.+?)(?<=\S)\s+d\.\s*(\S+)", re.IGNORECASE)
FORUM_PREFIX = re.compile(r"^(?:CF|Chefforum)\s*[-–—:]\s*", re.IGNORECASE)
#: `(20 min.)`, `(30 min)`, `(8.30-9.30)`, `(10.25-10.45)` at the end of a title
TITLE_TAIL = re.compile(
    r"\s*\((?:\d+\s*min\.?|\d{1,2}[.:]\d{2}\s*[-–]\s*\d{1,2}[.:]\d{2})\)\s*$", re.IGNORECASE)
TIME = re.compile(r"\bkl\.?\s*(\d{1,2})[.:](\d{2})")
#: [^<>]: an unclosed `<sub` scans to the next tag, not to the end of the file (quadratic)
TAGS = re.compile(r"</?(?:sub|sup|span|br|b|i|u|em|strong)\b[^<>]*>", re.IGNORECASE)
MD_ESCAPE = re.compile(r"\\([\\_*#\-.()\[\]!+`>|])")
DURATION_LINE = re.compile(r"^\(\d+\s*min\.?\)$")
BULLET = re.compile(r"^(?:[-•*·]|\d+[.)])\s+")
#: How many lines a wrapped punkt heading may continue on before its case number.
MAX_HEADING_WRAP = 2
#: A table-of-contents entry: dotted leader (or tab) and a page number at the end. Written
#: so that no run of dots or tabs is rescanned from each of its positions (quadratic).
TOC_ENTRY = re.compile(r"(?:\.{3}|…)\s*\d+$|\t[^\S\t]*\d+$")
#: UTF-16 halves standing alone: no file decodes to them, but a str can hold them, and
#: hashing or storing such text fails (UnicodeEncodeError)
SURROGATES = re.compile("[\ud800-\udfff]")


class ParseError(ValueError):
    """The text is not a referat; the message says what is missing."""


def clean_text(text: str) -> str:
    """Undo what editors and exporters add: BOM, CRLF, NBSP, escapes, sub/sup tags."""
    text = SURROGATES.sub("\ufffd", text.lstrip("\ufeff"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u200b", "")
    text = TAGS.sub("", text)
    text = MD_ESCAPE.sub(r"\1", text)
    text = html.unescape(text) if "&" in text else text
    return "\n".join(line.rstrip() for line in text.split("\n"))


def bare(line: str) -> str:
    """A line without markdown heading marks and bold, for recognising headings."""
    line = line.strip().lstrip("#").strip()
    return line.replace("**", "").replace("__", "").strip()


def clean_title(heading: str) -> str:
    """`CF - Status fra ØS IT (20 min)` -> `Status fra ØS IT`."""
    title = FORUM_PREFIX.sub("", heading.strip())
    while True:
        shorter = TITLE_TAIL.sub("", title)
        if shorter == title:
            return title.strip()
        title = shorter


@dataclass
class _Draft:
    number: int
    heading: str
    lines: list[str]


def parse_referat(text: str, source: str = "") -> Meeting:
    """Parse one referat. Raises ParseError naming what the text lacks."""
    text = clean_text(text)
    lines = text.split("\n")
    forum, meeting_date = _header(lines)
    if meeting_date is None:
        raise ParseError("no meeting date found (expected 'REFERAT Chefforum d. 24-04-2024' "
                         "or 'Mødedato … d. 24. april 2024')")
    drafts = _split_punkter(lines)
    if not drafts:
        raise ParseError("no punkter found (expected lines such as 'Punkt 1: CF - Title')")
    numbers = [d.number for d in drafts]
    if len(set(numbers)) != len(numbers):
        dup = sorted({n for n in numbers if numbers.count(n) > 1})
        raise ParseError(f"punkt number(s) {dup} appear more than once")
    punkter = tuple(_punkt(d) for d in drafts)
    time, place = _field(lines, "Mødedato", TIME), _place(lines)
    return Meeting(
        forum=forum,
        meeting_date=meeting_date,
        time=time,
        place=place,
        source=source,
        content_hash=content_hash(forum, meeting_date.isoformat(), punkter, time, place),
        punkter=punkter,
    )


def content_hash(forum: str, day: str, punkter: tuple[Punkt, ...], time: str = "",
                 place: str = "") -> str:
    """A hash of what the meeting says, blind to layout, so a .pdf and a .txt of the same
    minutes hash alike when their words agree. Everything `show` prints counts (time,
    place, raw headings): a corrected referat that changes only those still replaces."""
    h = hashlib.sha256(f"{forum}|{day}|{time}|{place}".encode())
    for p in punkter:
        parts = [str(p.number), p.title, p.heading, p.case_number, str(p.closed)]
        parts += [f"{k}={v}" for k, v in sorted(p.sections.items())] + list(p.bilag)
        h.update(" ".join(" ".join(parts).split()).encode())
    return h.hexdigest()


# --- helpers ---------------------------------------------------------------------------

def _header(lines: list[str]) -> tuple[str, object]:
    forum, day = "Chefforum", None
    for line in lines[:60]:
        b = bare(line)
        m = TITLE_HEADER.match(b)
        if m:
            forum = m.group(1).strip() or forum
            found = find_day(m.group(2))
            if found:
                return forum, found[0]
    for line in lines[:60]:
        b = bare(line)
        if b.lower().startswith("mødedato"):
            found = find_day(b)
            if found:
                return forum, found[0]
    return forum, day


def _field(lines: list[str], label: str, pattern: re.Pattern) -> str:
    for line in lines[:60]:
        b = bare(line)
        if b.lower().startswith(label.lower()):
            m = pattern.search(b)
            if m:
                return f"{int(m.group(1)):02d}:{m.group(2)}"
    return ""


def _place(lines: list[str]) -> str:
    for line in lines[:60]:
        b = bare(line)
        if b.lower().startswith("mødested"):
            return b[len("mødested"):].strip(" :")
    return ""


def _split_punkter(lines: list[str]) -> list[_Draft]:
    drafts: list[_Draft] = []
    for line in lines:
        m = PUNKT_HEADING.match(bare(line))
        if m and not TOC_ENTRY.search(line.rstrip()):
            drafts.append(_Draft(int(m.group(1)), m.group(2).strip(), []))
        elif drafts:
            drafts[-1].lines.append(line)
    return drafts


def _punkt(draft: _Draft) -> Punkt:
    heading, case_number, body = _heading_and_case(draft)
    title = clean_title(heading)
    if title.lower().rstrip(".") == "lukket":
        return Punkt(number=draft.number, title="Lukket", closed=True)
    sections: dict[str, list[str]] = {}
    current = None
    for line in body:
        key = bare(line).rstrip(":").lower()
        if DURATION_LINE.match(key):
            continue  # "(25 min.)": time on the agenda, not content
        if key in _SECTION_BY_KEY:
            current = _SECTION_BY_KEY[key]
            sections.setdefault(current, [])
        else:
            # text before any heading is the punkt's introduction; it belongs to Anledning
            sections.setdefault(current or "Anledning", []).append(_body_line(line))
    bilag = tuple(BULLET.sub("", bare(x)) for x in sections.pop(BILAG, []) if bare(x))
    texts = {name: _join(ls) for name, ls in sections.items()}
    return Punkt(
        number=draft.number,
        title=title,
        heading=heading,
        case_number=case_number,
        sections={k: v for k, v in texts.items() if v},
        bilag=bilag,
    )


def _heading_and_case(draft: _Draft) -> tuple[str, str, list[str]]:
    """The punkt heading, its case number and the lines after them.

    A long heading wraps in a PDF ("Punkt 3: CF - Ledelse og kompetencer i den offentlige
    sektor" / "(Regeringen, KL og Danske Regioner) (30 min.)"), so lines between the
    heading and the case number below it are the rest of the heading."""
    nonblank = [(i, bare(line)) for i, line in enumerate(draft.lines) if bare(line)]
    for k, (i, b) in enumerate(nonblank[:MAX_HEADING_WRAP + 1]):
        if CASE_NUMBER.match(b):
            heading = " ".join([draft.heading, *(x for _, x in nonblank[:k])])
            return " ".join(heading.split()), b, draft.lines[i + 1:]
        if b.rstrip(":").lower() in _SECTION_BY_KEY:
            break
    return " ".join(draft.heading.split()), "", list(draft.lines)


def _body_line(line: str) -> str:
    stripped = line.lstrip()
    if stripped.startswith("#"):
        line = stripped.lstrip("#").strip()
    return line.replace("**", "")


def _join(lines: list[str]) -> str:
    text = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)
