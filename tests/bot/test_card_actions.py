"""Card actions: every button kind built by `actions.data` reads back as itself, and
anything else a client may send reads as Unreadable, never as an exception."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from bot import card_actions, cards
from bot.card_actions import Ask, ShowMeeting, ShowPunkt, Unreadable, Vote
from retrieval.model import Answer, Citation

DAY = dt.date(2024, 4, 24)


@pytest.mark.parametrize("action", [
    ShowPunkt(DAY, 7),
    ShowMeeting(DAY),
    ShowPunkt(DAY, 2, "Teknik- og Miljøudvalget"),
    ShowMeeting(DAY, "Chefforum"),
    Ask("hvad besluttede CF om telefontider?"),
    Vote("up", "hvad besluttede CF om telefontider?", ((DAY, 7), (dt.date(2019, 1, 17), 2))),
    Vote("down", "?"),
])
def test_every_action_round_trips_through_json(action):
    # as Teams returns it
    sent = json.loads(json.dumps(card_actions.data(action), ensure_ascii=False))
    assert card_actions.parse(sent) == action


@pytest.mark.parametrize("value", [
    {"command": "punkt", "date": "i går", "punkt": 7},
    {"command": "punkt", "date": "2024-04-24"},
    {"command": "punkt", "date": "2024-04-24", "punkt": "syv"},
    {"command": "punkt", "date": "2024-04-24", "punkt": True},
    {"command": "møde", "date": None},
    {"command": "møde", "date": "2024-04-24", "forum": ["Chefforum"]},
    {"command": "spørg", "text": 7},
    {"command": "feedback", "vote": "sideways", "question": "q", "punkter": []},
    {"command": "feedback", "vote": "up", "punkter": []},
    {"command": "feedback", "vote": "up", "question": "q", "punkter": [{"date": "x", "punkt": 1}]},
    {"command": "feedback", "vote": "up", "question": "q", "punkter": ["2024-04-24"]},
    {"command": "self-destruct"},
    {"command": ["punkt"]},
])
def test_anything_else_is_unreadable(value):
    parsed = card_actions.parse(value)
    assert isinstance(parsed, Unreadable)
    assert parsed.command == (value["command"] if isinstance(value["command"], str) else "")


def test_a_vote_carries_a_bounded_question_and_punkter():
    vote = Vote("up", "x" * 5000, tuple((DAY, n) for n in range(1, 30)))
    data = card_actions.data(vote)
    assert len(data["question"]) == card_actions.MAX_VOTE_QUESTION_CHARS
    assert len(data["punkter"]) == card_actions.MAX_VOTE_PUNKTER


def test_every_button_on_the_cards_parses():
    """The cards build their buttons through card_actions.data only."""
    citation = Citation("Chefforum", DAY, 7, "Rådhusets telefontider", "", "Beslutning", "Svar.")
    answer = Answer("telefontider?", True, "Svar.", (citation,))
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append(node["data"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for card in (cards.answer_card(answer), cards.help_card(),
                 cards.no_meeting_card(DAY, [dt.date(2019, 1, 17)])):
        walk(card)
    assert found and not [d for d in found if isinstance(card_actions.parse(d), Unreadable)]


def test_shorten_cuts_at_a_word_within_the_limit():
    assert cards.shorten("kort", 10) == "kort"
    decision = "Chefforum besluttede at gå videre med sagen."
    assert cards.shorten(decision, 20) == "Chefforum…"
    assert cards.shorten(decision, 22) == "Chefforum besluttede…"
    assert cards.shorten(decision, 24) == "Chefforum besluttede at…"
    assert cards.shorten("x" * 50, 10) == "x" * 9 + "…"
