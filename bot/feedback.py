"""👍/👎 on answers, kept for later analysis of what the bot gets wrong.

Two ways in. The chat page's card buttons carry the question and the cited punkter
(`record`). Teams' own feedback loop sends only the reaction, what the user wrote and the
id of the answer's message (`message/submitAction`), so each answer to rate is
remembered as it is sent (`remember`): its question and cited punkter under a key hashed
from the conversation and the message id (neither is kept), for KEEP_DAYS; Teams'
feedback then finds them (`react`).

One row per vote: the question, the punkter the answer cited (JSON list of
`{"date": "2024-04-24", "punkt": 7}`), the vote, what the user wrote, the answer's
message id (Teams only) and when. A feedback activity is one vote however often it is
sent: its own id, hashed with the conversation's (`vote_key`), is unique. No user ids
are stored. Kept in the catalog's database (ingest/db.py), next to the subscriptions.

Feedback Teams cannot tie to an answer (the Agents Playground sends no `replyToId`) is
stored without its question: the vote still counts.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import dataclass

from ingest.db import Database

VOTES = ("up", "down")
#: Teams' reactions, as votes.
REACTIONS = {"like": "up", "dislike": "down"}
#: Days an answer is remembered for Teams' feedback on it.
KEEP_DAYS = 30
MAX_COMMENT_CHARS = 2000


@dataclass(frozen=True)
class Vote:
    question: str
    #: (meeting date as 2024-04-24, punkt number), best cited first
    punkter: tuple[tuple[str, int], ...]
    vote: str
    created_at: dt.datetime
    comment: str = ""
    #: the answer's message in Teams; empty for the chat page's buttons
    activity_id: str = ""


@dataclass(frozen=True)
class Reaction:
    """Teams' feedback on an answer: the vote and what the user wrote in Teams' form."""

    vote: str
    comment: str = ""


def parse_reaction(value) -> Reaction | None:
    """The `value` of a `message/submitAction` invoke, which Teams sends as
    `{"actionName": "feedback", "actionValue": {"reaction": "like", "feedback":
    "{\\"feedbackText\\": \\"...\\"}"}}`; None for anything else."""
    if not isinstance(value, dict) or value.get("actionName") != "feedback":
        return None
    action = value.get("actionValue")
    if not isinstance(action, dict) or action.get("reaction") not in REACTIONS:
        return None
    return Reaction(REACTIONS[action["reaction"]],
                    _feedback_text(action.get("feedback"))[:MAX_COMMENT_CHARS])


def _feedback_text(raw) -> str:
    """Teams' form sends its text as a JSON string; other clients send the object, or
    the text alone."""
    if isinstance(raw, str):
        try:
            parsed = json.loads(raw)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
            return raw.strip()
        raw = parsed if isinstance(parsed, (dict, str)) else raw
    if isinstance(raw, dict):
        raw = raw.get("feedbackText", "")
    return raw.strip() if isinstance(raw, str) else ""


class Feedback:
    """The feedback tables, in the catalog's database, which it alone writes (ingest/schema.py
    makes them).
    Calls block (a database call): run them in a thread from async code."""

    def __init__(self, db: Database):
        self.db = db

    def record(self, question: str, punkter: list[tuple[str, int]], vote: str, *,
               comment: str = "", activity_id: str = "", vote_key: str = "") -> None:
        """Store a vote; one already stored under `vote_key` (when given) is kept instead."""
        if vote not in VOTES:
            raise ValueError(f"a vote is 'up' or 'down', not '{vote}'")
        with self.db.transaction() as db:
            db.execute(
                "INSERT INTO feedback (question, punkter, vote, created_at, comment, activity_id, "
                "vote_key) VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                (question, _punkter_json(punkter), vote, _now().isoformat(timespec="seconds"),
                 comment, activity_id, vote_key))

    def remember(self, conversation_id: str, activity_ids: list[str], question: str,
                 punkter: list[tuple[str, int]], *, now: dt.datetime | None = None) -> None:
        """An answer to rate was sent `now` as `activity_ids` (its message, and the stream
        it ended): keep its question and punkter for Teams' feedback, and forget answers
        older than KEEP_DAYS."""
        now = now or _now()
        with self.db.transaction() as db:
            for activity_id in dict.fromkeys(i for i in activity_ids if i):
                db.upsert("sent_answers", "answer_key", {
                    "answer_key": answer_key(conversation_id, activity_id), "question": question,
                    "punkter": _punkter_json(punkter), "sent_at": now.isoformat(timespec="seconds")})
            db.execute("DELETE FROM sent_answers WHERE sent_at < ?",
                       ((now - dt.timedelta(days=KEEP_DAYS)).isoformat(timespec="seconds"),))

    def react(self, conversation_id: str, activity_id: str, reaction: Reaction, *,
              invoke_id: str = "") -> bool:
        """Store Teams' feedback, sent as the activity `invoke_id`, on the answer sent as
        `activity_id` in `conversation_id` (empty: an answer it cannot tie the feedback
        to), with its question and punkter if it is remembered (else without: the vote
        still counts). Returns whether it was."""
        row = None
        if activity_id:
            with self.db.transaction() as db:
                row = db.execute("SELECT question, punkter FROM sent_answers WHERE answer_key=?",
                                 (answer_key(conversation_id, activity_id),)).fetchone()
        question, punkter = (row["question"], _punkter(row["punkter"])) if row else ("", [])
        self.record(question, punkter, reaction.vote, comment=reaction.comment,
                    activity_id=activity_id,
                    vote_key=answer_key(conversation_id, invoke_id) if invoke_id else "")
        return row is not None

    def votes(self) -> list[Vote]:
        """Every vote, oldest first."""
        with self.db.transaction() as db:
            rows = db.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        return [Vote(r["question"], tuple(_punkter(r["punkter"])), r["vote"],
                     dt.datetime.fromisoformat(r["created_at"]), r["comment"], r["activity_id"])
                for r in rows]


def answer_key(conversation_id: str, activity_id: str) -> str:
    """What an answer (or a feedback activity) is remembered by: a hash, so no
    conversation id is kept. A channel thread counts as its channel (Teams writes
    `;messageid=` after it in some activities and not others)."""
    channel = conversation_id.split(";messageid=")[0]
    return hashlib.sha256(f"{channel}\n{activity_id}".encode()).hexdigest()


def summary(votes: list[Vote]) -> dict:
    """The votes per punkt (the answer's first source, the punkt it was taken from), per
    ISO week, and what people wrote, newest first: for `referatbot feedback`."""
    per_punkt: dict[tuple[str, int], Counter] = {}
    per_week: dict[str, Counter] = {}
    for v in votes:
        if v.punkter:
            per_punkt.setdefault(v.punkter[0], Counter())[v.vote] += 1
        year, week, _ = v.created_at.isocalendar()
        per_week.setdefault(f"{year}-W{week:02d}", Counter())[v.vote] += 1
    counts = Counter(v.vote for v in votes)
    return {
        "votes": len(votes), "up": counts["up"], "down": counts["down"],
        "punkter": [{"meeting_date": day, "punkt": n, "up": c["up"], "down": c["down"]}
                    for (day, n), c in sorted(per_punkt.items(),
                                              key=lambda kv: (-kv[1]["down"], -kv[1]["up"], kv[0]))],
        "weeks": [{"week": w, "up": c["up"], "down": c["down"]} for w, c in sorted(per_week.items())],
        "comments": [{"created_at": v.created_at.isoformat(), "vote": v.vote,
                      "question": v.question, "comment": v.comment}
                     for v in reversed(votes) if v.comment],
    }


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _punkter_json(punkter: list[tuple[str, int]]) -> str:
    return json.dumps([{"date": day, "punkt": number} for day, number in punkter],
                      ensure_ascii=False)


def _punkter(text: str) -> list[tuple[str, int]]:
    return [(p["date"], p["punkt"]) for p in json.loads(text)]
