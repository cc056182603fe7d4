"""The answering walk (retrieval/answer.py): four stages, each a function of the one
before's frozen output, visited once each and in order; every weight and threshold in one
Tuning; a verdict fitted on the tuning questions, whose "unsure" still quotes the nearest
punkt; and answers that lead with what was asked, and where."""
from __future__ import annotations

import ast
import dataclasses
import json
import sys
from pathlib import Path

import pytest

from retrieval import tuning as tuning_module
from retrieval.quote import quote
from retrieval.tuning import TUNING, VERDICT_FILE, VerdictModel
from retrieval.verdict import Outcome, Reason, decide

from question_files import FIXTURES

STAGES = ("query.py", "retrieve.py", "verdict.py", "quote.py")


def stage_visits(walk) -> list[str]:
    """The stage modules whose module-level functions ran, in order, each run of calls
    into the same module counted once."""
    seen: list[str] = []

    def profile(frame, event, arg):
        code = frame.f_code
        name = Path(code.co_filename).name
        if event == "call" and name in STAGES and "." not in code.co_qualname \
                and (not seen or seen[-1] != name):
            seen.append(name)

    sys.setprofile(profile)
    try:
        walk()
    finally:
        sys.setprofile(None)
    return seen


@pytest.mark.parametrize("question", [
    "hvad besluttede CF om telefontider?",
    "hvad var på dagsordenen den 2. september 2021?",
    # a date that names no meeting: searched as part of the topic, in the same visit
    "hvad blev besluttet om borgermødet 3. maj 2023?",
    "mødet hvor både GDPR og ledelsesgrundlag blev behandlet",
    "hvornår skal svømmehallen renoveres?",
])
def test_a_question_visits_each_stage_once_in_order(corpus, question):
    assert stage_visits(lambda: corpus.answerer.walk(question)) == list(STAGES)


def test_each_stage_gives_a_frozen_value_and_the_last_two_are_pure(corpus):
    walk = corpus.answerer.walk("hvad besluttede CF om telefontider?")
    for value in (walk.query, walk.candidates, walk.verdict, walk.answer):
        with pytest.raises(dataclasses.FrozenInstanceError):
            value.question = "x"
    assert decide(walk.candidates) == walk.verdict
    assert quote(walk.verdict) == walk.answer


def test_every_weight_and_threshold_is_in_tuning_with_a_line_on_what_it_does():
    """Each field of Tuning has a `#:` comment right above it."""
    source = Path(tuning_module.__file__).read_text(encoding="utf-8")
    lines = source.splitlines()
    cls = next(n for n in ast.parse(source).body if isinstance(n, ast.ClassDef)
               and n.name == "Tuning")
    fields = [n for n in cls.body if isinstance(n, ast.AnnAssign)]
    assert len(fields) >= 25
    for f in fields:
        assert lines[f.lineno - 2].strip().startswith("#:"), f.target.id


def test_the_verdict_is_data_fitted_on_tuning_questions_only():
    data = json.loads(VERDICT_FILE.read_text(encoding="utf-8"))
    assert "questions_heldout" not in data["about"] and "heldout_questions" not in data["about"]
    model = VerdictModel.load()
    for name in ("hybrid", "lexical"):
        fitted = getattr(model, name)
        assert set(fitted.coefficients) == set(data[name]["features"])
        assert 0.0 <= fitted.low <= fitted.high <= 1.0
        assert data[name]["leave_one_out"]["auc"] > 0.5
    assert TUNING.verdict == model


def test_the_features_the_verdict_weighs_are_named_in_its_data(corpus):
    verdict = corpus.answerer.walk("hvad besluttede CF om telefontider?").verdict
    assert set(TUNING.verdict.hybrid.coefficients) <= dict(verdict.features).keys()
    assert 0.0 <= verdict.probability <= 1.0
    assert verdict.outcome == Outcome.ANSWER and verdict.confidence == "high"


