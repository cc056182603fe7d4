"""Query understanding: the dates that become filters, the year that stays a preference,
the intents (decision, whole meeting, latest meeting), the words that must not rank, and
English questions bridged to the minutes' Danish."""
from __future__ import annotations

import datetime as dt

import pytest

from retrieval.english import is_english, translate
from retrieval.query import asks_history, understand
from retrieval.text import term as stem

D = dt.date


# --- dates ---------------------------------------------------------------------------

@pytest.mark.parametrize("question", [
    "hvad besluttede CF om telefontider på mødet den 24. april 2024?",
    "telefontider 24-04-2024",
    "telefontider 2024-04-24",
    "telefontider 24.04.2024",
    "telefontider d. 24/4/2024",
    "what was said about phone hours on April 24, 2024?",
])
def test_a_full_date_is_a_one_day_filter_and_leaves_the_terms(question):
    q = understand(question)
    assert (q.start, q.end) == (D(2024, 4, 24), D(2024, 4, 24))
    assert q.day == D(2024, 4, 24)
    assert not {"2024", "24", "04", "april"} & set(q.terms)


@pytest.mark.parametrize("question, start, end", [
    ("hvad skete der om sygefravær i marts 2023?", D(2023, 3, 1), D(2023, 3, 31)),
    ("sygefravær April 2024", D(2024, 4, 1), D(2024, 4, 30)),
    ("sygefravær i februar 2024", D(2024, 2, 1), D(2024, 2, 29)),  # leap year
    ("what was said about sygefravær in March 2023?", D(2023, 3, 1), D(2023, 3, 31)),
])
def test_a_month_is_a_range_filter(question, start, end):
    q = understand(question)
    assert (q.start, q.end) == (start, end)
    assert q.day is None
    assert not {"marts", "april", "februar", "march", str(start.year)} & set(q.terms)
    assert {stem("sygefravær"), stem("fravær")} & set(q.terms)


@pytest.mark.parametrize("question, start, end", [
    ("blev dagsorden og referat godkendt på CF 15/3-23?", D(2023, 3, 15), D(2023, 3, 15)),
    ("hvad var på dagsordenen i april 24?", D(2024, 4, 1), D(2024, 4, 30)),
    ("sygefravær marts 19", D(2019, 3, 1), D(2019, 3, 31)),
])
def test_two_digit_years_are_read(question, start, end):
    q = understand(question)
    assert (q.start, q.end) == (start, end)


def test_a_quarter_is_one_word_of_the_topic_not_a_filter():
    for question in ("sygefravær 1. kvartal 2024", "sygefravær 1. kv. 2024",
                     "sick leave in Q1 2024", "absence in the first quarter of 2024"):
        q = understand(question)
        assert "kvartal1" in q.terms and q.start is None, question
    assert "kvartal2" in understand("sygefravær 2. kvartal 2024").terms


@pytest.mark.parametrize("question, answer_type", [
    ("hvad koster Umbraco modulet?", "amount"),
    ("how much does the module cost?", "amount"),
    ("hvor mange boliger bygges der?", "number"),
    ("hvornår skal klimakampen køre?", "date"),
    ("who is organising the seminar?", "person"),
    ("hvorfor blev sagen udsat?", "reason"),
    ("hvilke indsatsområder er der?", "list"),
    ("hvad besluttede CF om Plan MED?", "decision"),
])
def test_the_answer_type_is_read_from_the_question_words(question, answer_type):
    assert understand(question).answer_type == answer_type


def test_meetings_without_a_topic_and_the_first_meeting_of_a_year():
    assert understand("hvad blev besluttet på mødet i marts 2023?").meeting
    assert understand("What did CF discuss at the March 2023 meeting?").meeting
    q = understand("summary of the first meeting in 2019")
    assert q.meeting and q.first and q.year == 2019
    assert understand("hvilket møde havde både budget og anlægsplan på dagsordenen?").which_meeting
    assert understand("hvornår er næste møde?").future


@pytest.mark.parametrize("question", [
    "hvad besluttede CF om budget i 2019?",
    "overførsel af mindreforbrug 2019",
])
def test_a_bare_year_is_a_soft_preference_and_stays_a_term(question):
    q = understand(question)
    assert q.year == 2019
    assert q.start is None and q.end is None
    assert "2019" in q.terms


def test_a_year_inside_a_name_is_not_a_time():
    # "Budget 2024 proces": the year names the budget, it does not date the question
    q = understand("hvad er planen for Budget 2024 proces?")
    assert q.year is None and q.start is None
    assert "2024" in q.terms


def test_no_date_no_filter():
    q = understand("hvad besluttede CF om telefontider?")
    assert q.start is q.end is q.year is None


# --- intents -------------------------------------------------------------------------

@pytest.mark.parametrize("question", [
    "hvad besluttede CF om Plan MED?",
    "CF beslutning klimakampen",
    "hvad blev besluttet om genbrugsbørsen",
    "what did Chefforum decide about the phone hours?",
    "which decision was made on the recycling exchange?",
])
def test_decision_words_set_the_decision_intent_and_do_not_rank(question):
    q = understand(question)
    assert q.decision
    assert not q.meeting
    for word in ("besluttede", "beslutning", "besluttet", "decide", "decision"):
        assert stem(word) not in q.terms and word not in q.terms


@pytest.mark.parametrize("question", [
    "hvem er sikkerhedskoordinator?",
    "hvor mange nye boliger skal bygges i landsbyen?",
    "how much wage subsidy per hour does the workplace get?",
])
def test_other_questions_have_no_decision_intent(question):
    assert not understand(question).decision


