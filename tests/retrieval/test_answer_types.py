"""Snippets chosen for what is asked: the sentence with the date for "hvornår", the
amount for "hvad koster", the name for "hvem"; a list with the sentence that introduces
it; the whole Beslutning for a decision when it fits; table rows never quoted as prose;
and a punkt on the topic that states nothing of the asked type does not answer."""
from __future__ import annotations

import pytest

from retrieval.answer_types import carries, first
from retrieval.query import understand
from retrieval.sentences import units
from retrieval.tuning import TUNING


@pytest.mark.parametrize("sentence, answer_type", [
    ("Det koster 2.000 kr. om måneden.", "amount"),
    ("Der bygges 38 nye boliger.", "number"),
    ("Forløbet gennemføres i september måned 2024 (uge 39).", "date"),
    ("ABCs leder, Trine Sander, er fratrukket sin stilling.", "person"),
    ("Sagen blev udsat, idet der indføres 4-dages arbejdsuge.", "reason"),
])
def test_sentences_carry_their_type(sentence, answer_type):
    assert carries(sentence, answer_type)


@pytest.mark.parametrize("sentence, answer_type, found", [
    ("Lederdagen holdes 22. september 2021 på rådhuset.", "number", None),
    ("Mødet er i uge 34.", "number", None),
    ("I 2024 er der afsat 3 mio. kr. til projektet.", "number", "3"),
    ("Der deltog 140 ledere den 22. september 2021.", "number", "140"),
    ("Lederdagen holdes 22. september 2021 på rådhuset.", "date", "22. september"),
])
def test_a_count_or_a_sum_is_not_a_dates_day_or_year(sentence, answer_type, found):
    """A question asking how many is not answered by the day or year of a date."""
    assert first(sentence, answer_type) == found


def test_what_the_question_already_names_is_no_answer():
    asked = frozenset(understand("hvem er ny leder efter Trine Sander?").terms) | {"trine", "sand"}
    assert not carries("Trine Sander er fratrukket.", "person", asked)
    assert carries("Trine Sander er fratrukket, og Marie Jensen overtager.", "person", asked)


@pytest.mark.parametrize("question, day, number, phrase", [
    ("hvor mange nye boliger skal bygges i den gamle landsby?", "2019-03-14", 4, "38 nye boliger"),
    ("hvornår træder den nye SKI-aftale 50.48 i kraft", "2019-03-14", 6, "1. marts 2019"),
    ("hvad koster Umbraco modulet til automatiske annoncer?", "2024-04-24", 8, "2.000 kr."),
    ("hvem var leder af ABC og hvornår stoppede hun?", "2019-03-14", 2, "Trine Sander"),
])
def test_a_typed_question_quotes_the_sentence_with_the_type(ask, question, day, number, phrase):
    top = ask(question).citations[0]
    assert (top.meeting_date.isoformat(), top.punkt) == (day, number)
    assert phrase in top.snippet


def test_a_list_item_comes_with_the_sentence_that_introduces_the_list(corpus, snippet):
    punkt = corpus.punkt("2019-03-14", 2)
    snip = snippet(punkt, "forankring efter 2020", decision=True)
    lines = snip.text.split("\n")
    assert lines[0] == "Netværket anbefaler et øget fokus på:"
    assert any("Forankring efter 2020" in line for line in lines[1:])


def test_a_decision_that_fits_is_quoted_whole(ask, corpus):
    top = ask("hvad besluttede CF om telefontider?").citations[0]
    whole = corpus.punkt(top.meeting_date, top.punkt).sections["Beslutning"]
    assert len(whole) <= TUNING.decision_chars
    assert " ".join(top.snippet.split()) == " ".join(whole.split())


def test_table_rows_are_never_quoted(corpus, ask):
    # the 2024 agenda table lists "Kom ind i klimakampen ... Marie J" in one tab row
    punkt = corpus.punkt("2024-04-24", 1)
    rows = [u.text for body in punkt.sections.values() for u in units(body) if u.table]
    assert rows
    for question in ("hvem er Marie J?", "Kom ind i klimakampen Marie J",
                     "hvad stod der på dagsordenen om genbrugsbørs 24-04-2024?"):
        answer = ask(question)
        for c in answer.citations + answer.suggestions:
            assert not any(row in " ".join(c.snippet.split()) for row in rows), question


def test_a_punkt_without_the_asked_fact_is_offered_not_quoted(ask):
    # 2024-04-24 p2 is about Frames, but states no cost of it
    answer = ask("hvad koster det at implementere Frames?")
    assert not answer.answered and answer.note == "fact missing"
    assert (answer.suggestions[0].meeting_date.isoformat(), answer.suggestions[0].punkt) \
        == ("2024-04-24", 2)
    assert "beløb" in answer.answer


@pytest.mark.parametrize("sentence, found", [
    ("Dette modul koster 2.000 kr. om måneden, altså 24.000 kr. om året.", "2.000 kr."),
    ("måltallet fastsættes til 23 mio. kr., idet anlægsudgifterne nedbringes", "23 mio. kr."),
    ("arbejdspladsen får løntilskud fra Jobcentret på kr. 166,54 i timen", "kr. 166,54"),
    ("Besparelsen er 2,6 mio.kr. i 2024", "2,6 mio.kr."),
])
def test_the_first_amount_of_a_sentence_is_found_whole(sentence, found):
    assert first(sentence, "amount") == found


def test_the_question_words_are_marked_in_the_snippet(ask):
    top = ask("hvad besluttede CF om telefontider?").citations[0]
    assert "telefontid" in top.highlights
    assert all(word in top.snippet for word in top.highlights)
