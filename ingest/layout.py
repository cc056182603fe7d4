"""The words minutes are laid out with: item headings, section headings, case numbers.

Learnt from the minutes systems Danish municipalities publish with (the samples' system,
FirstAgenda web pages, EMN- and Acadre-numbered PDFs, `Pkt.`/`Sag nr.`/`N.` item
headings). Only recognition lives here; `parse.py` decides what a line is from where it
stands.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ingest.dates import find_day
from ingest.forum_names import is_body_name
from ingest.model import DECISION, HISTORY

BILAG = "Bilag"

#: Section headings by their folded form -> the name stored. Order does not matter; a
#: heading is recognised only as a whole line (an optional colon after it).
SECTION_ALIASES = {
    "anledning": "Anledning",
    "resume": "Resume",
    "resumé": "Resume",
    "sagsfremstilling": "Sagsfremstilling",
    "sagsbeskrivelse": "Sagsfremstilling",
    "beslutningspunkter": "Beslutningspunkter",
    "sagsforløb": HISTORY,
    "historik": "Historik",
    "tidligere besluttet": HISTORY,
    "tidligere beslutninger": HISTORY,
    "sagens kerne": "Sagens kerne",
    "beslutningstema": "Beslutningstema",
    "baggrund": "Baggrund",
    "økonomi": "Økonomi",
    "kommunikation": "Kommunikation",
    "høring": "Høring",
    "indstilling": "Indstilling",
    # the recommendation, then each body's decision under its name and date
    "indstilling og beslutning": "Indstilling",
    "forslag": "Indstilling",
    "beskrivelse af sagen": "Sagsfremstilling",
    "sagsresumé": "Resume",
    "sagsresume": "Resume",
    "forventet sagsgang": "Forventet sagsgang",
    "borgmesterens afdelings påtegning": "Borgmesterens Afdelings påtegning",
    "beslutning": DECISION,
    "beslutninger": DECISION,
    "udvalgets beslutning": DECISION,
    "afgørelse": DECISION,
    "bilag": BILAG,
    "bilagsliste": BILAG,
}
#: `Beslutning i Økonomiudvalget den 1. oktober 2018:`, `Beslutning fra Teknik- og
#: Miljøudvalget, 10. september 2024, pkt. 56:`, `Byrådets beslutning den …`,
#: `Økonomiudvalgets beslutning i mødet den 31. marts 2020`: a decision
#: heading that names a body or a date; whose decision it is depends on both.
_DECISION_OF = re.compile(
    r"^(?:(?P<owner>(?-i:[A-ZÆØÅ])[\w\- ]*?)s\s+)?(?:beslutning|afgørelse)(?:er)?"
    r"(?P<rest>(?:\s+(?:i|fra|på|af)\s+(?-i:[A-ZÆØÅ])|[\s,]+(?:den\s+|d\.\s*)?\d"
    r"|\s+(?:i|på)\s+mødet?\s.*\d"
    r"|\s+(?-i:[A-ZÆØÅ])[^,]*?\s(?:den|d\.)\s+\d).*)?$",
    re.IGNORECASE)
#: `Børne- og Skoleudvalget, 12-11-2024, pkt. 59`: a body's treatment of the case at a
#: meeting, as a heading over what it decided (this meeting's or another's, by the date).
_TREATED_AT = re.compile(r"^(?-i:[A-ZÆØÅ])[\w\-–. ]{2,80}?,\s*[^,]{6,40},\s*(?:pkt|punkt)\.?\s*\d{1,4}$",
                         re.IGNORECASE)
#: `Fritids- og Kulturudvalget, d. 14. august 2013` (under `Indstilling og beslutning`,
#: Bornholm's web referater), `Økonomiudvalgets møde 18. november 2008` (a box below each
#: case, Ballerup's prints): a body and the day it treated the case, over what it decided
_BODY_ON_DAY = re.compile(r"^(?P<body>(?-i:[A-ZÆØÅ])[\w\-–., ]{2,80}?)(?:,|s\s+møde)\s*"
                          r"(?:den\s+|d\.\s*)?(?P<day>\d[\w. -]{4,30})$", re.IGNORECASE)
#: `Behandling i Udvalget for det nære sundhedsvæsen onsdag den 15. januar 2020, pkt. 1`
#: (Region Sjælland): the body's treatment of the case on a day, over what it decided
_TREATMENT = re.compile(r"^behandling\s+i\s+(?-i:[A-ZÆØÅ]).*\d", re.IGNORECASE)
#: What ends the body's name in such a heading: its date, or a punkt reference.
_BODY_END = re.compile(r",|\s(?:den|d\.)\s|\s\d|\spkt\b", re.IGNORECASE)
#: Lines that may carry a case number, by label: `Sagsnr.: 330-2018-3619`, `Sag nr.: 162`,
#: `J.nr. 27.00.00-G01-3-24`, `Acadre-sagsnr. 17/1234`, `Journalnummer: …`, `Sagsnummer …`.
CASE_LABEL = re.compile(
    r"^\s{0,2}(?:acadre[-\s]?)?(?:sags?\s*\.?\s*nr|sagsnummer|j\s*\.?\s*nr|journal\s*nr|"
    r"journalnummer|emne\s*nr)\.?\s*:?\s*(?P<number>[\w][\w./\-]*\w|\w)",
    re.IGNORECASE)
#: Case numbers that stand alone: KLE journal numbers (`00.01.00-A21-9-18`,
#: `00.30.08-000-2-22`, `20.00.00G01-0015` with a serial of four digits) and system numbers
#: (`EMN-2025-003383`, `SAG-2024-01234`).
CASE_FORMS = (r"\d{2}\.\d{2}\.\d{2}(?:-[A-ZÆØÅ0-9]{3})?-\d+-\d{2}|\d{2}\.\d{2}\.\d{2}[A-ZÆØÅ]\d{2}-\d{4}"
              r"|[A-ZÆØÅ]{2,6}-\d{4}-\d{3,}")
#: A line of its own under the heading may also be a journal number of year and serial
#: (`08/1085`) or of serial and year (`018520-2013`, Gentofte), which in running text could
#: be anything
CASE_NUMBER = re.compile(rf"^(?:{CASE_FORMS}|\d{{2}}/\d{{3,6}}|\d{{4,6}}-(?:19|20)\d{{2}})$")

#: Item headings: `Punkt 5:`, `Punkt 5 -`, `Pkt. 5:`, `Sag nr. 5`, `Sag 5:`, `Nr.143 -`, `5.`,
#: `5)`, `5 Title`, `5 : Title`, `Punkt: 5` (a field above the case's other fields, as
#: Acadre prints it).
#: At most four digits: `Punkt 123456789…:` is no agenda item (and int() refuses 4,300+).
_KEYWORD_HEADING = re.compile(
    r"^(?P<kw>punkt|pkt\.?|dagsordenspunkt|sag\s*nr\.?|sagnr\.?|sag|nr\.?)\s*(?::\s*)?(?P<n>\d{1,4})"
    r"(?:(?P<sep>\s*[:.)]|\s+[-–—](?=\s|$))\s*|\s+|$)(?P<rest>.*)$",
    re.IGNORECASE)
#: `5. Title`, or `5.` alone with its title on the next line (as PDFs print it)
_BARE_HEADING = re.compile(r"^(?P<n>\d{1,4})\s*[.)](?P<sep>)\s*(?P<rest>.*)$")
#: `186 Godkendelse af dagsorden`, `4 Title`, `1 : Title`: a number of at most three
#: digits (a postcode or a year has four) and a capitalised title, as some systems number a
#: year's items (a line of text such as `2 Medlemmer stemte imod` is a heading only where
#: parse.py's rules for a weak heading hold: the next number, a case or section after it)
_SPACED_HEADING = re.compile(
    r"^(?P<n>\d{1,3})(?:[ \t\u00a0]*:[ \t\u00a0]*|[ \t\u00a0]+)(?P<rest>(?:[A-ZÆØÅ§]|\((?i:åben|åbent|offentlig|lukket)\)\s).*)$")
#: `1 (Åben) Title`, `4 (Lukket) Title`, `1  Åbent      Title`: the punkt's status between
#: its number and title (Gentofte's and Region Sjælland's systems; a column of its own in
#: a PDF). An open one is no part of the title; a closed one stays in it, for the closed
#: rules to read.
_OPEN_STATUS = re.compile(r"^(?:\((?:åben|åbent|offentlig)\)\s*|(?:åben|åbent)\s{2,})(?=\S)",
                          re.IGNORECASE)


@dataclass(frozen=True)
class ItemHeading:
    number: int
    title: str
    #: the line names the item with a keyword and a separator (`Punkt 5:`, `Pkt. 5 -`):
    #: a heading wherever it stands. A weak one (`5. Title`, `Sag nr. 5 Title`) is a
    #: heading only where the item numbers call for it.
    strong: bool


def item_heading(line: str) -> ItemHeading | None:
    """The item heading a bare line (no markdown) may be, else None (never a case number
    alone: `00.01.00-A00-1-13` is no item 0)."""
    if CASE_NUMBER.match(line.strip()):
        return None
    m = _KEYWORD_HEADING.match(line)
    if m:
        keyword = m.group("kw").lower()
        strong = keyword.startswith(("punkt", "pkt", "dagsordenspunkt")) and bool(m.group("sep"))
        if keyword.startswith("nr") and not m.group("sep"):
            return None  # `Nr. 2 Storegade` is an address; `Nr.143 - Title` an item
        return ItemHeading(int(m.group("n")), m.group("rest").strip(), strong)
    m = _BARE_HEADING.match(line) or _SPACED_HEADING.match(line)
    if m:
        return ItemHeading(int(m.group("n")), _OPEN_STATUS.sub("", m.group("rest").strip()), False)
    return None


def section_name(line: str) -> str | None:
    """The section a bare line heads (`Beslutning`, `INDSTILLING`, `Sagsforløb:`)."""
    key = " ".join(line.strip().rstrip(":").split()).lower()
    return SECTION_ALIASES.get(key)


def decision_heading(line: str, forum: str, meeting_date: dt.date | None) -> str | None:
    """Whose decision a heading such as `Beslutning i Økonomiudvalget den 1. oktober
    2018:` announces: DECISION for this meeting's, HISTORY for another body's or an
    earlier meeting's; None when the line is no such heading.

    This meeting's when its date is the meeting's or, with no date, when the body it names
    is the forum; another's when it names another date or body, or is `fra` one."""
    text = " ".join(line.strip().rstrip(":").split())
    if len(text) > 160:
        return None
    on_day = _BODY_ON_DAY.match(text)
    if _TREATED_AT.match(text) or _TREATMENT.match(text) or (
            on_day and is_body_name(on_day.group("body"))):
        found = find_day(text)
        return None if not found else DECISION if found[0] == meeting_date else HISTORY
    m = _DECISION_OF.match(text)
    if not m or not (m.group("owner") or m.group("rest")):
        return None
    found = find_day(text)
    if found:
        return DECISION if found[0] == meeting_date else HISTORY
    rest = (m.group("rest") or "").split()
    if rest and rest[0].lower() == "fra":
        return HISTORY
    body = m.group("owner") or _BODY_END.split(" ".join(rest[1:]) + " ")[0]
    return HISTORY if forum and not _same_body(body.lower(), forum.lower()) else DECISION


