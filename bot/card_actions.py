"""What a card's buttons send back: one frozen dataclass a kind of button, `data(action)`
builds the `Action.Submit` data a card carries, `parse(value)` reads it back from the
activity's `value`. Nothing else writes or reads those dicts.

    >>> data(ShowPunkt(dt.date(2024, 4, 24), 7))
    {'command': 'punkt', 'date': '2024-04-24', 'punkt': 7}
    >>> parse({'command': 'punkt', 'date': '2024-04-24', 'punkt': 7})
    ShowPunkt(day=datetime.date(2024, 4, 24), number=7)
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PUNKT, MOEDE, SPOERG, FEEDBACK = "punkt", "møde", "spørg", "feedback"
VOTES = ("up", "down")
#: Characters of the question a vote button carries (the feedback table keeps it).
MAX_VOTE_QUESTION_CHARS = 300
#: Cited punkter a vote button carries.
MAX_VOTE_PUNKTER = 10


@dataclass(frozen=True)
class ShowPunkt:
    day: dt.date
    number: int
    #: the forum whose meeting it is, as written (`TMU`) or by its name; "" for the
    #: day's one meeting (or, when two forums met that day, a choice of them)
    forum: str = ""


@dataclass(frozen=True)
class ShowMeeting:
    day: dt.date
    #: as ShowPunkt's
    forum: str = ""


@dataclass(frozen=True)
class Ask:
    """Send `text` as if typed (the help card's examples)."""

    text: str


@dataclass(frozen=True)
class Vote:
    vote: str
    question: str
    #: (meeting date, punkt number) of the cited punkter, best first
    punkter: tuple[tuple[dt.date, int], ...] = ()


@dataclass(frozen=True)
class Unreadable:
    """A value no button of ours sends; `command` is what it claimed to be."""

    command: str = ""


CardAction = ShowPunkt | ShowMeeting | Ask | Vote


def data(action: CardAction) -> dict:
    """The `Action.Submit` data of a button."""
    if isinstance(action, ShowPunkt):
        return {"command": PUNKT, "date": action.day.isoformat(), "punkt": action.number,
                **_forum(action.forum)}
    if isinstance(action, ShowMeeting):
        return {"command": MOEDE, "date": action.day.isoformat(), **_forum(action.forum)}
    if isinstance(action, Ask):
        return {"command": SPOERG, "text": action.text}
    return {"command": FEEDBACK, "vote": action.vote,
            "question": action.question[:MAX_VOTE_QUESTION_CHARS],
            "punkter": [{"date": d.isoformat(), "punkt": n}
                        for d, n in action.punkter[:MAX_VOTE_PUNKTER]]}


def parse(value: dict) -> CardAction | Unreadable:
    """The action of a button's data, or Unreadable (never an exception)."""
    command = value.get("command")
    try:
        if command == PUNKT:
            return ShowPunkt(_day(value.get("date")), _number(value["punkt"]),
                             _forum_of(value))
        if command == MOEDE:
            return ShowMeeting(_day(value.get("date")), _forum_of(value))
        if command == SPOERG and isinstance(value.get("text"), str):
            return Ask(value["text"])
        if command == FEEDBACK:
            return _vote(value)
    except (KeyError, TypeError, ValueError):
        pass
    return Unreadable(command if isinstance(command, str) else "")


def _vote(value: dict) -> Vote:
    vote, question = value.get("vote"), value.get("question")
    if vote not in VOTES or not isinstance(question, str):
        raise ValueError("not a vote")
    cited = tuple((_day(p["date"]), _number(p["punkt"]))
                  for p in value.get("punkter") or [])
    return Vote(vote, question[:MAX_VOTE_QUESTION_CHARS], cited[:MAX_VOTE_PUNKTER])


def _forum(forum: str) -> dict:
    """A button's forum, when it names one (a button of a card made before forums were
    told apart has none)."""
    return {"forum": forum} if forum else {}


def _forum_of(value: dict) -> str:
    forum = value.get("forum", "")
    if not isinstance(forum, str):
        raise ValueError("not a forum")
    return forum


def _day(text) -> dt.date:
    return dt.date.fromisoformat(str(text))


def _number(value) -> int:
    if isinstance(value, bool):
        raise ValueError("not a number")
    return int(value)
