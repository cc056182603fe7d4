"""Dates and periods as the answerer writes them, in the question's language (its
sentences are in retrieval/phrasebook.py). The quoted minutes stay Danish; everything
around them follows the person asking."""
from __future__ import annotations

import datetime as dt

from ingest.dates import MONTH_NAMES_DA, MONTH_NAMES_EN


def short_date(day: dt.date) -> str:
    """14.03.2019"""
    return f"{day:%d.%m.%Y}"


def long_date(day: dt.date, lang: str) -> str:
    """24. april 2024 / 24 April 2024"""
    if lang == "en":
        return f"{day.day} {MONTH_NAMES_EN[day.month - 1]} {day.year}"
    return f"{day.day}. {MONTH_NAMES_DA[day.month - 1]} {day.year}"


def period(start: dt.date | None, end: dt.date | None, lang: str) -> str:
    if start is None or end is None:
        return ""
    if start == end:
        return ("d. " if lang == "da" else "") + long_date(start, lang)
    if start.day == 1 and start.month == end.month and end.day > 27:
        names = MONTH_NAMES_EN if lang == "en" else MONTH_NAMES_DA
        return f"{names[start.month - 1]} {start.year}"
    joiner = " til " if lang == "da" else " to "
    return long_date(start, lang) + joiner + long_date(end, lang)
