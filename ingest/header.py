"""A referat's head, before its first punkt: which forum met, when, where, and whether
the document is the referat or the agenda (dagsorden).

Minutes name their forum in many ways: `REFERAT Chefforum d. 24-04-2024`, `Udvalg:
Teknisk Udvalg`, `Økonomiudvalget – Referat – 1. oktober 2018`, `Referat fra mødet i
Byrådet`, `ÅBEN DAGSORDEN ØKONOMIUDVALG`. A head that names none gives None, and the
caller decides the default (it never silently becomes Chefforum here).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ingest.closed import closes_following, opens_following
from ingest.dates import find_day
from ingest.forum_names import is_body_name, with_article
from ingest.model import DAGSORDEN, REFERAT

#: How far into the head a field is looked for.
HEAD_LINES = 80
_KIND_WORDS = r"referat|dagsorden|beslutninger|beslutningsprotokol"
#: `Åben`, `Åbent`, `Lukket` before the kind (`Åbent referat for Byrådet`)
_OPENNESS = r"(?:åbent?|lukket|lukkede)\s+"
#: (?<=\S): the forum ends at a non-space, so a long run of spaces is not tried from each
#: of its positions (quadratic)
TITLE_HEADER = re.compile(
    rf"^(?:{_OPENNESS})?(?P<kind>{_KIND_WORDS})\s+(?P<forum>.+?)(?<=\S)\s+d\.\s*(?P<day>\S+)",
    re.IGNORECASE)
#: `Udvalg: Teknisk Udvalg`, `Forum: Chefforum`
FORUM_FIELD = re.compile(r"^(?:udvalg|forum|mødeforum|organ)\s*:\s*(?P<forum>\S.*)$",
                         re.IGNORECASE)
#: `Referat fra mødet i Byrådet …`, `Dagsorden for ordinært møde i Økonomiudvalget …`
MEETING_OF = re.compile(
    rf"^(?:{_OPENNESS})?(?P<kind>{_KIND_WORDS})\s+(?:fra|af|for|til)\s+(?:det\s+)?"
    r"(?:\w+\s+)?møde[t]?\s+i\s+(?P<forum>.+)$", re.IGNORECASE)
#: `Møde i Forretningsudvalget 2018-2021`, `mødet i HMU Psykiatri og Social` (a title that
#: wraps: `Referat` / `til` / `mødet i Økonomiudvalget`)
MEETING_IN = re.compile(r"^(?:(?:ordinært|ekstraordinært)\s+)?møde[t]?\s+i\s+"
                        r"(?P<forum>(?-i:[A-ZÆØÅ]).+)$", re.IGNORECASE)
#: `Økonomiudvalget – Referat – 1. oktober 2018`, `Økonomiudvalget. Referat fra møde …`
FORUM_THEN_KIND = re.compile(
    rf"^(?P<forum>(?-i:[A-ZÆØÅ])[^\d]*?)(?<=\S)\s*[-–—.,:]\s*(?P<kind>{_KIND_WORDS})\b",
    re.IGNORECASE)
#: `ÅBEN DAGSORDEN ØKONOMIUDVALG`, `Referat Teknisk Udvalg`; the name opens with a capital
#: (`Dagsorden til` / `møde i` / … is a title that wraps)
KIND_THEN_FORUM = re.compile(
    rf"^(?:{_OPENNESS})?(?P<kind>{_KIND_WORDS})\s+(?P<forum>(?-i:[A-ZÆØÅ])[^\d:]*)$",
    re.IGNORECASE)
#: Where the forum's name ends in a title line: a date, a weekday, `den`, `kl.`, `d.`.
#: (?<!\s): tried once per run of spaces, not from each of its positions (quadratic)
_FORUM_END = re.compile(
    r"(?<!\s)\s+(?:d\.|den\b|kl\.|kl\b|(?:man|tirs|ons|tors|fre|lør|søn)dag\b|\d).*$",
    re.IGNORECASE)
#: Words inside a forum's name written in lower case (`Udvalget for Teknik og Miljø`).
_NAME_LINKS = {"og", "for", "i", "af", "til", "med", "om"}
TIME = re.compile(r"\bkl\.?:?\s*(\d{1,2})[.:](\d{2})", re.IGNORECASE)  # `Start kl.: 17:00`
TIME_FIELD = re.compile(
    r"^(?:mødetidspunkt|tidspunkt|mødetid|starttidspunkt|tid)\s*:?\s*(?:kl\.?\s*)?"
    r"(?:\d{1,2}-\d{1,2}-\d{4}\s+)?(\d{1,2})[.:](\d{2})\b", re.IGNORECASE)
#: `08-03-2021 16:00`: a date and the time after it, the line's whole
_DATE_THEN_TIME = re.compile(r"^\d{1,2}[-.]\d{1,2}[-.]\d{4}\s+(\d{1,2})[.:](\d{2})(?::\d{2})?$")
_PLACE = re.compile(r"^(?:mødested|sted)\s*:?\s*(?P<place>.*)$", re.IGNORECASE)
_DATE_FIELD = re.compile(r"^(?:mødedato|dato|mødetidspunkt|tidspunkt|starttidspunkt)\b",
                         re.IGNORECASE)
#: A field's label on a line of its own, its value on the next (a table of label and value
#: rows on a web page: `UDVALG` / `Udvalget for Ældre og Sundhed`)
FIELD_LABEL = re.compile(r"^(?:udvalg|forum|mødeforum|organ|mødested|sted|mødedato|dato|"
                         r"mødetidspunkt|tidspunkt|starttidspunkt)\s*:?$", re.IGNORECASE)
_MEETING_CLOSED = re.compile(r"\blukket\s+møde\b", re.IGNORECASE)
#: A document's kind opening a title line, and what separates it from the rest (`Referat
#: fra Økonomiudvalget`)
_LEADING_KIND = re.compile(rf"^(?:{_OPENNESS})?(?:{_KIND_WORDS})\b\s*[-–—:]?\s*"
                           r"(?:(?:fra|for|af|til)\s+)?", re.IGNORECASE)
#: `… for Kultur- og fritidsudvalgets møde den 5. marts 2009`: a body's meeting, named in the
#: genitive
_BODYS_MEETING = re.compile(
    r"(?P<forum>(?-i:[A-ZÆØÅ])[\w\-–, ]*?)[’']?s\s+(?:(?:ordinære|ekstraordinære)\s+)?møde\b",
    re.IGNORECASE)
_STATUS_ALONE = re.compile(r"^(?:åbent?|lukket)$", re.IGNORECASE)
_LIST_MARK = re.compile(r"^[-•*·]\s+")
#: `Bestyrelsesmøde`, `Referat af skolebestyrelsesmøde`, `Byrådsmøde`: a body's meeting
#: named in one compound word
_BODY_MEETING_WORD = re.compile(r"\b(?P<body>\w{3,}?)s?møde[t]?\b", re.IGNORECASE)
#: How many of the head's first lines are its title, where a body's name may stand alone.
TITLE_LINES = 4
#: `Referat` alone on its line, perhaps with the date after it
KIND_ALONE = re.compile(rf"^(?:{_OPENNESS})?(?:{_KIND_WORDS})\b[^A-Za-zÆØÅæøå]*$",
                        re.IGNORECASE)
#: `Dagsorden 8. oktober 2025 kl. 16.00`: a line that opens with the document's kind
KIND_LINE = re.compile(rf"^(?:{_OPENNESS})?(?P<kind>{_KIND_WORDS})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Head:
    forum: str | None
    meeting_date: dt.date | None
    time: str
    place: str
    #: REFERAT or DAGSORDEN as the head names the document; None when it names neither
    kind: str | None
    #: the head marks the whole meeting closed (`Lukket møde`, a lone `Lukket dagsorden`)
    closed: bool


def read_head(lines: list[str]) -> Head:
    """The head's fields from its bare lines (no markdown), table of contents excluded."""
    # a web page's list item (`- Udvalg: HMU Socialområdet`) is a line of the head as well
    lines = _fields_joined([_LIST_MARK.sub("", line.strip()) for line in lines[:HEAD_LINES]
                            if line.strip()])
    forum, kind, day = None, None, None
    for line in lines:
        for pattern in (FORUM_FIELD, TITLE_HEADER, MEETING_OF, MEETING_IN, FORUM_THEN_KIND,
                        KIND_THEN_FORUM, KIND_LINE):
            m = pattern.match(line)
            if not m:
                continue
            if forum is None and "forum" in m.groupdict():
                forum = _forum_name(m.group("forum"))
            if kind is None and "kind" in m.groupdict():
                kind = DAGSORDEN if m.group("kind").lower() == "dagsorden" else REFERAT
            if day is None and "day" in m.groupdict():
                found = find_day(m.group("day"))
                day = found[0] if found else None
            break
    if forum is None:
        forum = _name_above_kind(lines) or _body_in_title(lines)
    if day is None:
        day = _first_day([x for x in lines if _DATE_FIELD.match(x)] + lines)
    return Head(forum, day, _time(lines), _place(lines), kind, _closed(lines))


