"""What a chat message asks for: a command on its exact first word, or a question.

Pure: text in, a `Command` out. The activity handler strips the @mention first and then
dispatches on `Command.name`; nothing here knows about Teams.

    >>> parse_command("/møde 24-04-2024")
    Command(name='meeting', day=datetime.date(2024, 4, 24), number=None, text='/møde 24-04-2024', problem='')
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ingest.dates import parse_day
from retrieval.phrasebook import say

HELP, MEETING, LATEST, ITEM = "help", "meeting", "latest", "item"
SUBSCRIBE, UNSUBSCRIBE, QUESTION, EMPTY = "subscribe", "unsubscribe", "question", "empty"

#: First words, Danish first, then English aliases (with or without a leading `/`).
WORDS = {
    "hjælp": HELP, "hjaelp": HELP, "help": HELP, "?": HELP,
    "møde": MEETING, "mode": MEETING, "meeting": MEETING,
    "seneste": LATEST, "latest": LATEST,
    "punkt": ITEM, "item": ITEM,
    "abonner": SUBSCRIBE, "abonnér": SUBSCRIBE, "subscribe": SUBSCRIBE,
    "afmeld": UNSUBSCRIBE, "unsubscribe": UNSUBSCRIBE,
}
#: What may follow `seneste` and still mean "the latest meeting".
LATEST_TAIL = frozenset({"", "møde", "mødet", "meeting", "referat", "referatet"})
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Command:
    name: str
    day: dt.date | None = None
    number: int | None = None
    #: the whole message, for questions
    text: str = ""
    #: a Danish sentence saying what was wrong with the arguments; empty when fine
    problem: str = ""


def parse_command(text: str | None) -> Command:
    """The command in `text` (mention already removed), or QUESTION with the text.

    A command word followed by something that is not its argument (`møde om budgettet`,
    `seneste nyt om sygefravær`) is a question, so people can write naturally; a command
    word followed by a broken date (`møde 31-02-2024`) is that command with a `problem`.
    """
    text = " ".join((text or "").split())
    if not text:
        return Command(EMPTY)
    first, _, rest = text.partition(" ")
    name = WORDS.get(first.lower().lstrip("/").rstrip(":,."))
    if name is None:
        return Command(QUESTION, text=text)
    if name in (HELP, SUBSCRIBE, UNSUBSCRIBE):
        return Command(name, text=text)
    if name == LATEST:
        if rest.lower().rstrip("?.!") in LATEST_TAIL:
            return Command(LATEST, text=text)
        return Command(QUESTION, text=text)
    if name == MEETING:
        return _meeting(rest, text)
    return _item(rest, text)


# --- helpers -------------------------------------------------------------------------------


def _meeting(rest: str, text: str) -> Command:
    if not rest:
        return Command(MEETING, text=text,
                       problem=say("which_date", formats=say("date_formats")))
    day, problem = _day(rest)
    if day is None and not _DIGIT.search(rest):
        return Command(QUESTION, text=text)
    return Command(MEETING, day=day, text=text, problem=problem)


def _item(rest: str, text: str) -> Command:
    usage = say("punkt_usage")
    words = rest.split()
    if not words:
        return Command(ITEM, text=text, problem=usage)
    if not _DIGIT.search(rest):
        return Command(QUESTION, text=text)
    # `punkt 24-04-2024 7`, and also `punkt 7 24-04-2024`
    for number, date_text in ((words[-1], " ".join(words[:-1])), (words[0], " ".join(words[1:]))):
        if number.isdigit() and len(number) <= 3 and date_text:
            day, problem = _day(date_text)
            return Command(ITEM, day=day, number=int(number), text=text, problem=problem)
    return Command(ITEM, text=text, problem=usage)


def _day(text: str) -> tuple[dt.date | None, str]:
    try:
        return parse_day(text), ""
    except ValueError:
        return None, say("bad_date", text=text, formats=say("date_formats"))
