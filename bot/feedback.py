"""👍/👎 on answers, kept for later analysis of what the bot gets wrong.

One row per vote: the question, the punkter the answer cited (JSON list of
`{"date": "2024-04-24", "punkt": 7}`), the vote and when. No user ids are stored.
Kept in the catalog's database (ingest/db.py), next to the subscriptions.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from ingest.db import Database

VOTES = ("up", "down")
SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    question TEXT NOT NULL,
    punkter TEXT NOT NULL DEFAULT '[]',
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    created_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Vote:
    question: str
    #: (meeting date as 2024-04-24, punkt number), best cited first
    punkter: tuple[tuple[str, int], ...]
    vote: str
    created_at: dt.datetime


class Feedback:
    """The feedback table, in the catalog's database, which it creates and alone writes.
    Calls block (a database call): run them in a thread from async code."""

    def __init__(self, db: Database):
        self.db = db
        with db.transaction():
            db.create(SCHEMA)

    def record(self, question: str, punkter: list[tuple[str, int]], vote: str) -> None:
        if vote not in VOTES:
            raise ValueError(f"a vote is 'up' or 'down', not '{vote}'")
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        cited = [{"date": day, "punkt": number} for day, number in punkter]
        with self.db.transaction() as db:
            db.execute(
                "INSERT INTO feedback (question, punkter, vote, created_at) VALUES (?,?,?,?)",
                (question, json.dumps(cited, ensure_ascii=False), vote, now))

    def votes(self) -> list[Vote]:
        """Every vote, oldest first."""
        with self.db.transaction() as db:
            rows = db.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        return [Vote(r["question"],
                     tuple((p["date"], p["punkt"]) for p in json.loads(r["punkter"])),
                     r["vote"], dt.datetime.fromisoformat(r["created_at"])) for r in rows]