def dated_decision(line: str) -> tuple[dt.date, str] | None:
    """The day and the body a decision heading names (`Beslutning i Kommunalbestyrelsen den
    28-04-2021`, `Beslutning Byrådet den 29-08-2017`, `Økonomiudvalgets beslutning i mødet
    den 31. marts 2020`), else None: the meeting's, where its head names neither."""
    text = " ".join(line.strip().rstrip(":").split())
    m = _DECISION_OF.match(text) if len(text) <= 160 else None
    found = find_day(text) if m else None
    if not found:
        return None
    words = (m.group("rest") or "").split()
    if words and words[0].lower() in ("i", "fra", "på", "af"):
        words = words[1:]
    body = m.group("owner") or _BODY_END.split(" ".join(words) + " ")[0]
    return found[0], body.strip()


def _same_body(named: str, forum: str) -> bool:
    stem = lambda s: re.sub(r"(?:et|en|ets|ens|s)$", "", s.strip())  # noqa: E731
    return stem(named) in stem(forum) or stem(forum) in stem(named)


def case_number(line: str) -> tuple[str, bool]:
    """The case number a line of a punkt's head holds, and whether the line is only a
    case-number line (so the heading above it ends there). ("", False) for none."""
    text = line.strip()
    if CASE_NUMBER.match(text):
        return text, True
    m = CASE_LABEL.match(text)
    if m:
        return m.group("number").rstrip("."), True
    return "", False
