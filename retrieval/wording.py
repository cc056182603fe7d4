"""What the answerer says in its own words, in the question's language. The quoted
minutes stay Danish; everything around them follows the person asking."""
from __future__ import annotations

import datetime as dt

from ingest.dates import MONTH_NAMES_DA

MONTH_NAMES_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")

TEXTS = {
    "empty": {"da": "Skriv et spørgsmål, fx: hvad besluttede CF om telefontider?",
              "en": "Write a question, e.g.: what did CF decide about phone hours?"},
    "no_topic": {"da": "Spørgsmålet nævner ikke noget emne. Prøv fx: hvad besluttede CF om "
                       "telefontider?",
                 "en": "The question names no topic. Try e.g.: what did CF decide about "
                       "phone hours?"},
    "empty_catalog": {"da": "Der er endnu ingen referater.", "en": "There are no minutes yet."},
    "no_meeting": {"da": "Der er intet referat fra {period}.",
                   "en": "There are no minutes from {period}."},
    "nearest": {"da": " Nærmeste møder: {dates}.", "en": " Nearest meetings: {dates}."},
    "nothing_in_period": {"da": "Der er ingen referater fra {period}.",
                          "en": "There are no minutes from {period}."},
    "nothing": {"da": "Jeg fandt intet i referaterne om det.",
                "en": "I found nothing about that in the minutes."},
    "not_found": {"da": "Jeg fandt ikke noget i referaterne, der svarer på spørgsmålet.",
                  "en": "I found nothing in the minutes that answers the question."},
    "future": {"da": "Referaterne fortæller kun om afholdte møder, ikke hvornår det næste "
                     "holdes. Det seneste referat er fra {day}.",
               "en": "The minutes tell only of meetings held, not when the next one is. "
                     "The latest minutes are from {day}."},
    "meeting": {"da": "{forum} d. {day} behandlede {n} punkter: {titles}.",
                "en": "{forum} on {day} dealt with {n} items: {titles}."},
    "meeting_agenda": {"da": "Dagsordenen for {forum} d. {day} har {n} punkter: {titles}. "
                               "Referatet med beslutningerne er ikke kommet endnu.",
                         "en": "The agenda of {forum} on {day} has {n} items: {titles}. "
                               "The minutes with the decisions have not come yet."},
    "on_agenda": {"da": "Punktet står på dagsordenen for {forum} d. {day} (punkt {n}) og er "
                        "endnu ikke besluttet. Fra dagsordenen: «{quote}»",
                  "en": "The item is on the agenda of {forum} on {day} (item {n}) and has "
                        "not been decided yet. From the agenda: «{quote}»"},
    # an answer leads with what was asked, and where; the quote follows
    "decided": {"da": "{forum} besluttede {day} (punkt {n}): «{quote}»",
                "en": "{forum} decided on {day} (item {n}): «{quote}»"},
    "dated": {"da": "{day}, {forum} (punkt {n}): «{quote}»",
              "en": "{day}, {forum} (item {n}): «{quote}»"},
    "amount": {"da": "{amount} – {forum} {day} (punkt {n}): «{quote}»",
               "en": "{amount} – {forum} {day} (item {n}): «{quote}»"},
    "quoted": {"da": "{forum} {day} (punkt {n}): «{quote}»",
               "en": "{forum} {day} (item {n}): «{quote}»"},
    "unsure": {"da": "Jeg er ikke sikker på, at referaterne svarer på det.",
               "en": "I am not sure that the minutes answer that."},
    "missing": {"da": " Punktet om emnet nævner ikke {what}.",
                "en": " The item on the topic does not state {what}."},
    "nearest_punkt": {"da": " Nærmest er {forum} {day}, punkt {n}: «{quote}»",
                      "en": " Nearest is {forum} {day}, item {n}: «{quote}»"},
    "meeting_of": {"da": "Punkterne blev behandlet på samme møde. ",
                   "en": "The items were dealt with at the same meeting. "},
    "maybe": {"da": "Måske et af disse punkter:", "en": "Perhaps one of these items:"},
}

#: What each answer type asks for, in words, for the unsure reply that says it is missing.
ASKED = {
    "amount": {"da": "noget beløb", "en": "an amount"},
    "number": {"da": "noget tal", "en": "a number"},
    "date": {"da": "nogen dato eller noget tidspunkt", "en": "a date or time"},
    "person": {"da": "nogen person eller rolle", "en": "a person or role"},
}


def say(key: str, lang: str, **values) -> str:
    return TEXTS[key][lang].format(**values)


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
