"""Reading a chat message: a command on its exact first word, in Danish or English, with
or without `/`; anything else is a question."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.card_actions import ShowMeeting, ShowPunkt
from bot.commands import (CasePath, Empty, Forums, Help, Latest, Question, Subscribe, Unclear,
                          Unsubscribe, parse_command)

APRIL_24 = dt.date(2024, 4, 24)


@pytest.mark.parametrize("text, command", [
    ("hjælp", Help()), ("/hjælp", Help()), ("Help", Help()), ("/help", Help()), ("?", Help()),
    ("seneste", Latest()), ("/latest", Latest()), ("seneste møde", Latest()),
    ("Seneste referat?", Latest()),
    ("abonner", Subscribe()), ("/subscribe", Subscribe()), ("abonnér", Subscribe()),
    ("afmeld", Unsubscribe()), ("/unsubscribe", Unsubscribe()),
    ("", Empty()), ("   ", Empty()), (None, Empty()),
    ("hvad besluttede CF om telefontider?", Question("hvad besluttede CF om telefontider?")),
    ("seneste nyt om sygefravær", Question("seneste nyt om sygefravær")),
    ("seneste møde i 2023", Question("seneste møde i 2023")),
    ("fora", Forums()), ("/forums", Forums()),
    ("møde om budgettet", Question("møde om budgettet")),
    ("punktlighed i Chefforum", Question("punktlighed i Chefforum")),
    ("hjælpemidler på rådhuset", Question("hjælpemidler på rådhuset")),
])
def test_commands(text, command):
    assert parse_command(text) == command


@pytest.mark.parametrize("text", ["møde 24-04-2024", "/møde 24.04.2024", "meeting 2024-04-24",
                                  "møde 24. april 2024", "MØDE 24/4/2024", "/meeting April 24, 2024"])
def test_meeting_dates(text):
    assert parse_command(text) == ShowMeeting(APRIL_24)


@pytest.mark.parametrize("text, number", [("punkt 24-04-2024 7", 7), ("/item 2024-04-24 12", 12),
                                          ("punkt 7 24-04-2024", 7), ("punkt 24. april 2024 3", 3)])
def test_punkt(text, number):
    assert parse_command(text) == ShowPunkt(APRIL_24, number)


@pytest.mark.parametrize("text, meant, problem", [
    ("møde", ShowMeeting, "Skriv hvilken dato"),
    ("møde 31-02-2024", ShowMeeting, "Jeg kan ikke læse '31-02-2024' som en dato"),
    ("møde 24-04", ShowMeeting, "Jeg kan ikke læse '24-04' som en dato"),
    ("punkt", ShowPunkt, "Skriv dato og nummer"),
    ("sag", CasePath, "Skriv sagsnummeret"),
    ("/case", CasePath, "Skriv sagsnummeret"),
    ("punkt 24-04-2024", ShowPunkt, "Skriv dato og nummer"),
    ("punkt 24-04-2024 syv", ShowPunkt, "Skriv dato og nummer"),
    ("punkt 99-99-2024 7", ShowPunkt, "Jeg kan ikke læse '99-99-2024' som en dato"),
])
def test_problems_are_sentences(text, meant, problem):
    command = parse_command(text)
    assert isinstance(command, Unclear) and command.meant is meant
    assert command.problem.startswith(problem)


def test_whitespace_is_normalised():
    assert parse_command("  møde \n 24-04-2024 ") == ShowMeeting(APRIL_24)


@pytest.mark.parametrize("text, command", [
    # the forum as written: the conversation looks it up among the catalog's forums
    ("møde TMU 24-04-2024", ShowMeeting(APRIL_24, "TMU")),
    ("møde Teknik- og Miljøudvalget 24. april 2024", ShowMeeting(APRIL_24, "Teknik- og Miljøudvalget")),
    ("meeting the city council April 24, 2024", ShowMeeting(APRIL_24, "the city council")),
    ("punkt KB 24-04-2024 62", ShowPunkt(APRIL_24, 62, "KB")),
    ("punkt 7 byrådet 24-04-2024", ShowPunkt(APRIL_24, 7, "byrådet")),
    ("seneste KB", Latest("KB", "seneste KB")),
    ("seneste møde i Teknik- og Miljøudvalget",
     Latest("Teknik- og Miljøudvalget", "seneste møde i Teknik- og Miljøudvalget")),
    ("latest city council meeting", Latest("city council", "latest city council meeting")),
])
def test_a_forum_before_the_date(text, command):
    assert parse_command(text) == command


@pytest.mark.parametrize("text, command", [
    ("sag 83.02.00-A00-1-23", CasePath("83.02.00-A00-1-23")),
    ("/case EMN-2025-003383", CasePath("EMN-2025-003383")),
    ("sag Sagsnr.: 330-2018-3619", CasePath("330-2018-3619")),
    ("sag EMN - 2024 - 004412", CasePath("EMN - 2024 - 004412")),
    ("sag EMN-2024-004412 hvad skete der?", CasePath("EMN-2024-004412")),
    # no digit: a question, as `møde om …` is
    ("sag om budgettet", Question("sag om budgettet")),
    ("case about parking", Question("case about parking")),
    # a case number in a question: its path, or else the question answered
    ("hvad blev besluttet i sag EMN-2024-004412?",
     CasePath("EMN-2024-004412", "hvad blev besluttet i sag EMN-2024-004412?")),
    ("hvad skete der med 27.00.00-G01-3-19", CasePath("27.00.00-G01-3-19",
                                                      "hvad skete der med 27.00.00-G01-3-19")),
    ("hvad står der i sagsnr. 330-2018-3619?",
     CasePath("330-2018-3619", "hvad står der i sagsnr. 330-2018-3619?")),
    # numbers that are no case numbers
    ("hvad skete der i sagen fra 2019?", Question("hvad skete der i sagen fra 2019?")),
    ("budget 2024-2027 for skolerne", Question("budget 2024-2027 for skolerne")),
    ("hvad besluttede CF d. 24-04-2024?", Question("hvad besluttede CF d. 24-04-2024?")),
])
def test_a_case_number(text, command):
    assert parse_command(text) == command
