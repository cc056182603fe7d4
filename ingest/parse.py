"""Referat text -> Meeting with Punkter. Pure: text in, records out.

The layout (design.md) as the samples print it: a head (`REFERAT Chefforum d.
24-04-2024`, `Mødedato …`, `Mødested …`), a table of contents, then punkter headed
`Punkt N: CF - Title (20 min.)`, each with a case number on its own line and section
headings on their own lines. Other municipalities' systems head items `Pkt. 5:`, `5.`
or `Sag nr. 5`, number cases `EMN-2025-003383` or `Sagsnr.: 330-2018-3619`, and name the
decision `Beslutninger` or `Beslutning i Økonomiudvalget den …:` (ingest/layout.py knows
the words). Markdown (`#`, `**bold**`, `\\_`) and HTML tags are tolerated because minutes
systems export them; a markdown heading at the level of a punkt's sections is a section
even when its name is unknown (the web reader writes pages that way).

Whether a punkt is closed is decided by ingest/closed.py, from its heading, the status on
its case-number line, its table-of-contents entry and the dividers around it; a closed
punkt keeps only its number and the word "Lukket".
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from collections import Counter
from functools import lru_cache
from itertools import islice
from dataclasses import dataclass, field, replace

from ingest.closed import (closes_following, is_closed_field, is_closed_status, is_open_group,
                           is_openness_label, mentions_closed, opens_following,
                           opens_with_closed_mark, says_closed, without_closed_mark)
from ingest.dates import find_day
from ingest.forum_names import is_body_name
from ingest.header import Head, read_head
from ingest.layout import (BILAG, case_number, dated_decision, decision_heading, item_heading,
                           section_name)
from ingest.model import CLOSED_TITLE, DAGSORDEN, DECISION, REFERAT, Meeting, Punkt

#: The forum a file that names none is taken for, unless the caller says otherwise.
DEFAULT_FORUM = "Chefforum"
FORUM_PREFIX = re.compile(r"^(?:CF|Chefforum)\s*[-–—:]\s*", re.IGNORECASE)
#: `(20 min.)`, `(30 min)`, `(8.30-9.30)`, `(10.25-10.45)` at the end of a title
TITLE_TAIL = re.compile(
    r"\s*\((?:\d+\s*min\.?|\d{1,2}[.:]\d{2}\s*[-–]\s*\d{1,2}[.:]\d{2})\)\s*$", re.IGNORECASE)
#: [^<>]: an unclosed tag scans to the next tag, not to the end of the file (quadratic).
#: Any tag by name: a word processor's or web page's markup is no part of the minutes.
TAGS = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*\b[^<>]*>")
MD_ESCAPE = re.compile(r"\\([\\_*#\-.()\[\]!+`>|])")
DURATION_LINE = re.compile(r"^\(\d+\s*min\.?\)$")
BULLET = re.compile(r"^(?:[-•*·]|\d+[.)])\s+")
MD_LEVEL = re.compile(r"^(#{1,6})\s")
#: `**Sagsfremstilling og økonomi:**`: a bold line of its own, a heading
BOLD_LINE = re.compile(r"^\*\*[^*]{2,60}?:?\*\*:?$")
#: How many lines a wrapped punkt heading may continue on before its case number.
MAX_HEADING_WRAP = 2
#: How many lines after a weak heading (`5. Title`) may pass before its case number or
#: first section, for it to count as a heading.
WEAK_HEADING_REACH = 4
#: A table-of-contents entry: dotted leader (or tab) and a page number at the end. Written
#: so that no run of dots or tabs is rescanned from each of its positions (quadratic).
#: The page (`iii` in a print that numbers its first pages in Roman numerals) after dot
#: leaders, a tab, or a wide gap after an item's title (`322. Årsmål 2008      3`)
_PAGE = r"(?:\d+|[ivxlc]{1,6})$"
TOC_ENTRY = re.compile(rf"(?:\.{{2}}|…)\s*{_PAGE}|\t[^\S\t]*{_PAGE}|^\d{{1,4}}\.?\s.*\S {{4,}}\d{{1,3}}$")
_TOC_TAIL = re.compile(rf"(?<![.…])(?:\.{{2,}}|…+)[.…\s]*{_PAGE}|\t[^\S\t]*{_PAGE}|(?<=\S) {{4,}}\d{{1,3}}$")
#: Who attended, a label over names (`Fraværende:`, as some systems print it in every
#: punkt right under its decision's heading)
_ATTENDANCE = re.compile(r"^(?:fraværende|afbud|deltagere|til stede|fremmødte)\s*:?$",
                         re.IGNORECASE)
#: `2.1 Regnskab`: a part of a contents entry
_SUB_ENTRY = re.compile(r"^\d{1,3}\.\d")
#: `Side 3 af 6`, `… Torsdag den 17.08.2017 Side 2`: a page's number, alone or ending a line
_PAGE_MARK = re.compile(r"(?:^|\s)side\s+\d{1,4}(?:\s+(?:af|/)\s+\d{1,4})?$",
                        re.IGNORECASE | re.MULTILINE)
#: A table of contents' heading, above its entries
_CONTENTS = re.compile(r"^(?:indholdsfortegnelse|indhold)\s*:?$", re.IGNORECASE)
#: a contents entry's page number one space after its title (`Godkendelse af dagsorden 4`)
_PAGE_AFTER = re.compile(r"(?<=\S)\s+\d{1,3}$")
#: `2. behandling`, `3. Økonomiske Redegørelse`: a title that opens with an ordinal (not
#: a case number's `05.01.00-…`)
_ORDINAL = re.compile(r"^\d{1,2}\.\s+\S")
#: `Beslutningskompetence: KB`: a field of a punkt's head, label and value
_FIELD = re.compile(r"^[A-ZÆØÅa-zæøå][\wæøå -]{1,30}:\s*\S")
_LIST_MARK = re.compile(r"^[-•*·]\s+")
#: A status word alone on a line (`Åbent`, `Lukket punkt`, `open`): no part of a title.
_STATUS = re.compile(r"^(?:åben|åbent|offentlig|lukket|open|closed)(?:\s+(?:punkt|item))?$",
                     re.IGNORECASE)
#: `Beslutning: Godkendt.` on one line
_INLINE_SECTION = re.compile(r"^(beslutning|beslutninger|afgørelse|indstilling)\s*:\s+(\S.*)$",
                             re.IGNORECASE)
#: UTF-16 halves standing alone: no file decodes to them, but a str can hold them, and
#: hashing or storing such text fails (UnicodeEncodeError)
SURROGATES = re.compile("[\ud800-\udfff]")
#: Characters that change nothing a reader sees: soft hyphens, zero-width spaces and joiners
INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")


class ParseError(ValueError):
    """The text is not a referat; the message says what is missing."""


def clean_text(text: str) -> str:
    """Undo what editors and exporters add: BOM, CRLF, NBSP, soft hyphens, escapes, tags."""
    text = SURROGATES.sub("\ufffd", text.lstrip("\ufeff"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2007", " ")
    text = INVISIBLE.sub("", text)
    text = TAGS.sub("", text)
    text = MD_ESCAPE.sub(r"\1", text)
    text = html.unescape(text) if "&" in text else text
    return "\n".join(line.rstrip() for line in text.split("\n"))


@lru_cache(maxsize=65536)  # each line is read bare by several rules in turn
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
    lines: list[str] = field(default_factory=list)
    #: its table-of-contents entry, or a divider before it, marks it closed
    closed: bool = False
    #: its heading is a first-level markdown heading (`# Punkt 5: …`)
    marked: bool = False


def parse_referat(text: str, source: str = "", *, default_forum: str = DEFAULT_FORUM) -> Meeting:
    """Parse one referat (or agenda). Raises ParseError naming what the text lacks.

    `default_forum` is the forum of a file whose head names none (Meeting.forum_named)."""
    lines = _status_joined(clean_text(text).split("\n"))
    furniture = _page_furniture(lines)
    lines, contents = _without_contents(lines)
    drafts, head_end, toc = _split_punkter(lines, contents)
    head = read_head([bare(x) for x in lines[:head_end] if not _is_toc_entry(x)])
    if head.meeting_date is None or head.forum is None:
        head = _head_from_decisions(head, lines)
    if head.meeting_date is None:
        raise ParseError("no meeting date found (expected 'REFERAT Chefforum d. 24-04-2024', "
                         "'Mødedato: 24. april 2024' or a date in the title)")
    if not drafts:
        raise ParseError("no punkter found (expected item headings such as 'Punkt 1: Title', "
                         "'Pkt. 1: Title', '1. Title' or 'Sag nr. 1 Title')")
    drafts = _without_repeats(drafts)
    for draft in drafts:
        draft.lines = [x for x in draft.lines if bare(x) not in furniture]
    forum = head.forum or default_forum
    _mark_from_toc(drafts, toc)
    listed_open = _listed_before_closing([bare(x) for x in lines[:head_end]])
    for draft in drafts:
        draft.closed |= bool(listed_open) and draft.number not in listed_open
    context = _Context(forum, head.meeting_date, tuple(toc), head.closed and listed_open is None,
                       # every punkt headed `# Punkt N:` (as the web reader writes pages):
                       # only marked headings are headings, so a "Beslutning:" line inside
                       # a proposal's text is text
                       all(d.marked for d in drafts),
                       _repeated_headings(drafts))
    punkter = tuple(_punkt(d, context) for d in drafts)
    kind = head.kind or REFERAT
    if kind == DAGSORDEN and any(p.decision for p in punkter):
        kind = REFERAT  # an agenda with decisions written in is the referat
    return Meeting(
        forum=forum,
        meeting_date=head.meeting_date,
        time=head.time,
        place=head.place,
        source=source,
        content_hash=content_hash(forum, head.meeting_date.isoformat(), punkter, head.time,
                                  head.place),
        punkter=punkter,
        kind=kind,
        forum_named=head.forum is not None,
    )


def _next_entry(number: int, entries: dict, below: str) -> bool:
    """A bare number in a contents list is an entry (`1` / `Title`) where it is the next
    number and a title follows; else a page number on a line of its own (pdftotext)."""
    expected = max(entries) + 1 if entries else number
    return number == expected and (_may_be_title(below) or mentions_closed(below)) \
        and not below.isdigit()


def _head_from_decisions(head: Head, lines: list[str]) -> Head:
    """A head that names no date or no forum (a web page's head of `Referat` and the
    members alone, as Glostrup's and Høje-Taastrup's pages print it) takes them from the
    decisions' headings: the day most of them name, and the body most of them name on that
    day (`Beslutning i Kommunalbestyrelsen den 28-04-2021`)."""
    decisions = [d for d in map(dated_decision, map(bare, lines)) if d]
    if not decisions:
        return head
    day = head.meeting_date or Counter(d for d, _ in decisions).most_common(1)[0][0]
    bodies = Counter(b for d, b in decisions if d == day and is_body_name(b))
    forum = head.forum or (bodies.most_common(1)[0][0] if bodies else None)
    return replace(head, meeting_date=day, forum=forum)


def _without_contents(lines: list[str]) -> tuple[list[str], list[_TocEntry]]:
    """The lines with a table of contents under `Indholdsfortegnelse` blanked out, and its
    entries. Read here, not line by line with the punkter, because its entries look like
    headings of their own (`1` / `Title`, `3 Title`, `1 (Åben) Title 4`: no dotted leader
    to tell them by), and its `Lukket dagsorden` is the list's, not the meeting's. It ends
    at the first heading that repeats an entry (its number and title, or its number with a
    case or a section below): the body begins again from there, and what stands between
    the last entry and that heading (a status above it) is kept. With no such heading
    before a punkt's text (a section heading, a case number), the lines are left as they
    are."""
    start = next((k for k, x in enumerate(lines)
                  if "ndhold" in x.lower() and _CONTENTS.match(bare(x))), None)
    if start is None:
        return lines, []
    bares = [bare(x) for x in lines]
    if any(item_heading(b) for b in bares[:start]):
        return lines, []
    entries: dict[int, _TocEntry] = {}
    closing = close_next = False
    end = status = start
    for k in range(start + 1, len(lines)):
        b = bares[k]
        if _SUB_ENTRY.match(b):
            end = k  # `2.1 Regnskab`: a part of entry 2
            continue
        heading = item_heading(_TOC_TAIL.sub("", b).strip())
        listed = entries.get(heading.number) if heading else None
        if listed and (_same_title(listed.title, heading.title) or heading.title[:1].isupper()
                       and _head_follows(lines, k)):
            if close_next and all(bares[end + 1:status]):
                # a status right under the last entry (no blank line between) is its; one
                # set apart stands above the body's first heading, and is kept for it
                _close_last(entries)
            return lines[:start] + [""] * (end + 1 - start) + lines[end + 1:], [*entries.values()]
        if section_name(b) or _case_line(lines[k]) or _is_toc_entry(lines[k]):
            # a punkt's text: the body began with no heading the list named; or a list
            # with dotted leaders, which _split_punkter reads as it goes
            break
        if closes_following(b) or opens_following(b):
            closing = closes_following(b)  # after the last entry, the body's own divider
        elif not heading and mentions_closed(b):
            close_next, status = True, k  # a status beside an entry: see the next entry
        elif heading and listed and mentions_closed(heading.title):
            entries[heading.number] = replace(listed, after_closing=True)
        elif heading and not listed or b.isdigit() and len(b) <= 3 and _next_entry(
                int(b), entries, _next_text(lines, k)):
            number = int(b) if b.isdigit() else heading.number
            title = _TOC_TAIL.sub("", heading.title) if heading else _next_text(lines, k)
            if close_next and entries:
                # `Lukket punkt` above an entry, or `Lukket` in a column after the title of
                # the one before: whose it is cannot be told, so it closes both
                _close_last(entries)
            entries[number] = _TocEntry(number, _PAGE_AFTER.sub("", title).strip(),
                                        closing or close_next)
            close_next = False
            end = k if heading else next(j for j in range(k + 1, len(lines)) if bares[j])
    return lines, []


def _close_last(entries: dict[int, _TocEntry]) -> None:
    """The contents entry read last is closed."""
    last = next(reversed(entries))
    entries[last] = replace(entries[last], after_closing=True)


def _heads_next(bares: list[str], i: int) -> bool:
    """The next non-blank line after line i is an item heading (or a case number above
    one): line i stands above a punkt."""
    below = list(islice((b for b in bares[i + 1:] if b), 2))
    return bool(below) and (bool(item_heading(below[0])) or len(below) > 1
                            and case_number(below[0])[1] and bool(item_heading(below[1])))


def _statuses_after(bares: list[str], headings: list) -> bool:
    """Whether each punkt's status (`open` / `closed`) is printed after it rather than
    above the next heading: the document ends in one (its page number and footer aside),
    and no status stands above its first heading."""
    last = next((b for b in reversed(bares) if b and not _PAGE_MARK.search(b)), "")
    first = next((k for k, h in enumerate(headings) if h and h.title), 0)
    above_first = next((bares[k] for k in range(first - 1, -1, -1) if bares[k]), "")
    return bool(_STATUS.match(last)) and not _STATUS.match(above_first)


def _page_furniture(lines: list[str]) -> frozenset[str]:
    """What a PDF prints on every page, which is no punkt's text: its number (`Side 3 af 6`,
    alone or ending a running header or footer) and a running header beside it (`Møde i
    Økonomiudvalget den 10. juni 2013`, `Økonomiudvalget`) that stands next to a page's
    number three times or more and elsewhere once at most (the document's title), holds a
    date or a body's name and is no heading (so that a `Godkendt.` or a `Beslutning i
    Økonomiudvalget den …:` which happens to end three pages stays)."""
    if not _PAGE_MARK.search("\n".join(lines).replace("*", "")):
        return frozenset()
    bares = [bare(x) for x in lines]
    nonblank = [k for k, b in enumerate(bares) if b]
    marks = {n for n, k in enumerate(nonblank) if _PAGE_MARK.search(bares[k])}
    near = Counter(bares[nonblank[m]] for n in marks for m in (n - 1, n + 1)
                   if 0 <= m < len(nonblank) and m not in marks)
    every = Counter(bares[k] for k in nonblank)
    return frozenset({bares[nonblank[n]] for n in marks} | {
        b for b, n in near.items()
        if n >= 3 and every[b] <= n + 1 and not b.endswith(":")
        and (any(c.isdigit() for c in b) or is_body_name(b))})


def _status_joined(lines: list[str]) -> list[str]:
    """`4` / `Lukket` / `Title` on lines of their own (a PDF of a system that prints the
    number, the status and the title in columns) -> `4 (Lukket) Title`, the form
    item_heading reads; blank lines keep the others' places. Only where the document
    prints its punkter so, two or more with numbers that follow on (perhaps a contents
    list, then the body), and has no heading of another form but a contents entry of one
    of them: then a `3` / `Åben` / … table in a punkt's text heads nothing."""
    nonblank = [k for k, line in enumerate(lines) if line.strip()]
    found = []
    for n, k in enumerate(nonblank[:-2]):
        number = bare(lines[k])
        if not (number.isdigit() and len(number) <= 3):
            continue
        status, title = bare(lines[nonblank[n + 1]]), bare(lines[nonblank[n + 2]])
        if _STATUS.match(status) and _may_be_title(title):
            found.append((n, int(number), f"{number} ({status.split()[0]}) {title}"))
    # runs of numbers that follow on: the punkter, and perhaps a contents list before them
    breaks = [k for k in range(1, len(found)) if found[k][1] != found[k - 1][1] + 1]
    runs = [b - a for a, b in zip([0, *breaks], [*breaks, len(found)])]
    if not found or len(runs) > 2 or min(runs) < 2:
        return lines
    numbers = {number for _, number, _ in found}
    if any((h := item_heading(bare(lines[k]))) and h.number not in numbers
           and h.title[:1].isupper() and _head_follows(lines, k) for k in nonblank):
        return lines  # the punkter have headings of another form
    joined = list(lines)
    for n, _, heading in found:
        joined[nonblank[n]] = heading
        joined[nonblank[n + 1]] = joined[nonblank[n + 2]] = ""
    return joined


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

@dataclass(frozen=True)
class _TocEntry:
    number: int | None
    title: str
    #: the entry stands after a `Lukket dagsorden` divider in the table of contents
    after_closing: bool


def _split_punkter(lines: list[str],
                   toc: list[_TocEntry]) -> tuple[list[_Draft], int, list[_TocEntry]]:
    """The punkter's drafts, where the head ends, and the table of contents' entries.

    A strong heading (`Punkt 5:`, `Pkt. 5 -`) is one wherever it stands; a weak one
    (`5. Title`, `Sag nr. 5 Title`) only where it is the next number and a case number,
    a section or the next heading follows, or when it marks a closed punkt, so that a
    numbered list in a section is not taken for punkter, and a closed punkt's text never
    joins the punkt before it."""
    drafts: list[_Draft] = []
    toc = list(toc)
    head_end = len(lines)
    closing = toc_closing = hiding = taking_title = False
    fields_end = -1  # the line of a title printed below its heading's fields
    cases_above = False  # the first punkt's case number stands above its heading
    mark = -1  # the line of the last closed mark: it closes a heading right below it
    bares = [bare(line) for line in lines]
    headings = [item_heading(b) for b in bares]  # each line read as a heading once
    strong_document = _strong_document(headings)
    # each punkt's status printed at its end (`open` / `closed`), not above the next one's
    # heading: the document ends in one
    status_after = _statuses_after(bares, headings)
    # `Åbent punkt` printed between punkter too (above each heading, or after each punkt
    # where the document ends in a status): a status there has a side, the document's
    open_statuses = any(_STATUS.match(b) and not mentions_closed(b) and _heads_next(bares, k)
                        for k, b in enumerate(bares))
    for i, line in enumerate(lines):
        b = bares[i]
        if taking_title and b:  # the title line of a heading printed above it
            taking_title = False
            continue
        if i <= fields_end and b and not (
                _case_line(line) and not any(map(bare, drafts[-1].lines))):
            # the fields between `Punkt: 1` and its title (as Acadre prints a case): its
            # head, not its text, but the first case number, and a status among them
            # (`Sagsforløb: ØU - Lukket sag`, `Offentlig: Nej`) closes it
            drafts[-1].closed |= (mentions_closed(b) or is_closed_field(b)
                                  or says_closed(b, in_head=True))
            continue
        if _is_toc_entry(line):
            divider, colon, rest = b.partition(":")
            if colon and not drafts and closes_following(divider):
                # `Punkter på lukket møde: 44. Title ….. 110`: the divider and its first entry
                toc_closing, b = True, rest.strip()
            entry = _toc_entry(b)
            # `Lukket punkt: 2. Title ..... 3`: the mark before the number
            marked = None if entry else _toc_entry(without_closed_mark(b))
            if drafts and not entry and not any(map(bare, drafts[-1].lines)):
                # `324. Title` above `   its end ..... 5`: a contents entry that wraps
                wrapped = drafts.pop()
                head_end = head_end if drafts else len(lines)
                toc.append(_TocEntry(wrapped.number, _TOC_TAIL.sub("", f"{wrapped.heading} {b}")
                                     .strip(), toc_closing or wrapped.closed))
                continue
            if drafts:  # a table row ending in a number ("Plan MED\tMarie A\t10")
                if not hiding:
                    drafts[-1].lines.append(line)
                continue
            toc.append(_TocEntry(entry.number if entry else marked.number if marked else None,
                                 _TOC_TAIL.sub("", entry.title if entry else b).strip(),
                                 toc_closing))
            continue
        if not drafts and (closes_following(b) or opens_following(b)):
            toc_closing = closes_following(b)
        listed = _listed_entry(b) if not drafts else None
        if listed:  # `- 105. Lukket punkt: Title`: a linked contents list above the punkter
            toc.append(_TocEntry(listed.number, listed.title, toc_closing))
            continue
        heading = headings[i]
        if heading and drafts and heading.number == drafts[-1].number and any(
                map(bare, drafts[-1].lines)):
            # `Punkt 4:` inside punkt 4 (a decision's box, `Dagsordenspunkt 4: Title` above
            # its decision): a reference to the punkt, not its heading
            drafts[-1].closed |= mentions_closed(heading.title)
            if closes_following(heading.title):
                closing = hiding = True
            if heading.title and not hiding:
                drafts[-1].lines.append(line)
            continue
        title_above = ""
        if heading and not heading.title:  # `5.` or `Punkt 5` alone: the title is below,
            # or above where a field or a section follows (`Spørgetid` / `Sag nr. 129` /
            # `Beslutningskompetence: KB`, as some web systems print it)
            below = _next_text(lines, i)
            after = None if _may_be_title(below) else _title_after_fields(bares, i)
            title_above = "" if after or _may_be_title(below) else _title_above(bares, i)
            if is_body_name(title_above) or drafts and _closed_so_far(drafts[-1], toc) and (
                    _last_text(drafts[-1]) == title_above):
                # a page's header above the number (`Økonomiudvalget`), or the last line of
                # a closed punkt's text
                title_above = ""
            heading = replace(heading, title=title_above or (bares[after] if after else below))
            skip = (not title_above and not after and heading.title
                    and not item_heading(heading.title))
        else:
            skip, after = False, None
        restarts = heading is not None and _listed_before(heading, drafts)
        if restarts:  # the body after a contents list: its dividers were the list's
            closing = False
        # a closed punkt's heading printed again (its text after an appendix's divider):
        # its text joins no open punkt
        repeats_closed = heading is not None and any(
            d.number == heading.number and _same_title(d.heading, heading.title)
            and _closed_so_far(d, toc) for d in drafts)
        if heading and (restarts or repeats_closed or _is_heading(
                heading, drafts[-1] if drafts else None, lines, i, strong_document,
                {e.number for e in toc})):
            # `Lukket punkt` printed above its heading (as some systems print the status),
            # or a closed title above its number (`Salg af areal (Lukket)` / `Sag nr. 131`)
            above = next((k for k in range(i - 1, -1, -1) if bares[k]), -1)
            # a status may stand above the case number above the heading
            marker = next((k for k in range(i - 1, -1, -1)
                           if bares[k] and not _case_line(lines[k])), -1)
            # (where statuses follow their punkter, one glued to the heading below it, with
            # no blank line between, may be that punkt's as well)
            marked_above = (not status_after or not open_statuses or mark == i - 1) and (
                above >= 0 and (mark in (above, marker) or bool(drafts)
                                and _closed_line(bares[above])))
            if marked_above and drafts and is_closed_status(bares[marker]) and not (
                    open_statuses or closes_following(bares[marker])):
                # a lone `Lukket punkt` between two punkter (no divider), in a document that
                # prints no `Åbent punkt` above its headings: whose it is cannot be told, so
                # it closes both
                drafts[-1].closed = True
            if not drafts:
                head_end = i
                case_above = [lines[above]] if above >= 0 and _case_line(lines[above]) else []
            else:
                _drop_trailing_status(drafts[-1], heading.number)
                if drafts[-1].lines and (
                        title_above and bare(drafts[-1].lines[-1]) == title_above
                        # a page's header above `Punkt: N` and the case's fields
                        or after and is_body_name(bare(drafts[-1].lines[-1]))):
                    drafts[-1].lines.pop()
                # a closed punkt keeps a case number at its end, unless the document prints
                # each punkt's case number above its heading
                case_above = [] if _closed_so_far(drafts[-1], toc) and not cases_above \
                    else _case_line_above(drafts[-1], restarts and _case_only(drafts[-1]))
            cases_above |= bool(case_above) and len(drafts) == 0
            drafts.append(_Draft(heading.number, heading.title, case_above,
                                 closed=closing or marked_above or repeats_closed,
                                 marked=_md_level(line) == 1))
            # the title below the number, or printed again under the heading
            hiding, taking_title = False, bool(skip) or _repeats_title(heading.title, lines, i)
            fields_end = after or -1
            # a punkt that holds the closed part (`Nr.57 - Sager behandlet på lukket møde`)
            closing |= closes_following(heading.title)
        elif drafts and closes_following(b) and len(b.split()) <= 8 and not (
                says_closed(b, in_head=True) and _in_head(drafts[-1])):
            # the closed part begins: what follows joins no open punkt, even where the
            # next heading is not read as one
            closing = hiding = True
        elif drafts and opens_following(b) and len(b.split()) <= 8 and not is_open_group(b):
            closing = False
        elif drafts and (is_closed_field(b) or is_openness_label(b)
                         and is_closed_field(b, _next_text(lines, i))):
            # `Status: Lukket` closes its punkt, and the one below where it stands right
            # above that heading (a field printed after the punkt or before it)
            drafts[-1].closed, mark = True, i
        elif b and (len(b.split()) <= 8 and (opens_with_closed_mark(b) or (
                drafts and mentions_closed(b) and _in_head(drafts[-1])))
                    or drafts and says_closed(b, in_head=True) and (
                        says_closed(b, in_head=False) or _in_head(drafts[-1]))):
            # a closed mark in a punkt's head closes it; one further down heads an
            # unnumbered closed item, whose text is dropped up to the next heading, or
            # stands above the next punkt's heading, which it closes
            mark = i if is_closed_status(b) else -1
            # a status that heads no punkt below it (the last, or over a signature) is the
            # punkt's it ends
            own = is_closed_status(b) and (status_after or not _heads_next(bares, i))
            if drafts and (_in_head(drafts[-1]) or own or says_closed(b, in_head=False)):
                drafts[-1].closed = True
            elif drafts:
                hiding = True
        elif drafts and not hiding:
            drafts[-1].lines.append(line)
    return drafts, head_end, toc


def _may_be_title(line: str) -> bool:
    """Whether the line below a bare number may be its title: not a field (`Beslutnings-
    kompetence: KB`), a section heading, a case number or another heading."""
    return bool(line) and not (_FIELD.match(line) or section_name(line) or case_number(line)[1]
                               or item_heading(line))


def _title_after_fields(bares: list[str], i: int) -> int | None:
    """The line of the title below the fields under the bare number on line i (`Punkt: 1`
    / `Sagsnr.: 17/10438` / `Sagsbehandler: …` / `Meddelelser`), else None."""
    fields = 0
    for k in range(i + 1, min(len(bares), i + 30)):
        b = bares[k]
        if not b:
            continue
        if item_heading(b) or section_name(b) or _INLINE_SECTION.match(b):
            return None  # the next punkt (`Punkt: 5` reads as a field too), or the text
        if _FIELD.match(b) or case_number(b)[1]:
            fields += 1
        else:
            return k if fields and _may_be_title(b) else None
    return None


def _title_above(bares: list[str], i: int) -> str:
    """The title printed above the bare number on line i: a line of its own after a blank
    one, no sentence, field or section heading, and not alone under a section heading
    (then it is that section's text)."""
    nonblank = list(islice((k for k in range(i - 1, -1, -1) if bares[k]), 2))
    if not nonblank:
        return ""
    line = bares[nonblank[0]]
    if nonblank[0] == 0 or bares[nonblank[0] - 1]:
        return ""  # no blank line above it
    if len(nonblank) > 1 and section_name(bares[nonblank[1]]):
        return ""
    if (line.endswith(".") or len(line.split()) > 25 or _FIELD.match(line)
            or section_name(line) or item_heading(line)):
        return ""
    return line


def _strong_document(headings: list) -> bool:
    """Whether the punkter are headed `Punkt N:` (then `5. Title` is a list line unless
    closed). A `Punkt N:` right after the heading of its own number refers to that punkt
    (a decision's box below `N. Title`) and heads nothing."""
    last = None
    for heading in filter(None, headings):
        if heading.strong and (last is None or heading.number != last.number):
            return True
        last = heading
    return False


def _case_line_above(draft: _Draft, listed: bool) -> list[str]:
    """A case number printed above the next punkt's heading (`Sagsnr. 16/34038` / `1. Title`,
    as some regions print it) ends the punkt before: taken off it, for the next punkt. Only
    where the punkt before has a case line or a section of its own above it, so that a
    punkt of a heading and its case number alone keeps its number, or is a contents entry
    (`listed`: the next heading begins the body again after it)."""
    nonblank = [k for k, line in enumerate(draft.lines) if bare(line)]
    if not nonblank or not _case_line(draft.lines[nonblank[-1]]):
        return []
    earlier = [draft.lines[k] for k in nonblank[:-1]]
    if not listed and not any(case_number(bare(x))[1] or section_name(bare(x).rstrip(":"))
                              or _md_level(x) for x in earlier):  # a web page's `## Heading`
        return []
    return [draft.lines.pop(nonblank[-1])]


def _case_line(line: str) -> bool:
    """A line that is a case number alone, not an item (`Sag nr. 45 Title`) nor a contents
    entry."""
    b = bare(line)
    return case_number(b)[1] and not item_heading(b) and not _is_toc_entry(line)


def _listed_entry(line: str):
    """The item a list line of the head names (`- 105. Lukket punkt: Personalesag`), else
    None."""
    if not _LIST_MARK.match(line):
        return None
    heading = item_heading(_LIST_MARK.sub("", line))
    return heading if heading and heading.title else None


def _hollow(draft: _Draft) -> bool:
    """No text under the heading but a group's label (`Punkter til beslutning:`): an entry
    of a table of contents without page numbers."""
    return all(len(b.split()) <= 5 and b.endswith(":") for b in map(bare, draft.lines) if b)


def _last_text(draft: _Draft) -> str:
    return next((b for b in map(bare, reversed(draft.lines)) if b), "")


def _closed_so_far(draft: _Draft, toc: list[_TocEntry]) -> bool:
    """The punkt is closed by what has been read up to its end: a mark, a divider, its
    heading or its contents entry. Nothing is taken off it for the next punkt."""
    return draft.closed or mentions_closed(draft.heading) or any(
        e.number == draft.number and (e.after_closing or mentions_closed(e.title)) for e in toc)


def _case_only(draft: _Draft) -> bool:
    """Nothing under the heading but a case number (the next punkt's, printed above its
    heading, as a region prints it below a contents list)."""
    return all(_case_line(x) for x in draft.lines if bare(x))


def _listed_before(heading, drafts: list[_Draft]) -> bool:
    """The heading repeats an earlier entry with nothing under it (a table of contents
    without page numbers, then the punkter): the body starts again from that number."""
    return any(d.number == heading.number and _hollow(d) and _same_title(d.heading, heading.title)
               for d in drafts)


def _drop_trailing_status(draft: _Draft, number: int) -> None:
    """A status (`Åbent punkt`), a closed title or the next punkt's number and title (a web
    page's link that opens it: `- Pkt. 45 Title`) at the end of a punkt's text is the next
    punkt's, printed above its heading."""
    while draft.lines and (not (last := bare(draft.lines[-1])) or _STATUS.match(last)
                           or _closed_line(last) or _heads(last, number)):
        draft.lines.pop()


def _heads(line: str, number: int) -> bool:
    heading = item_heading(_LIST_MARK.sub("", line))
    return heading is not None and heading.number == number


def _closed_line(line: str) -> bool:
    """A short line, no sentence, that marks something closed: a closed punkt's title
    printed above its number."""
    return len(line.split()) <= 8 and not line.endswith(".") and mentions_closed(line)


def _listed_before_closing(head: list[str]) -> frozenset[int] | None:
    """The item numbers a head lists above a `Lukkede punkter` line and below no `Åbne
    punkter` one: a contents list whose closed group is only a link (as some web systems
    print it). They are the meeting's open part, and every other punkt is closed. Empty
    when the list goes on to name the closed punkter (it marks them itself); None when the
    head has no such list, and a lone `Lukket dagsorden` closes the whole meeting."""
    listed: set[int] = set()
    for k, line in enumerate(head):
        if closes_following(line):
            # a list that goes on to name the closed punkter marks them itself
            after = [line.partition(":")[2], *head[k + 1:]]
            return frozenset() if any(map(_named_item, after)) else frozenset(listed) or None
        if opens_following(line):
            return None
        item = _named_item(line)
        if item:
            listed.add(item.number)
    return None


def _named_item(line: str):
    """The item a line of a contents list names, with its title (`- 204. Title`, `204.
    Title ..... 3`), else None."""
    heading = item_heading(_TOC_TAIL.sub("", _LIST_MARK.sub("", line.strip())).strip())
    return heading if heading and heading.title else None


def _in_head(draft: _Draft) -> bool:
    """No section has begun yet and few lines stand under the heading: its head."""
    nonblank = [bare(x) for x in draft.lines if bare(x)]
    return (len(nonblank) <= MAX_HEADING_WRAP + 1
            and not any(section_name(x.rstrip(":")) for x in nonblank))


def _is_toc_entry(line: str) -> bool:
    return bool(TOC_ENTRY.search(line.rstrip().rstrip("*").rstrip()))


def _next_text(lines: list[str], i: int) -> str:
    """The first non-blank line after line i, bare."""
    return next((bare(x) for x in lines[i + 1:i + 4] if bare(x)), "")


def _toc_entry(line: str):
    return item_heading(_TOC_TAIL.sub("", line).strip())


def _is_heading(heading, previous: _Draft | None, lines: list[str], i: int,
                strong_document: bool, listed: set[int | None]) -> bool:
    """In a document headed `Punkt N:`, a weak heading is one only when it is closed
    (`5. Lukket`): its text must not join the punkt before; any other `2. Title` there is
    a numbered list (bilag, indstilling). A weak heading's number follows on from the one
    before, or skips to one the table of contents lists (`324`, then `333`: the numbers
    run through the year, and a case that was withdrawn leaves a gap)."""
    if heading.strong:
        return True
    title = heading.title
    if not title or len(title) > 250:
        return False
    closed = mentions_closed(title)
    if previous is not None and not (
            heading.number == previous.number + 1
            or (heading.number == previous.number and _title_key(title) == _title_key(previous.heading))
            or (heading.number in listed and heading.number > previous.number)
            # a closed punkt's text never joins the one before, even where a heading
            # between them was missed
            or (closed and heading.number > previous.number)):
        return False
    if closed:  # `5. lukket` too
        return True
    # a title opens as a name does, or with a number or a paragraph (`2. behandling af
    # budgettet`, `§ 17, stk. 4-udvalg`); `1. at …` in an indstilling is a list
    if not (title[0].isupper() or title[0] in "(\"«§" or _ORDINAL.match(title)):
        return False
    return not strong_document and _head_follows(lines, i)


def _repeats_title(title: str, lines: list[str], i: int) -> bool:
    """The line below heading line i prints its title again (as some web systems do)."""
    return bool(title) and _title_key(_next_text(lines, i)) == _title_key(title)


def _head_follows(lines: list[str], i: int) -> bool:
    """A case number, a section heading or another item heading follows within reach
    (or the text ends): what makes `5. Title` a heading rather than a list item. The title
    printed again below the heading is not counted."""
    seen = 0
    title = item_heading(bare(lines[i]))
    start = i + 1
    if title and _repeats_title(title.title, lines, i):
        start = next((k for k in range(i + 1, len(lines)) if bare(lines[k])), i) + 1
    for line in lines[start:]:
        b = bare(line)
        if not b:
            continue
        if case_number(b)[1] or section_name(b) or item_heading(b) or _INLINE_SECTION.match(b):
            return True
        seen += 1
        if seen >= WEAK_HEADING_REACH:
            return False
    return True


def _without_repeats(drafts: list[_Draft]) -> list[_Draft]:
    """Drop a heading printed twice (`1. Title` above `1.  Title`, or a table of contents
    without page numbers): an entry with no text whose number comes again, with its title
    or with the title less a closed mark (`105. Lukket punkt: Personalesag`, then `105.
    Personalesag`), or a closed entry with only the next heading's case number under it.
    Its closed mark passes to the punkt. Any other number printed twice is an error."""
    seen: dict[int, _Draft] = {}
    kept: list[_Draft] = []
    for k, draft in enumerate(drafts):
        later = [d for d in drafts[k + 1:] if d.number == draft.number]
        if later and (_hollow(draft) or draft.closed and _case_only(draft)) and (
                _same_title(draft.heading, later[0].heading) or mentions_closed(draft.heading)):
            later[0].closed |= draft.closed or mentions_closed(draft.heading)
            following = drafts[k + 1] if k + 1 < len(drafts) else None
            if following is not None and not _hollow(draft) and following.number <= draft.number \
                    and all(_hollow(d) or _case_only(d) for d in drafts[:k]) and not any(
                    map(_case_line, following.lines[:MAX_HEADING_WRAP + 1])):
                # a contents entry (above the body, which begins again below it) has no case
                # of its own: the number under the last one is the next heading's, printed
                # above it (`Sagsnr. 16/34038` / `1. Title`)
                following.lines[:0] = draft.lines
            continue
        if draft.number in seen:
            raise ParseError(f"punkt number(s) [{draft.number}] appear more than once")
        seen[draft.number] = draft
        kept.append(draft)
    return kept


def _mark_from_toc(drafts: list[_Draft], toc: list[_TocEntry]) -> None:
    """A punkt whose table-of-contents entry is closed is closed. Entries are matched by
    number where they carry one, else by position when they are as many as the punkter,
    and a closed entry also by its title less the mark (`Closed: <title>`)."""
    numbered = {e.number: e for e in toc if e.number is not None}
    by_position = len(toc) == len(drafts) and not numbered
    closed_titles = [_title_key(without_closed_mark(e.title)) for e in toc
                     if e.number is None and mentions_closed(e.title)]
    for k, draft in enumerate(drafts):
        entry = numbered.get(draft.number) or (toc[k] if by_position else None)
        if entry and (entry.after_closing or mentions_closed(entry.title)):
            draft.closed = True
        key = _title_key(draft.heading)
        if key and any(t and (key.startswith(t) or t.startswith(key)) for t in closed_titles):
            draft.closed = True


@dataclass(frozen=True)
class _Context:
    """What reading one punkt needs to know of the whole document."""

    forum: str
    meeting_date: dt.date
    toc: tuple[_TocEntry, ...]
    #: the head closes the whole meeting
    closed: bool
    #: the document marks its headings (`# Punkt`, `## Section`): plain lines are text
    marked: bool
    #: unknown section headings the document repeats from punkt to punkt
    learned: frozenset[str]


def _punkt(draft: _Draft, context: _Context) -> Punkt:
    heading, case, status, body = _heading_and_case(draft, list(context.toc))
    if context.closed or draft.closed or mentions_closed(heading) or mentions_closed(status):
        return Punkt(number=draft.number, title=CLOSED_TITLE, closed=True)
    sections = _sections(body, context)
    bilag = tuple(BULLET.sub("", bare(x)) for x in sections.pop(BILAG, []) if bare(x))
    texts = {name: _join(ls) for name, ls in sections.items()}
    return Punkt(
        number=draft.number,
        title=clean_title(heading),
        heading=heading,
        case_number=case,
        sections={k: v for k, v in texts.items() if v},
        bilag=bilag,
    )


def _heading_and_case(draft: _Draft, toc: list[_TocEntry]) -> tuple[str, str, str, list[str]]:
    """The punkt heading, its case number, the status words of its head (`Åbent`,
    `Lukket`) and the lines after them.

    A long heading wraps ("Punkt 3: CF - Ledelse og kompetencer i den offentlige
    sektor" / "(Regeringen, KL og Danske Regioner) (30 min.)"), so lines between the
    heading and the case number below it are the rest of the heading, and so are lines
    that continue it as its table-of-contents entry reads."""
    nonblank = [(i, bare(line)) for i, line in enumerate(draft.lines) if bare(line)]
    status: list[str] = []
    for k, (i, b) in enumerate(nonblank[:MAX_HEADING_WRAP + 1]):
        number, whole = case_number(b)
        if whole:
            status.append(b)
            wrapped = [x for _, x in nonblank[:k] if not _STATUS.match(x)]
            status += [x for _, x in nonblank[:k] if _STATUS.match(x)]
            heading = " ".join([draft.heading, *wrapped])
            return " ".join(heading.split()), number, " ".join(status), draft.lines[i + 1:]
        if section_name(b) or _INLINE_SECTION.match(b) or b.startswith("#"):
            break
    heading, rest = _continued_by_toc(draft, nonblank, toc)
    status = [b for _, b in nonblank[:MAX_HEADING_WRAP + 1] if _STATUS.match(b)]
    return heading, "", " ".join(status), rest


def _continued_by_toc(draft: _Draft, nonblank: list[tuple[int, str]],
                      toc: list[_TocEntry]) -> tuple[str, list[str]]:
    """The heading joined with the lines after it while they spell out the longer title
    of a table-of-contents entry that starts as the heading does."""
    heading = " ".join(draft.heading.split())
    key = _title_key(heading)
    longer = [t for t in (_title_key(e.title) for e in toc) if t.startswith(key) and len(t) > len(key)]
    if not key or not longer:
        return heading, list(draft.lines)
    taken = 0
    for _, b in nonblank[:MAX_HEADING_WRAP]:
        joined = _title_key(heading + " " + b)
        if not any(t.startswith(joined) for t in longer):
            break
        heading, taken = " ".join((heading + " " + b).split()), taken + 1
    if not taken:
        return heading, list(draft.lines)
    return heading, draft.lines[nonblank[taken - 1][0] + 1:]


def _same_title(a: str, b: str) -> bool:
    """One title printed twice, the shorter perhaps cut (a table of contents)."""
    a, b = _title_key(a), _title_key(b)
    return bool(a and b) and (a.startswith(b) or b.startswith(a))


def _title_key(title: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", clean_title(title).casefold()).split())


def _sections(body: list[str], context: _Context) -> dict[str, list[str]]:
    """The body's lines by section. A known heading or a decision heading starts its
    section; so does an unknown heading the document repeats from punkt to punkt, one in
    bold on a line of its own, or a markdown heading at the level the punkt's known
    section headings use; in a document that marks all its headings, only a marked line
    is one. Text before any heading is the punkt's introduction (Anledning)."""
    sections: dict[str, list[str]] = {}
    level = _section_level(body)
    current = None
    for line in body:
        b = bare(line)
        key = b.rstrip(":")
        if DURATION_LINE.match(key):
            continue  # "(25 min.)": time on the agenda, not content
        if context.marked and level and not _md_level(line) and not (
                find_day(b) and decision_heading(b, context.forum, context.meeting_date)):
            # the punkt marks its headings: a plain line is text, even "Beslutning:", but
            # not a body's dated decision (`Økonomiudvalgets beslutning i mødet den 31.
            # marts 2020` inside `Indstilling og beslutning`, as Copenhagen's pages print it)
            sections.setdefault(current or "Anledning", []).append(_body_line(line))
            continue
        name = section_name(key)
        whose = None if name else decision_heading(b, context.forum, context.meeting_date)
        inline = None if name or whose else _INLINE_SECTION.match(b)
        if name:
            current = name
            sections.setdefault(current, [])
        elif whose:
            current = whose
            section = sections.setdefault(current, [])
            if whose != DECISION:
                section.append(key)  # whose decision it was, and when
        elif inline:
            current = section_name(inline.group(1))
            sections.setdefault(current, []).append(inline.group(2))
        elif b and (key.casefold() in context.learned
                    or (BOLD_LINE.match(line.strip()) and key[-1] not in ".,;!?")
                    or (level and _md_level(line) == level)):
            current = key
            sections.setdefault(current, [])
        elif current or b or "Anledning" in sections:  # no section opened by blank lines
            sections.setdefault(current or "Anledning", []).append(_body_line(line))
    return sections


def _repeated_headings(drafts: list[_Draft]) -> frozenset[str]:
    """Unknown section headings the document prints in several punkter (`Forventet
    sagsgang`, `Tidligere behandling`): short capitalised lines, without a full stop,
    that recur in at least two punkter and half of them, and that content follows (a
    recurring value such as `BSU` stands right above a heading, or ends the punkt)."""
    seen: dict[str, int] = {}
    follows: dict[str, list[str]] = {}
    for draft in drafts:
        lines = [bare(x) for x in draft.lines if bare(x)]
        for k, b in enumerate(lines):
            if _heading_like(b):
                key = b.rstrip(":").casefold()
                seen[key] = seen.get(key, 0) + 1
                follows.setdefault(key, []).append(lines[k + 1] if k + 1 < len(lines) else "")
    recurring = {k for k, n in seen.items() if n >= 2 and n * 2 >= len(drafts)}

    def heads_content(key: str) -> bool:
        after = follows[key]
        headed = sum(not x or section_name(x.rstrip(":")) is not None
                     or x.rstrip(":").casefold() in recurring for x in after)
        return headed * 2 < len(after)
    return frozenset(k for k in recurring if heads_content(k))


def _heading_like(line: str) -> bool:
    words = line.rstrip(":").split()
    return (0 < len(words) <= 5 and len(line) <= 60 and line[0].isupper()
            and not line.rstrip(":").isupper() and line[-1] not in ".,;!?" and "," not in line
            and section_name(line.rstrip(":")) is None and not any(c.isdigit() for c in line)
            # `Åbent` under every heading, `Fraværende:` over the decision: no sections
            and not _STATUS.match(line) and not _ATTENDANCE.match(line))


def _md_level(line: str) -> int:
    m = MD_LEVEL.match(line.strip())
    return len(m.group(1)) if m else 0


def _section_level(body: list[str]) -> int:
    """The markdown level of the punkt's first known section heading (0 for none)."""
    for line in body:
        level = _md_level(line)
        if level and section_name(bare(line).rstrip(":")):
            return level
    return 0


def _body_line(line: str) -> str:
    stripped = line.lstrip()
    if stripped.startswith("#"):
        line = stripped.lstrip("#").strip()
    return line.replace("**", "")


def _join(lines: list[str]) -> str:
    text = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)
