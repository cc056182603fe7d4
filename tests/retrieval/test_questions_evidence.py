"""The 80 questions of fixtures/questions_evidence.jsonl, written for the verdict of the
answers issue by a writer who saw no code: 40 answerable, 40 negatives of the hard kind
(facts a punkt does not state, topics next to the minutes' own, a few off-topic), split
once by alternation within language and kind before anything was run on them. They are
not yet fitted on (retrieval/data/verdict.json names its files). Checked here: the file is
what it says, and the figures first measured on each part do not drift down; the closing
note of the issue gives them beside plain BM25 and plain dense."""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from retrieval.evaluate import Report, score_answer

from question_files import CLOSED, FIXTURES, load_jsonl

ROOT = Path(__file__).resolve().parents[2]
NAME = "questions_evidence.jsonl"
QUESTIONS = load_jsonl(NAME)
#: first measured on the held-out part: hit@1 16/20, snippet 11/20, off-topic refused
#: 7/19 (12 of the 19 answered with confidence), answerable answered 16/20
HELDOUT_AT_LEAST = {"hit@1": 0.8, "snippet": 0.55, "negative": 0.36, "answered": 0.8,
                    "closed": 1.0}
#: first measured on the tuning part: hit@1 16/20 to 17/20 between runs (the order of
#: equal scores), snippet 12/20, off-topic refused 10/21 (11 confident), answered 18/20
TUNING_AT_LEAST = {"hit@1": 0.8, "snippet": 0.6, "negative": 0.47, "answered": 0.85,
                   "closed": 1.0}


def test_the_file_is_checked_new_and_split_within_language_and_kind():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_questions.py"),
                             str(FIXTURES / NAME)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["questions"] == 80
    older = {q["question"].lower() for f in FIXTURES.glob("*.jsonl") if f.name != NAME
             for q in load_jsonl(f.name)}
    assert not {q["question"].lower() for q in QUESTIONS} & older
    groups = Counter((q["kind"] == "negative", q["lang"], q["split"]) for q in QUESTIONS)
    for negative in (False, True):
        for lang in ("da", "en"):
            tuning, heldout = groups[negative, lang, "tuning"], groups[negative, lang, "heldout"]
            assert abs(tuning - heldout) <= 1, (negative, lang, tuning, heldout)


@pytest.mark.parametrize("split, floor", [("heldout", HELDOUT_AT_LEAST),
                                          ("tuning", TUNING_AT_LEAST)])
def test_the_figures_first_measured_hold(ask, split, floor):
    report = Report()
    closed = {("Chefforum", CLOSED[0].isoformat(), CLOSED[1])}
    for q in QUESTIONS:
        if q["split"] == split:
            score_answer(q, ask(q["question"]).to_json(), report, closed)
    got = {m: report["all"].rate(m) for m in floor}
    assert all(got[m] >= floor[m] for m in floor), got