def _body_in_title(lines: list[str]) -> str | None:
    """A line of the title that is a body's name, perhaps beside the kind and the date:
    `Kommunalbestyrelsen` above its date, `Kultur- og Idrætsudvalget - 20-08-2019`,
    `Referat - Økonomiudvalget den 3. december 2018`, `Referat fra Økonomiudvalget`,
    `Referat` above `Fritids- og Kulturudvalget`, `Åbent møde for Kultur- og
    fritidsudvalgets møde den …`, else a meeting named in one word (`Bestyrelsesmøde 29.
    januar 2016`: `Bestyrelsen`). Only a name ending in a body's noun (udvalg, råd,
    bestyrelse, …)."""
    for line in lines[:TITLE_LINES]:
        rest = _LEADING_KIND.sub("", line)
        genitive = _BODYS_MEETING.search(rest)
        for raw in (genitive.group("forum") if genitive else "", rest):
            name = _forum_name(raw)
            if name and name[0].isupper() and ":" not in name and is_body_name(name):
                return name
    for line in lines[:TITLE_LINES]:
        for m in _BODY_MEETING_WORD.finditer(line):
            body = m.group("body").capitalize()
            if is_body_name(body):
                return with_article(body)  # `Bestyrelsesmøde` -> `Bestyrelsen`
    return None


