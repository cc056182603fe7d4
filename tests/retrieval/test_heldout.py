"""The held-out questions (heldout_questions.jsonl, written from the sample minutes for
the "not found" rule, not tuned on): 35 a department head could ask whose answer is in
the samples, in varied wording, some English, some with compounds joined or split unlike
the minutes ("telefontid", "fraværsdage", "benchmarkværktøj", "langtidsfravær"), and 15
about things the minutes never discuss, several built from compounds whose parts do occur
("parkeringsplads", "kantineordning", "medarbejderfest", "motionsordning", "skybrud").

The rates asserted are the ones reached (measured with `referatbot eval`): they guard
against the rule drifting either way. The off-topic questions still answered are
answered on common words the question shares with some punkt ("koster", "ansatte",
"åbner", "rådhuset"), not on compound parts."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.index import punkt_document
from retrieval.query import understand

QUESTIONS = [json.loads(line) for line in
             (Path(__file__).with_name("heldout_questions.jsonl")
              .read_text(encoding="utf-8").splitlines()) if line.strip()]
POSITIVES = [q for q in QUESTIONS if q["kind"] not in ("negative", "meeting")]
MEETINGS = [q for q in QUESTIONS if q["kind"] == "meeting"]
NEGATIVES = [q for q in QUESTIONS if q["kind"] == "negative"]
#: answerable questions whose compound the minutes write otherwise
COMPOUNDS = {
    "hp01": "telefontid / telefontid i de tidsrum",
    "hp03": "fraværsdage / fraværssdage, dage",
    "hp09": "lederniveau / niveau 4 leder",
    "hp13": "benchmarkværktøj / benchmark værktøj",
    "hp16": "databrud / sikkerhedsbrud, bruddet",
    "hp21": "telefoniaftale / Telefoni og data aftale",
    "hp29": "langtidsfravær / langtidssygefravær, fraværet",
    "hp35": "fraværssamtale / sygefraværssamtale",
}
#: reached, before the compound rule and after it: 9 of 15 off-topic questions answered,
#: 4 of 35 answerable questions refused, 30 of 34 punkt questions with the punkt in the
#: first three citations
MAX_FALSE_ANSWERS = 9
MAX_WRONG_REFUSALS = 4
MIN_HITS_AT_3 = 30


def cited(answer) -> list[tuple[str, int]]:
    return [(c.meeting_date.isoformat(), c.punkt) for c in answer.citations]


def test_the_heldout_set_is_what_it_says(corpus):
    assert len(POSITIVES) + len(MEETINGS) >= 30 and len(NEGATIVES) >= 15
    assert len({q["id"] for q in QUESTIONS}) == len(QUESTIONS)
    for q in POSITIVES:
        text = punkt_document(corpus.punkt(q["meeting_date"], q["punkt"])).lower()
        assert any(p.lower() in text for p in q["expected_phrases"]), q["id"]
    assert set(COMPOUNDS) <= {q["id"] for q in POSITIVES}


def test_off_topic_questions_answered_at_most(ask):
    answered = [q["id"] for q in NEGATIVES if ask(q["question"]).answered]
    assert len(answered) <= MAX_FALSE_ANSWERS, answered


def test_answerable_questions_refused_at_most(ask):
    refused = [q["id"] for q in POSITIVES + MEETINGS if not ask(q["question"]).answered]
    assert len(refused) <= MAX_WRONG_REFUSALS, refused


def test_answerable_questions_find_their_punkt(ask):
    hits = [q["id"] for q in POSITIVES
            if (q["meeting_date"], q["punkt"]) in cited(ask(q["question"]))[:3]]
    assert len(hits) >= MIN_HITS_AT_3, sorted({q["id"] for q in POSITIVES} - set(hits))
    for q in MEETINGS:
        answer = ask(q["question"])
        assert answer.meeting and answer.meeting.meeting_date.isoformat() == q["meeting_date"]


@pytest.mark.parametrize("q", [q for q in POSITIVES if q["id"] in COMPOUNDS],
                         ids=lambda q: f'{q["id"]} {COMPOUNDS[q["id"]]}')
def test_a_compound_written_otherwise_is_still_answered(ask, q):
    answer = ask(q["question"])
    assert answer.answered, answer.answer
    assert (q["meeting_date"], q["punkt"]) in cited(answer)[:3], cited(answer)


@pytest.mark.parametrize("q", NEGATIVES, ids=lambda q: q["id"])
def test_no_off_topic_compound_is_held_by_its_parts_alone(corpus, q):
    """A question compound the minutes never write is held, in the punkt ranked first,
    at most by the share of its parts found there: never as the whole word."""
    lexical = corpus.index.lexical
    ranked = corpus.answerer.searcher.rank(understand(q["question"]))
    if not ranked:
        return
    top = corpus.index.position[ranked[0].ref.key]
    for term in understand(q["question"]).terms:
        if lexical.parts(term) and lexical.weight(term) == pytest.approx(lexical.unseen):
            assert lexical.credit(term, top) < lexical.weight(term), term