def test_unsure_says_so_and_quotes_the_nearest_punkts_best_sentence(corpus):
    """Between an answer and nothing: answered false, the nearest punkter suggested, and
    the text quoting the first one's best sentence (thresholds set here so that the
    verdict lands between them whatever the fitted ones are)."""
    walk = corpus.answerer.walk("hvad koster det at implementere Frames?")
    hybrid = dataclasses.replace(TUNING.verdict.hybrid, high=1.0, low=0.0)
    between = dataclasses.replace(TUNING, verdict=dataclasses.replace(TUNING.verdict,
                                                                      hybrid=hybrid))
    verdict = decide(walk.candidates, between)
    answer = quote(verdict, between)
    payload = answer.to_json()
    assert verdict.outcome == Outcome.UNSURE and verdict.reason == Reason.FACT_MISSING
    assert payload["answered"] is False and payload["confidence"] == "low"
    assert payload["citations"] == []
    assert (payload["suggestions"][0]["meeting_date"], payload["suggestions"][0]["punkt"]) \
        == ("2024-04-24", 2)
    best = walk.candidates.punkter[0].evidence.best
    assert answer.answer == ("Jeg er ikke sikker på, at referaterne svarer på det. Punktet om "
                             "emnet nævner ikke noget beløb. Nærmest er Chefforum 24.04.2024, "
                             f"punkt 2: «{best.text}»")


def test_a_confident_answer_needs_the_support_floor_too(corpus):
    """The fitted probability alone does not give confidence: a punkt must also hold
    `min_support` (its coverage plus the dense margin). Raised above the first punkt's
    support, the same candidates are answered unsure, the punkt still quoted."""
    walk = corpus.answerer.walk("hvad besluttede CF om telefontider?")
    assert walk.verdict.outcome == Outcome.ANSWER
    named = dict(walk.verdict.features)
    floor = dataclasses.replace(TUNING, min_support=named["coverage"] + named["median"] + 0.01)
    verdict = decide(walk.candidates, floor)
    assert (verdict.outcome, verdict.reason) == (Outcome.UNSURE, Reason.UNSURE)
    assert verdict.chosen[0] == walk.verdict.chosen[0]


def test_a_danish_question_of_words_the_minutes_never_write_finds_nothing(ask):
    answer = ask("hvad besluttede CF om xyzzyplugh quuxfrobnitz?")
    assert (answer.answered, answer.confidence, answer.note) == (False, "none", "nothing")
    assert answer.answer == "Jeg fandt intet i referaterne om det." and answer.suggestions


@pytest.mark.parametrize("question, confidence", [
    ("hvad besluttede CF om telefontider?", "high"),
    ("hvad var på dagsordenen den 2. september 2021?", "high"),
    ("hvornår er næste møde?", "none"),
    ("hvad besluttede CF?", "none"),
    ("   ", "none"),
])
def test_every_answer_says_its_confidence(ask, question, confidence):
    payload = ask(question).to_json()
    assert list(payload)[-1] == "confidence" and payload["confidence"] == confidence


@pytest.mark.parametrize("question, lead", [
    ("hvad besluttede CF om telefontider?", "Chefforum besluttede 24. april 2024 (punkt 7): «"),
    ("what did CF decide about the climate campaign?",
     "Chefforum decided on 24 April 2024 (item 5): «"),
    ("hvornår træder den nye SKI-aftale 50.48 i kraft", "14. marts 2019, Chefforum (punkt 6): «"),
    ("hvad koster Umbraco modulet til automatiske annoncer?",
     "2.000 kr. – Chefforum 24. april 2024 (punkt 8): «"),
])
def test_an_answer_leads_with_what_was_asked_and_where(ask, question, lead):
    answer = ask(question)
    assert answer.answered, answer.answer
    assert answer.answer.startswith(lead)
    assert answer.answer.endswith(f"«{answer.citations[0].snippet}»")


def test_the_new_questions_are_split_once_into_tuning_and_heldout():
    questions = [json.loads(line) for line in
                 (FIXTURES / "questions_verdict.jsonl").read_text(encoding="utf-8").splitlines()]
    parts = {q["split"] for q in questions}
    assert parts == {"tuning", "heldout"}
    for kind in ("negative", "paraphrase", "fact"):
        for part in parts:
            assert any(q["kind"] == kind and q["split"] == part for q in questions), (kind, part)
