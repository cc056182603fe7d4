"""The index's vectors of a punkt's parts, kept in the catalog's database beside the
ledger, one row per punkt: its sentences' vectors (`SentenceVectors`, each with the text
hash it was made from, by the sentence's place in `sentences(punkt)`,
retrieval/sentences.py) and its chunks' (`ChunkVectors`, by chunk id), as float32 rows.

Why not (only) Chroma: these vectors are read by punkt, and Chroma serves a read by id
badly. A sentence vector is never searched, and reading one from a Chroma collection
loaded the collection's whole HNSW index (550 MB at 1,000 meetings, a quarter of a million
sentences). A chunk vector is searched, so Chroma holds it too, but a question also reads
the chunks of its best lexical candidates by id, which cost Chroma 12 ms a read at 1,000
meetings, the second cost of a question after its embedding. Here a question reads the
rows of the few punkter it weighs. A meeting's rows are replaced in one transaction, so
they are never half written; the ledger still marks the meeting indexed only after.
"""
from __future__ import annotations

import datetime as dt
import json

import numpy as np

from ingest.db import Database

#: How the vectors are stored: little-endian float32.
DTYPE = np.dtype("<f4")


class PunktVectors:
    """Read and write one table of the kind (made by ingest/schema.py): per punkt, its
    vectors and a key for each (`KEY`, a JSON list). Safe to share between threads, as the
    Database is."""

    TABLE = ""
    KEY = ""

    def __init__(self, db: Database):
        self.db = db

    def of_punkt(self, forum: str, day: dt.date, number: int
                 ) -> tuple[tuple[str, ...], np.ndarray] | None:
        """The punkt's keys and vectors (a row each), if indexed."""
        with self.db.lock:
            row = self.db.execute(f"SELECT {self.KEY}, vectors FROM {self.TABLE} WHERE "
                                  "forum=? AND meeting_date=? AND punkt=?",
                                  (forum, day.isoformat(), number)).fetchone()
        return self._decoded(row) if row else None

    def of_meeting(self, forum: str, day: dt.date) -> dict[str, np.ndarray]:
        """Key -> vector of every part of the meeting's punkter."""
        with self.db.lock:
            rows = self.db.execute(f"SELECT {self.KEY}, vectors FROM {self.TABLE} WHERE "
                                   "forum=? AND meeting_date=?",
                                   (forum, day.isoformat())).fetchall()
        out: dict[str, np.ndarray] = {}
        for row in rows:
            keys, vectors = self._decoded(row)
            out.update(zip(keys, vectors))
        return out

    def replace(self, forum: str, day: dt.date,
                punkter: dict[int, tuple[list[str], np.ndarray]]) -> None:
        """Make the meeting's rows exactly `punkter`: number -> (keys, vectors)."""
        with self.db.transaction() as db:
            db.execute(f"DELETE FROM {self.TABLE} WHERE forum=? AND meeting_date=?",
                       (forum, day.isoformat()))
            for number, (keys, vectors) in punkter.items():
                db.execute(f"INSERT INTO {self.TABLE} (forum, meeting_date, punkt, {self.KEY}, "
                           "vectors) VALUES (?, ?, ?, ?, ?)",
                           (forum, day.isoformat(), number, json.dumps(keys),
                            np.ascontiguousarray(vectors, dtype=DTYPE).tobytes()))

    def clear(self) -> None:
        """The index was emptied (a rebuild)."""
        with self.db.transaction() as db:
            db.execute(f"DELETE FROM {self.TABLE}")

    def count(self) -> int:
        """Vectors stored, of every punkt (reads every row: for checks and tests)."""
        with self.db.lock:
            rows = self.db.execute(f"SELECT {self.KEY} FROM {self.TABLE}").fetchall()
        return sum(len(json.loads(r[self.KEY])) for r in rows)

    def _decoded(self, row) -> tuple[tuple[str, ...], np.ndarray]:
        keys = tuple(json.loads(row[self.KEY]))
        vectors = np.frombuffer(bytes(row["vectors"]), dtype=DTYPE).reshape(len(keys), -1)
        return keys, vectors


class SentenceVectors(PunktVectors):
    """Each sentence's vector, keyed by the hash of the text it was made from."""

    TABLE = "sentence_vectors"
    KEY = "hashes"


class ChunkVectors(PunktVectors):
    """Each chunk's vector (as Chroma holds it), keyed by its chunk id."""

    TABLE = "chunk_vectors"
    KEY = "ids"
