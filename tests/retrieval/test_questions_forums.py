"""The 48 forum questions (fixtures/questions_forums_*.jsonl) over the catalog of three
forums: written from the minutes alone by an engineer who had not read the code, split
once before any change (random.Random(2026), by kind and language). A question carries
the forum its answer comes from, so a citation of another forum's punkt of the same date
and number is a miss. Checked here: the files are what they say, and the figures reached
(`referatbot eval`, after the forum-name fixes of issue 25) do not drift down."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from question_files import FIXTURES, load_jsonl
from retrieval.evaluate import Report, score_answer

ROOT = Path(__file__).resolve().parents[2]
FORUMS = ROOT / "tests" / "fixtures" / "forums"
TUNING = load_jsonl("questions_forums_tuning.jsonl")
HELDOUT = load_jsonl("questions_forums_heldout.jsonl")
#: reached on the held-out part: hit@1 14/18, hit@3 15/18, snippet 13/18 (9/18 before a
#: quote took a second place), meetings 1/1,
#: off-topic refused 2/4, answerable answered 16/19; no question answered from a forum
#: other than the one it named
HELDOUT_AT_LEAST = {"hit@1": 0.77, "hit@3": 0.83, "snippet": 0.72, "meeting": 1.0,
                    "negative": 0.5, "answered": 0.84, "closed": 1.0}
#: reached on the tuning part: hit@1 16/20, hit@3 16/20, snippet 17/20, meetings 1/1,
#: off-topic refused 3/4, answerable answered 17/21
TUNING_AT_LEAST = {"hit@1": 0.8, "hit@3": 0.8, "snippet": 0.85, "meeting": 1.0,
                   "negative": 0.75, "answered": 0.8, "closed": 1.0}


def test_the_files_are_checked_and_split():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_questions.py"), "--minutes",
         *map(str, sorted(FORUMS.glob("*.txt")) + sorted(FORUMS.glob("*.html"))), "--",
         str(FIXTURES / "questions_forums_tuning.jsonl"),
         str(FIXTURES / "questions_forums_heldout.jsonl")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["questions"] == 48
    assert {q["split"] for q in TUNING} == {"tuning"} and {q["split"] for q in HELDOUT} == {
        "heldout"}
    assert not {q["question"] for q in TUNING} & {q["question"] for q in HELDOUT}
    forums = {q.get("forum") for q in HELDOUT}
    assert {"Chefforum", "Teknik- og Miljøudvalget", "Kommunalbestyrelsen"} <= forums


def test_the_script_writes_the_files_the_figures_are_measured_on(tmp_path):
    """scripts/forum_files.py: the committee's and the council's files as the tests read
    them, for `referatbot ingest` and `eval` by hand (the note's figures)."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "forum_files.py"),
                             str(tmp_path / "out")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    paths = [Path(line) for line in result.stdout.splitlines()]
    assert sorted(p.suffix for p in paths) == [".docx", ".html", ".pdf"]
    assert all(p.is_file() and p.stat().st_size > 1000 for p in paths)


@pytest.mark.parametrize("questions, floor", [(HELDOUT, HELDOUT_AT_LEAST), (TUNING, TUNING_AT_LEAST)],
                         ids=["heldout", "tuning"])
def test_the_figures_reached_hold(three_forums, questions, floor):
    closed = {(m.forum, m.meeting_date.isoformat(), p.number)
              for m in three_forums.catalog.iter_meetings() for p in m.punkter if p.closed}
    assert len(closed) == 4
    report = Report()
    for q in questions:
        score_answer(q, three_forums.ask(q["question"]).to_json(), report, closed)
    reached = {metric: report["all"].rate(metric) for metric in floor}
    assert all(reached[m] >= floor[m] for m in floor), reached