def _fields_joined(lines: list[str]) -> list[str]:
    """`Label: value` for a label alone on its line above its value."""
    out: list[str] = []
    for line in lines:
        if out and FIELD_LABEL.match(out[-1]) and not FIELD_LABEL.match(line):
            out[-1] = f"{out[-1].rstrip(':')}: {line}"
        else:
            out.append(line)
    return out


def _forum_name(raw: str) -> str | None:
    name = _FORUM_END.sub("", raw.strip())
    name = name.strip(" -–—.,:;*#")
    if not name or len(name) > 80:
        return None
    if name.isupper():  # `ØKONOMIUDVALG` -> `Økonomiudvalget`, `TEKNISK UDVALG` -> `Teknisk
        # Udvalg`, `TEKNIK- OG MILJØUDVALG` -> `Teknik- og Miljøudvalget`
        name = with_article(" ".join(w.lower() if i and w.lower() in _NAME_LINKS
                                     else w.capitalize() for i, w in enumerate(name.split())))
    return name


def _name_above_kind(lines: list[str]) -> str | None:
    """`Kommunalbestyrelsen` on the line above `Referat` (or `Dagsorden`) alone: the
    forum, printed as a title of its own, when it is a body's name."""
    # a status between them (`Odense Byråd` / `Åben` / `Referat`) is the document's
    lines = [x for x in lines if not _STATUS_ALONE.match(x)]
    for above, line in zip(lines, lines[1:]):
        if KIND_ALONE.match(line) and not any(c.isdigit() for c in above):
            name = _forum_name(above)
            # a body's name, not a link above the title (`Skip til hovedindholdet`) nor a
            # column header above a `Lukket dagsorden` divider
            return name if name and is_body_name(name) else None
    return None


def _first_day(lines: list[str]) -> dt.date | None:
    for line in lines:
        found = find_day(line)
        if found:
            return found[0]
    return None


def _time(lines: list[str]) -> str:
    """`kl. 09:00` on the date's line, else a time field (`Tidspunkt: 17:00`), else the
    first `kl.` in the head, else a line of a date and a time (`08-03-2021 16:00`)."""
    on_date = [TIME.search(x) for x in lines if _DATE_FIELD.match(x)]
    m = next(filter(None, [*on_date, *map(TIME_FIELD.match, lines), *map(TIME.search, lines),
                           *map(_DATE_THEN_TIME.match, lines)]), None)
    return f"{int(m.group(1)):02d}:{m.group(2)}" if m else ""


def _place(lines: list[str]) -> str:
    for line in lines:
        m = _PLACE.match(line)
        if m:
            return m.group("place").strip(" :")
    return ""


def _closed(lines: list[str]) -> bool:
    """`Lukket møde` anywhere in the head, or a `Lukket dagsorden` in a head that
    announces no open part (with both, the parts are marked where the punkter stand)."""
    if any(_MEETING_CLOSED.search(line) for line in lines):
        return True
    return (any(closes_following(line) for line in lines)
            and not any(opens_following(line) for line in lines))
