"""What a chat message asks for: a command on its exact first word, or a question.

Pure: text in, one frozen dataclass a kind of request out, as a card's buttons are
(`bot.card_actions`, whose ShowMeeting and ShowPunkt `møde` and `punkt` give too). The
activity handler strips the @mention first; the conversation dispatches on the class
with one `match`; nothing here knows about Teams.

    >>> parse_command("/møde 24-04-2024")
    ShowMeeting(day=datetime.date(2024, 4, 24), forum='')
    >>> parse_command("møde TMU 24-04-2024")
    ShowMeeting(day=datetime.date(2024, 4, 24), forum='TMU')

A forum is kept as written (`TMU`, `byrådet`): which forum it names is the catalog's to
say (retrieval/forums.py), where the conversation looks it up.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.card_actions import ShowMeeting, ShowPunkt
from ingest import cases
from ingest.dates import parse_day
from retrieval.phrasebook import say
from retrieval.text import DANISH_STOPWORDS


@dataclass(frozen=True)
class Help:
    """The help card."""


@dataclass(frozen=True)
class Latest:
    """The latest meeting (of `forum`, as written, when given)."""

    forum: str = ""
    #: the whole message, answered as a question when `forum` names no forum
    #: (`seneste sygefravær`)
    text: str = ""


@dataclass(frozen=True)
class Forums:
    """The forums of the catalog, each with its meetings' number and first and last date."""


@dataclass(frozen=True)
class Subscribe:
    """The daily digest for this conversation: of every forum or those `words` name, about
    the topic the rest of them names (`abonner byrådet parkering`), as written."""

    words: str = ""


@dataclass(frozen=True)
class Unsubscribe:
    """No more digest for this conversation, or no more of what `words` name."""

    words: str = ""


@dataclass(frozen=True)
class CasePath:
    """Every punkt of a case number, across meetings and forums, oldest first."""

    number: str
    #: the question the number was found in (`hvad blev besluttet i sag EMN-…?`), answered
    #: as a question when no punkt carries the number; "" for the command `sag NUMMER`
    text: str = ""


@dataclass(frozen=True)
class Question:
    text: str


@dataclass(frozen=True)
class Empty:
    """Nothing written but the @mention."""


@dataclass(frozen=True)
class Unclear:
    """A command word whose arguments cannot be read (`møde 31-02-2024`): the command it
    names, and a Danish sentence saying what is wrong."""

    meant: type
    problem: str


#: What a message can ask for.
Command = (Help | Latest | Forums | Subscribe | Unsubscribe | ShowMeeting | ShowPunkt | CasePath
           | Question | Empty | Unclear)

#: First words, Danish first, then English aliases (with or without a leading `/`), and
#: the command each names.
WORDS: dict[str, type] = {
    "hjælp": Help, "hjaelp": Help, "help": Help, "?": Help,
    "møde": ShowMeeting, "mode": ShowMeeting, "meeting": ShowMeeting,
    "seneste": Latest, "latest": Latest,
    "punkt": ShowPunkt, "item": ShowPunkt,
    "sag": CasePath, "case": CasePath,
    "fora": Forums, "forums": Forums,
    "abonner": Subscribe, "abonnér": Subscribe, "subscribe": Subscribe,
    "afmeld": Unsubscribe, "unsubscribe": Unsubscribe,
}
#: What may follow `seneste` and still mean "the latest meeting".
LATEST_TAIL = frozenset({"", "møde", "mødet", "meeting", "referat", "referatet"})
#: Small words a forum's name may hold or follow (`seneste møde i Teknik- og Miljøudvalget`);
#: any other small word makes `seneste …` a question (`seneste nyt om sygefravær`).
FORUM_FILLERS = frozenset({"og", "i", "fra", "for", "in", "of", "the", "and"})
_DIGIT = re.compile(r"\d")


