"""The index's sentence vectors, kept in the catalog's database beside the ledger, one row
per punkt: the text hash each vector was made from, by the sentence's place in
`sentences(punkt)` (retrieval/sentences.py), and the vectors as float32 rows.

Why not Chroma: a sentence vector is read by its punkt and never searched, and reading one
from a Chroma collection loads the collection's whole HNSW index (550 MB at 1,000
meetings, a quarter of a million sentences). Here a question reads the rows of the few
punkter it weighs. A meeting's rows are replaced in one transaction, so they are never
half written; the ledger still marks the meeting indexed only after.
"""
from __future__ import annotations

import datetime as dt
import json

import numpy as np

from ingest.db import Database

TABLE = "sentence_vectors"
#: How the vectors are stored: little-endian float32.
DTYPE = np.dtype("<f4")


class SentenceVectors:
    """Read and write the table (made by ingest/schema.py). Safe to share between threads,
    as the Database is."""

    def __init__(self, db: Database):
        self.db = db

    def of_punkt(self, forum: str, day: dt.date, number: int
                 ) -> tuple[tuple[str, ...], np.ndarray] | None:
        """The punkt's sentences' text hashes and vectors (a row each), if indexed."""
        with self.db.lock:
            row = self.db.execute(f"SELECT hashes, vectors FROM {TABLE} WHERE forum=? AND "
                                  "meeting_date=? AND punkt=?",
                                  (forum, day.isoformat(), number)).fetchone()
        return _decoded(row) if row else None

    def of_meeting(self, forum: str, day: dt.date) -> dict[str, np.ndarray]:
        """Text hash -> vector of every sentence of the meeting, for reuse when it is
        indexed again."""
        with self.db.lock:
            rows = self.db.execute(f"SELECT hashes, vectors FROM {TABLE} WHERE forum=? AND "
                                   "meeting_date=?", (forum, day.isoformat())).fetchall()
        out: dict[str, np.ndarray] = {}
        for row in rows:
            hashes, vectors = _decoded(row)
            out.update(zip(hashes, vectors))
        return out

    def replace(self, forum: str, day: dt.date,
                punkter: dict[int, tuple[list[str], np.ndarray]]) -> None:
        """Make the meeting's rows exactly `punkter`: number -> (text hashes, vectors)."""
        with self.db.transaction() as db:
            db.execute(f"DELETE FROM {TABLE} WHERE forum=? AND meeting_date=?",
                       (forum, day.isoformat()))
            for number, (hashes, vectors) in punkter.items():
                db.execute(f"INSERT INTO {TABLE} (forum, meeting_date, punkt, hashes, vectors) "
                           "VALUES (?, ?, ?, ?, ?)",
                           (forum, day.isoformat(), number, json.dumps(hashes),
                            np.ascontiguousarray(vectors, dtype=DTYPE).tobytes()))

    def clear(self) -> None:
        """The index was emptied (a rebuild)."""
        with self.db.transaction() as db:
            db.execute(f"DELETE FROM {TABLE}")

    def count(self) -> int:
        """Sentence vectors stored, of every punkt (reads every row: for checks and tests)."""
        with self.db.lock:
            rows = self.db.execute(f"SELECT hashes FROM {TABLE}").fetchall()
        return sum(len(json.loads(r["hashes"])) for r in rows)


def _decoded(row) -> tuple[tuple[str, ...], np.ndarray]:
    hashes = tuple(json.loads(row["hashes"]))
    vectors = np.frombuffer(bytes(row["vectors"]), dtype=DTYPE).reshape(len(hashes), -1)
    return hashes, vectors
