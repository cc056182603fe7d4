"""The feedback tables: Teams' reactions read as votes, answers remembered for a while so
Teams' feedback finds their question and punkter, and `referatbot feedback` summarising
it all per punkt and per week."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.feedback import KEEP_DAYS, Feedback, Reaction, Vote, parse_reaction, summary
from bot.settings import Settings
from ingest.catalog import Catalog
from ingest.pipeline import ingest_paths

pytestmark = pytest.mark.both_catalogs


@pytest.mark.parametrize("feedback, comment", [
    (json.dumps({"feedbackText": "Mangler datoen"}), "Mangler datoen"),  # Teams' form
    ({"feedbackText": "  Godt  "}, "Godt"),  # the object itself
    ("bare tekst", "bare tekst"),
    (json.dumps("en streng"), "en streng"),
    (json.dumps(42), "42"),
    (None, ""),
    (["liste"], ""),
    (json.dumps({"other": "x"}), ""),
])
def test_what_the_user_wrote_is_read_from_any_shape(feedback, comment):
    value = {"actionName": "feedback", "actionValue": {"reaction": "dislike"}}
    if feedback is not None:
        value["actionValue"]["feedback"] = feedback
    assert parse_reaction(value) == Reaction("down", comment)


def test_a_long_comment_is_cut():
    value = {"actionName": "feedback", "actionValue": {"reaction": "like", "feedback": "x" * 5000}}
    assert parse_reaction(value) == Reaction("up", "x" * 2000)


def test_answers_are_remembered_for_teams_feedback_and_then_forgotten(catalog):
    feedback = Feedback(catalog.db)
    now = dt.datetime.now(dt.timezone.utc)
    old = now - dt.timedelta(days=KEEP_DAYS + 1)
    feedback.remember("a:chat", ["msg-old"], "gammelt spørgsmål", [("2023-03-15", 7)], now=old)
    feedback.remember("a:chat", ["stream-2", "", "stream-2"], "nyt spørgsmål",
                      [("2024-04-24", 7), ("2024-04-24", 6)], now=now)
    # the same message id in another conversation is another answer
    assert feedback.react("a:other-chat", "stream-2", Reaction("up")) is False
    assert feedback.react("a:chat", "stream-2", Reaction("down", "forkert")) is True
    assert feedback.react("a:chat", "msg-old", Reaction("up")) is False  # forgotten
    votes = feedback.votes()
    assert [(v.question, v.punkter, v.vote, v.comment, v.activity_id) for v in votes] == [
        ("", (), "up", "", "stream-2"),
        ("nyt spørgsmål", (("2024-04-24", 7), ("2024-04-24", 6)), "down", "forkert", "stream-2"),
        ("", (), "up", "", "msg-old"),
    ]
    with catalog.db.transaction() as db:
        kept = db.execute("SELECT answer_key, question FROM sent_answers").fetchall()
    assert [r["question"] for r in kept] == ["nyt spørgsmål"]
    assert "a:chat" not in kept[0]["answer_key"] and len(kept[0]["answer_key"]) == 64



def test_one_vote_per_feedback_activity(catalog):
    feedback = Feedback(catalog.db)
    for _ in range(3):
        feedback.react("a:chat", "answer-1", Reaction("down", "forkert"), invoke_id="feedback-1")
    feedback.react("a:chat", "answer-1", Reaction("up"), invoke_id="feedback-2")  # another user
    feedback.react("a:other", "answer-1", Reaction("up"), invoke_id="feedback-1")
    feedback.record("fra siden", [], "up")  # the chat page's buttons carry no activity
    feedback.record("fra siden", [], "up")
    assert [v.vote for v in feedback.votes()] == ["down", "up", "up", "up", "up"]


def test_json_nested_too_deep_to_parse_is_read_as_the_text_it_is():
    nested = "[" * 3000 + "]" * 3000
    value = {"actionName": "feedback", "actionValue": {"reaction": "like", "feedback": nested}}
    assert parse_reaction(value) == Reaction("up", nested[:2000])


def test_summary_per_punkt_and_per_week():
    def vote(day: str, answer, kind: str, comment: str = ""):
        return Vote("q", answer, kind, dt.datetime.fromisoformat(day), comment)

    telefon, sygefravaer = ("2024-04-24", 7), ("2024-04-24", 6)
    votes = [vote("2026-11-16T09:00:00+00:00", (telefon, sygefravaer), "up"),
             vote("2026-11-23T09:00:00+00:00", (telefon,), "down", "forkert dato"),
             vote("2026-11-24T09:00:00+00:00", (sygefravaer, telefon), "down"),
             vote("2026-11-25T09:00:00+00:00", (sygefravaer,), "down"),
             vote("2026-11-25T10:00:00+00:00", (), "up", "tak")]
    got = summary(votes)
    assert (got["votes"], got["up"], got["down"]) == (5, 2, 3)
    # each vote under the punkt its answer was taken from (the first source)
    assert got["punkter"] == [
        {"meeting_date": "2024-04-24", "punkt": 6, "up": 0, "down": 2},
        {"meeting_date": "2024-04-24", "punkt": 7, "up": 1, "down": 1}]
    assert got["weeks"] == [{"week": "2026-W47", "up": 1, "down": 0},
                            {"week": "2026-W48", "up": 1, "down": 3}]
    assert [c["comment"] for c in got["comments"]] == ["tak", "forkert dato"]


def test_the_feedback_command(tmp_path, samples_dir, catalog_url):
    data = tmp_path / "data"
    env = {"REFERATBOT_CATALOG_URL": catalog_url or ""}
    with Catalog(Settings(data_dir=data, catalog_url=catalog_url).catalog) as catalog:
        assert ingest_paths([samples_dir], catalog, progress=False).ok
        feedback = Feedback(catalog.db)
        feedback.record("hvad besluttede CF om telefontider?", [("2024-04-24", 7)], "up")
        feedback.record("telefontider?", [("2024-04-24", 7)], "down", comment="for lang")
    result = CliRunner().invoke(main, ["--data-dir", str(data), "feedback", "--json"], env=env)
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert got["punkter"] == [{"meeting_date": "2024-04-24", "punkt": 7, "up": 1, "down": 1,
                               "title": "Rådhusets telefontider"}]
    assert got["comments"][0]["comment"] == "for lang"
    shown = CliRunner().invoke(main, ["--data-dir", str(data), "feedback"], env=env)
    assert shown.exit_code == 0
    assert "2 vote(s): 1 up, 1 down" in shown.output
    assert "2024-04-24 punkt 7" in shown.output and "Rådhusets telefontider" in shown.output
    assert "for lang" in shown.output