def parse_command(text: str | None) -> Command:
    """The command in `text` (mention already removed), or a Question of the text.

    A command word followed by something that is not its argument (`møde om budgettet`,
    `seneste nyt om sygefravær`) is a question, so people can write naturally; a command
    word followed by a broken date (`møde 31-02-2024`) is Unclear, with the problem. A
    question holding a case number asks for that case's path.
    """
    text = " ".join((text or "").split())
    if not text:
        return Empty()
    first, _, rest = text.partition(" ")
    kind = WORDS.get(first.lower().lstrip("/").rstrip(":,."))
    if kind in (Help, Forums):
        return kind()
    if kind in (Subscribe, Unsubscribe):
        return kind(rest.rstrip("?.!"))
    if kind is Latest:
        return _latest(rest, text)
    if kind is ShowMeeting:
        return _meeting(rest, text)
    if kind is ShowPunkt:
        return _item(rest, text)
    if kind is CasePath:
        return _case(rest, text)
    number = cases.in_text(text)
    return CasePath(number, text) if number else Question(text)


# --- helpers -------------------------------------------------------------------------------


def _latest(rest: str, text: str) -> Command:
    """`seneste`, `seneste møde`, `seneste KB`, `seneste møde i byrådet`; a question
    otherwise."""
    words = [w for w in rest.rstrip("?.!").split() if w.lower() not in LATEST_TAIL]
    if not words:
        return Latest()
    small = {w.lower() for w in words} & DANISH_STOPWORDS - FORUM_FILLERS
    if small or _DIGIT.search(rest):
        return Question(text)
    while words and words[0].lower() in FORUM_FILLERS:
        words = words[1:]
    return Latest(" ".join(words), text) if words else Question(text)


def _meeting(rest: str, text: str) -> Command:
    if not rest:
        return Unclear(ShowMeeting, say("which_date", formats=say("date_formats")))
    forum, date_text = _forum_and_date(rest)
    day, problem = _day(date_text)
    if day is None and not _DIGIT.search(rest):
        return Question(text)
    return Unclear(ShowMeeting, problem) if day is None else ShowMeeting(day, forum)


def _item(rest: str, text: str) -> Command:
    usage = Unclear(ShowPunkt, say("punkt_usage"))
    words = rest.split()
    if not words:
        return usage
    if not _DIGIT.search(rest):
        return Question(text)
    # `punkt 24-04-2024 7`, and also `punkt 7 24-04-2024`; a forum before the date
    for number, others in ((words[-1], words[:-1]), (words[0], words[1:])):
        if number.isdigit() and len(number) <= 3 and others:
            forum, date_text = _forum_and_date(" ".join(others))
            day, problem = _day(date_text)
            return Unclear(ShowPunkt, problem) if day is None \
                else ShowPunkt(day, int(number), forum)
    return usage


def _case(rest: str, text: str) -> Command:
    """`sag 83.02.00-A00-1-23`, `sag EMN-2024-004412 hvad skete der?` (the number among
    other words); `sag om budgettet` (no digit) is a question."""
    if not rest:
        return Unclear(CasePath, say("case_usage"))
    if not _DIGIT.search(rest):
        return Question(text)
    return CasePath(cases.in_text(text) or rest)


def _forum_and_date(text: str) -> tuple[str, str]:
    """(the forum's words, the date) of `TMU 24-04-2024` or `byrådet 27. maj 2024`: the
    first words, without a digit, before a date; ("", text) when none such are found."""
    words = text.split()
    if _day(text)[0] is not None:
        return "", text
    for i in range(1, len(words)):
        if _DIGIT.search(words[i - 1]):
            break
        if _day(" ".join(words[i:]))[0] is not None:
            return " ".join(words[:i]), " ".join(words[i:])
    return "", text


def _day(text: str) -> tuple[dt.date | None, str]:
    try:
        return parse_day(text), ""
    except ValueError:
        return None, say("bad_date", text=text, formats=say("date_formats"))
