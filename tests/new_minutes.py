"""A new referat arriving, for the inbox tests: the 24 April 2024 sample as the minutes of
another day, so that it is a new meeting with the sample's punkter and decisions, and a
question that only that meeting answers."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
          "september", "oktober", "november", "december")
SOURCE = "chefforum-2024-04-24.txt"
#: the punkt of the sample on Rådhusets telefontider
TELEFON_PUNKT = 7


def redated(samples_dir: Path, day: dt.date) -> str:
    """The sample's text with its meeting date (both spellings) moved to `day`."""
    text = (samples_dir / SOURCE).read_text(encoding="utf-8")
    return text.replace("24-04-2024", f"{day:%d-%m-%Y}") \
        .replace("24. april 2024", f"{day.day}. {MONTHS[day.month - 1]} {day.year}")


def file_name(day: dt.date) -> str:
    return f"chefforum-{day.isoformat()}.txt"


def telefon_question(day: dt.date) -> str:
    """Asked of the month of `day` only, so it is the new meeting that answers."""
    return f"hvad besluttede CF om telefontider i {MONTHS[day.month - 1]} {day.year}?"


def answers_telefon(body: dict, day: dt.date) -> bool:
    """An /api/ask answer (or `ask --json`) citing `day`'s punkt on telefontider first."""
    top = body.get("citations") or [{}]
    return bool(body.get("answered")) and (top[0].get("meeting_date"), top[0].get("punkt")) \
        == (day.isoformat(), TELEFON_PUNKT)
