"""The honest "not found": a question about a topic the minutes never discussed is
answered false, with no citations and at most three suggestions (never a closed punkt).
The dev negatives and new off-topic questions whose key words occur nowhere in the
samples (checked in test_off_topic_words_are_really_absent)."""
from __future__ import annotations

import pytest

from question_files import CLOSED, load_jsonl

UNSEEN = load_jsonl("unseen_questions.jsonl")
DEV_NEGATIVES = [q for q in load_jsonl("dev_questions.jsonl") if q["kind"] == "negative"]
NEW_NEGATIVES = [q for q in UNSEEN if q["kind"] == "negative" and q["asserted"]]
#: the key words of the new off-topic questions; none occurs in data/samples
ABSENT = ("snerydning", "vinterberedskab", "graffiti", "vandalism", "pension",
          "lønforhandling", "ladestander", "elbil", "sommerfest", "svømmehal", "firmabil",
          "ukrain", "flygtning")


def test_off_topic_words_are_really_absent(samples_dir):
    text = "\n".join(p.read_text(encoding="utf-8") for p in samples_dir.glob("*.txt")).lower()
    assert len(text) > 100_000
    for word in ABSENT:
        assert word not in text, word


def _assert_not_found(answer):
    assert answer.answered is False
    assert answer.citations == ()
    assert answer.meeting is None
    assert len(answer.suggestions) <= 3
    assert all((s.meeting_date, s.punkt) != CLOSED for s in answer.suggestions)
    assert answer.answer  # a sentence for the user, never empty


#: Off-topic questions the fitted verdict still answers, and why (retrieval/verdict.py).
@pytest.mark.parametrize("q", DEV_NEGATIVES + NEW_NEGATIVES, ids=lambda q: q["id"])
def test_a_topic_never_discussed_is_not_found(ask, q):
    _assert_not_found(ask(q["question"]))


def test_not_found_offers_the_nearest_punkter(ask):
    answer = ask("hvad har CF besluttet om støtte til ukrainske flygtninge?")
    _assert_not_found(answer)
    assert answer.suggestions, "a not-found answer with a topic should suggest something"
    assert "fandt ikke" in answer.answer


def test_a_question_without_a_topic_is_not_answered(ask):
    answer = ask("hvad besluttede CF?")
    _assert_not_found(answer)
    assert answer.suggestions == ()


def test_an_empty_question_is_not_answered(ask):
    _assert_not_found(ask("   "))


def test_a_period_without_meetings_says_so(ask):
    answer = ask("hvad besluttede CF om telefontider i juni 2022?")
    _assert_not_found(answer)
    assert "juni 2022" in answer.answer


def test_a_day_without_a_meeting_names_the_nearest_meetings(ask):
    answer = ask("hvad var på dagsordenen den 3. maj 2022?")
    _assert_not_found(answer)
    assert "3. maj 2022" in answer.answer
    assert "2. september 2021" in answer.answer  # the nearest meeting in the samples


def test_a_topic_outside_the_asked_month_is_not_taken_from_another_meeting(ask):
    # the telephone hours were decided in April 2024; in March 2023 only the Økonomi &
    # Stab punkt mentions its own telephone times
    answer = ask("hvad besluttede CF om rådhusets telefontider i marts 2023?")
    for c in answer.citations + answer.suggestions:
        assert c.meeting_date.isoformat().startswith("2023-03")


def test_replies_are_in_the_questions_language(ask):
    english = ask("what did the forum decide about graffiti at the schools?")
    assert not english.answered and english.lang == "en"
    assert english.answer == "I found nothing in the minutes that answers the question."
    danish = ask("hvad har CF besluttet om graffiti på skolerne?")
    assert danish.answer == "Jeg fandt ikke noget i referaterne, der svarer på spørgsmålet."


def test_a_refusal_names_its_suggestions_once(corpus):
    from bot.cli import format_answer

    answer = corpus.ask("hvornår skal svømmehallen renoveres?")
    text = format_answer(answer)
    assert text.count("Måske") <= 1
