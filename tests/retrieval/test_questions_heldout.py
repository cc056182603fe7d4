"""The 180 questions written for the answers issue (fixtures/questions_tuning.jsonl and
fixtures/questions_heldout.jsonl): written from the five referater alone, split once,
stratified by kind and language, before any code was changed; the held-out half was
never tuned on. Checked here: the files are what they say, and the figures reached on
each (measured with `referatbot eval`) do not drift down. The issue's aims (hit@1 0.92,
hit@3 0.97, snippet 0.88, off-topic answered 1 in 10, answerable refused 1 in 25) are
not all reached; the closing note of the issue gives the figures."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.evaluate import Report, score_answer

from question_files import CLOSED, FIXTURES, load_jsonl

ROOT = Path(__file__).resolve().parents[2]
TUNING = load_jsonl("questions_tuning.jsonl")
HELDOUT = load_jsonl("questions_heldout.jsonl")
#: reached on the held-out file by the fitted verdict (retrieval/verdict.py) with the
#: support floor (Tuning.min_support): hit@1 55/62, hit@3 56/62, snippet 45/62 (43 before
#: a quote took a second place), meetings 7/7, off-topic refused (confidence low or none)
#: 15/21, answerable answered 63/69 (an unsure reply is not an answer); the hand-set rule
#: before it refused 14/21 off-topic
HELDOUT_AT_LEAST = {"hit@1": 0.88, "hit@3": 0.90, "snippet": 0.72, "meeting": 1.0,
                    "negative": 0.71, "answered": 0.91, "closed": 1.0}
#: reached on the tuning file: hit@1 51/63, hit@3 52/63, snippet 51/63, meetings 6/7,
#: off-topic refused 14/20, answerable answered 59/70
TUNING_AT_LEAST = {"hit@1": 0.80, "hit@3": 0.82, "snippet": 0.80, "meeting": 0.85,
                   "negative": 0.70, "answered": 0.84, "closed": 1.0}


def test_the_files_are_checked_split_and_of_every_kind():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_questions.py"),
                             str(FIXTURES / "questions_tuning.jsonl"),
                             str(FIXTURES / "questions_heldout.jsonl"),
                             str(FIXTURES / "questions_verdict.jsonl")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["questions"] >= 150 and summary["kinds"]["negative"] >= 40
    assert summary["langs"]["en"] >= 25
    assert not {q["id"] for q in TUNING} & {q["id"] for q in HELDOUT}
    assert not {q["question"] for q in TUNING} & {q["question"] for q in HELDOUT}
    new = load_jsonl("questions_verdict.jsonl")
    assert not {q["question"] for q in new} & {q["question"] for q in TUNING + HELDOUT}
    for kind in ("decision", "fact", "paraphrase", "date", "meeting", "negative"):
        assert any(q["kind"] == kind for q in HELDOUT), kind


@pytest.mark.parametrize("questions, floor", [(HELDOUT, HELDOUT_AT_LEAST), (TUNING, TUNING_AT_LEAST)],
                         ids=["heldout", "tuning"])
def test_the_figures_reached_hold(ask, questions, floor):
    report = Report()
    closed = {("Chefforum", CLOSED[0].isoformat(), CLOSED[1])}
    for q in questions:
        score_answer(q, ask(q["question"]).to_json(), report, closed)
    got = {m: report["all"].rate(m) for m in floor}
    assert all(got[m] >= floor[m] for m in floor), got
