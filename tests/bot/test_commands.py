"""Reading a chat message: a command on its exact first word, in Danish or English, with
or without `/`; anything else is a question."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.commands import (EMPTY, HELP, ITEM, LATEST, MEETING, QUESTION, SUBSCRIBE, UNSUBSCRIBE,
                          parse_command)

APRIL_24 = dt.date(2024, 4, 24)


@pytest.mark.parametrize("text, name", [
    ("hjælp", HELP), ("/hjælp", HELP), ("Help", HELP), ("/help", HELP), ("?", HELP),
    ("seneste", LATEST), ("/latest", LATEST), ("seneste møde", LATEST), ("Seneste referat?", LATEST),
    ("abonner", SUBSCRIBE), ("/subscribe", SUBSCRIBE), ("abonnér", SUBSCRIBE),
    ("afmeld", UNSUBSCRIBE), ("/unsubscribe", UNSUBSCRIBE),
    ("", EMPTY), ("   ", EMPTY), (None, EMPTY),
    ("hvad besluttede CF om telefontider?", QUESTION),
    ("seneste nyt om sygefravær", QUESTION),
    ("møde om budgettet", QUESTION),
    ("punktlighed i Chefforum", QUESTION),
    ("hjælpemidler på rådhuset", QUESTION),
])
def test_command_names(text, name):
    command = parse_command(text)
    assert command.name == name
    assert not command.problem


@pytest.mark.parametrize("text", ["møde 24-04-2024", "/møde 24.04.2024", "meeting 2024-04-24",
                                  "møde 24. april 2024", "MØDE 24/4/2024", "/meeting April 24, 2024"])
def test_meeting_dates(text):
    assert parse_command(text) == parse_command(text).__class__(MEETING, day=APRIL_24, text=text)


@pytest.mark.parametrize("text, number", [("punkt 24-04-2024 7", 7), ("/item 2024-04-24 12", 12),
                                          ("punkt 7 24-04-2024", 7), ("punkt 24. april 2024 3", 3)])
def test_punkt(text, number):
    command = parse_command(text)
    assert (command.name, command.day, command.number, command.problem) == (ITEM, APRIL_24, number, "")


@pytest.mark.parametrize("text, name, problem", [
    ("møde", MEETING, "Skriv hvilken dato"),
    ("møde 31-02-2024", MEETING, "Jeg kan ikke læse '31-02-2024' som en dato"),
    ("møde 24-04", MEETING, "Jeg kan ikke læse '24-04' som en dato"),
    ("punkt", ITEM, "Skriv dato og nummer"),
    ("punkt 24-04-2024", ITEM, "Skriv dato og nummer"),
    ("punkt 24-04-2024 syv", ITEM, "Skriv dato og nummer"),
    ("punkt 99-99-2024 7", ITEM, "Jeg kan ikke læse '99-99-2024' som en dato"),
])
def test_problems_are_sentences(text, name, problem):
    command = parse_command(text)
    assert command.name == name
    assert command.problem.startswith(problem)
    assert command.day is None


def test_whitespace_is_normalised():
    assert parse_command("  møde \n 24-04-2024 ").day == APRIL_24