@pytest.mark.parametrize("question, day", [
    ("hvad var på dagsordenen den 2. september 2021?", D(2021, 9, 2)),
    ("hvad blev behandlet på chefforum d. 14. marts 2019?", D(2019, 3, 14)),
    ("møde 14-03-2019", D(2019, 3, 14)),
    ("agenda 2024-04-24", D(2024, 4, 24)),
])
def test_a_question_about_one_days_meeting_is_a_meeting_question(question, day):
    q = understand(question)
    assert q.meeting and not q.latest
    assert q.day == day


@pytest.mark.parametrize("question", [
    "seneste møde",
    "hvad blev behandlet på det seneste møde?",
    "sidste referat",
    "what was on the latest meeting?",
])
def test_latest_meeting(question):
    q = understand(question)
    assert q.meeting and q.latest
    assert q.start is None


def test_a_dated_topic_question_is_not_a_meeting_question():
    q = understand("hvad besluttede CF om telefontider den 24. april 2024?")
    assert not q.meeting
    assert q.day == D(2024, 4, 24)
    assert q.terms == (stem("telefontider"),)


def test_seneste_without_a_meeting_word_is_a_topic_question():
    # "seneste opgørelse" asks about sick leave, not about the latest meeting
    q = understand("hvad viser den seneste opgørelse af sygefraværet?")
    assert not q.latest and not q.meeting


# --- words that must not drive the ranking -------------------------------------------

@pytest.mark.parametrize("question", [
    "hvad besluttede CF om telefontider?",
    "Chefforum telefontider",
    "hvad sagde chefforum om telefontiderne på mødet?",
    "CF: telefontider - hvad blev der besluttet?",
])
def test_forum_name_and_question_fillers_are_not_terms(question):
    q = understand(question)
    assert q.terms == (stem("telefontiderne"),) == (stem("telefontider"),)
    for filler in ("cf", "chefforum", "hvad", "om", "blev", "der", "sagde", "mødet"):
        assert filler not in q.terms and stem(filler) not in q.terms


def test_terms_are_stemmed_in_order_once_each():
    q = understand("sygefravær og sygefraværet: mål for sygefravær")
    assert stem("sygefravær") == stem("sygefraværet")
    assert q.terms == (stem("sygefravær"), stem("mål"))


def test_an_acronym_that_spells_a_stopword_is_kept():
    # "MED" (the co-determination committees) is also the Danish stopword "med"
    q = understand("hvad besluttede CF om Plan MED?")
    assert "MED" in q.terms and stem("plan") in q.terms


def test_a_question_of_only_fillers_has_no_terms():
    assert understand("hvad besluttede CF?").terms == ()


# --- English questions -----------------------------------------------------------------

def test_english_is_told_from_danish_by_its_words():
    assert is_english("what did the forum decide about sick leave".split())
    assert not is_english("hvad besluttede CF om sygefravær".split())
    # Danish that shares a word with English is still Danish
    assert not is_english("hvad er status på it".split())
    # English with one short function word or none, and Danish with none
    assert is_english("can units keep unused funds for new equipment".split())
    assert is_english("which supplier takes old furniture back".split())
    assert not is_english("kan enhederne gemme ubrugte midler til nyt udstyr".split())
    # short queries of names, abbreviations and loanwords stay Danish
    for query in ("IT", "status IT", "IT support", "budget 2024 SBSYS", "Power BI",
                  "onboarding program", "status digital post"):
        assert not is_english(query.split()), query


def test_english_words_are_bridged_to_danish():
    assert translate("decision") == ("beslutning",)
    assert translate("employees") == ("ansat", "arbejdstager")  # through its lemma
    assert translate("the") == ()
    assert translate("Gladsaxe") == ("Gladsaxe",)  # names pass through


def test_an_english_question_ranks_on_danish_terms_and_its_own_words():
    q = understand("what did CF decide about the new purchase of furniture?")
    assert q.decision
    concepts = {c.word: c.terms for c in q.concepts}
    assert stem("indkøb") in concepts["purchase"] and stem("møbler") in concepts["furniture"]
    assert "furnitur" in concepts["furniture"]  # the word itself, for shared words and names
    q = understand("how much should CO2 emissions be cut by 2030 according to the climate plan?")
    assert {stem("klima"), "co2", "2030"} <= set(q.terms)
    assert not {"how", "much", "should", "the", "according"} & set(q.terms)


# --- a case's history ------------------------------------------------------------------

@pytest.mark.parametrize("question", [
    "hvad er der sket med sagen om telefontider?",
    "hvad skete der i sagen om budgettet?",
    "hvordan er sagen om parkeringsstrategien gået?",
    "hvordan gik det med ansøgningen om ladestandere?",
    "hvordan har forløbet været i sagen om sygefravær?",
    "sagens forløb om daginstitutionen i Østerby",
    "sagsforløbet for lokalplanen",
    "hvad er historikken bag sygefraværsprojektet?",
    "what happened to the case about phone hours?",
    "what is the history of the parking strategy?",
    "whatever became of the new intranet?",
])
def test_a_question_of_a_cases_history(question):
    assert asks_history(question)


@pytest.mark.parametrize("question", [
    "hvad besluttede CF om telefontider?",
    "hvad blev besluttet om lederudviklingsforløbet?",  # a course one attends
    "hvor meget er udgifterne gået op?",
    "hvad skete der i marts 2023?",
    "what happened at the meeting on 24 April 2024?",
    "what did the council decide about parking?",
])
def test_a_question_of_one_decision_or_meeting_is_none(question):
    assert not asks_history(question)
