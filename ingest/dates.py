"""Dates as the minutes and their readers write them, in Danish and English.

Shared by the parser (`Mødedato Onsdag d. 24. april 2024`), the CLI (`show 24-04-2024`)
and the query understanding in `retrieval/query.py`.
"""
from __future__ import annotations

import datetime as dt
import re

MONTHS = {
    "januar": 1, "january": 1, "jan": 1,
    "februar": 2, "february": 2, "feb": 2,
    "marts": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "maj": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
MONTH_NAMES_DA = ("januar", "februar", "marts", "april", "maj", "juni", "juli",
                  "august", "september", "oktober", "november", "december")
MONTH_NAMES_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")

#: Any month name or abbreviation in MONTHS, longest first (`marts` before `mar`), for a
#: regex group: the one pattern the parser, the query understanding and the answer types
#: share.
MONTH_PATTERN = "|".join(sorted(MONTHS, key=len, reverse=True))
#: 24-04-2024, 24.04.2024, 24/4/2024
NUMERIC_DMY = re.compile(r"(?<!\d)(\d{1,2})[-./](\d{1,2})[-./](\d{4})(?!\d)")
#: 2024-04-24
ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
#: 24. april 2024, 24 april 2024, 2. sept. 2021, 15-maj-2002 (an old print's field)
DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d)(\d{{1,2}})\.?(?:\s+|-)({MONTH_PATTERN})\.?,?(?:\s+|-)(\d{{4}})(?!\d)", re.IGNORECASE)
#: April 24, 2024
MONTH_DAY_YEAR = re.compile(
    rf"\b({MONTH_PATTERN})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.IGNORECASE)
#: marts 2023, April 2024
MONTH_YEAR = re.compile(rf"\b({MONTH_PATTERN})\.?\s+(\d{{4}})(?!\d)", re.IGNORECASE)
YEAR = re.compile(r"(?<![\d.\-/])((?:19|20)\d{2})(?![\d.\-/])")


def month_number(name: str) -> int | None:
    """1-12 for a month name the patterns matched; None for a case-insensitive match that
    is no key (`ſept`: the long s matches `s` under IGNORECASE but lowers to itself)."""
    return MONTHS.get(name.lower())


def _date(year: int, month: int | None, day: int) -> dt.date | None:
    if month is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def find_day(text: str) -> tuple[dt.date, re.Match] | None:
    """The first full date written in `text`, with the match that holds it.

    Accepts `24-04-2024`, `24.04.2024`, `2024-04-24`, `24. april 2024`, `April 24, 2024`.
    """
    for pattern, order in ((ISO, "ymd"), (NUMERIC_DMY, "dmy"),
                           (DAY_MONTH_YEAR, "dMy"), (MONTH_DAY_YEAR, "Mdy")):
        m = pattern.search(text)
        if not m:
            continue
        a, b, c = m.groups()
        if order == "ymd":
            found = _date(int(a), int(b), int(c))
        elif order == "dmy":
            found = _date(int(c), int(b), int(a))
        elif order == "dMy":
            found = _date(int(c), month_number(b), int(a))
        else:
            found = _date(int(c), month_number(a), int(b))
        if found:
            return found, m
    return None


def parse_day(text: str) -> dt.date:
    """A date typed by a user, such as `24-04-2024`; ValueError names what is wrong."""
    text = text.strip()
    found = find_day(text)
    if not found or found[1].group(0).strip() != text.rstrip("."):
        raise ValueError(
            f"'{text}' is not a date; write it as 24-04-2024, 24.04.2024 or 2024-04-24")
    return found[0]

