"""The search index's ledger: for each meeting, the content hash the index was last built
from, the layout it was built in, and the ids of the records Chroma may hold of it: chunks
(ingest/chunk.py's `chunk_id`), and in an index before layout 2 sentences
(retrieval/sentences.py's `sentence_id`).

It lives in the catalog's database (ingest/db.py), in a table that the index alone writes
(made by ingest/schema.py), so that the catalog and the ledger agree after a crash: a
meeting whose hash is not the catalog's is re-indexed on the next sync, and the ids
recorded before an index write (old and new together) are the ones to remove afterwards.
A meeting indexed in an older layout (before sentences were embedded, or with their vectors
in Chroma) is re-indexed too, the vectors it has taken from the store rather than embedded
again.
"""
from __future__ import annotations

import datetime as dt
import json

from ingest.catalog import Catalog
from ingest.db import Database
from ingest.model import Meeting

TABLE = "index_ledger"
#: What the index holds of a meeting: 3 is chunks in Chroma and in the catalog's database,
#: sentences in the catalog's database (retrieval/punkt_vectors.py); 2 had the chunks in
#: Chroma alone, 1 the sentences in Chroma too, 0 no sentences.
LAYOUT = 3


class IndexLedger:
    """What the search index holds, per meeting (forum, date). Safe to share between
    threads, as the Database is."""

    def __init__(self, db: Database):
        self.db = db

    def stale(self, catalog: Catalog) -> list[Meeting]:
        """The meetings of `catalog` the index lags behind (other content, or an older
        layout), oldest first."""
        indexed = self.indexed_hashes(layout=LAYOUT)
        return [catalog.meeting(dt.date.fromisoformat(day), forum)
                for (forum, day), content_hash in catalog.content_hashes().items()
                if indexed.get((forum, day)) != content_hash]

    def indexed_hashes(self, *, layout: int = 0) -> dict[tuple[str, str], str | None]:
        """(forum, ISO date) -> the content hash the index was built from, for the meetings
        indexed in `layout` or a later one."""
        with self.db.lock:
            rows = self.db.execute(f"SELECT forum, meeting_date, indexed_hash FROM {TABLE} "
                                   "WHERE layout >= ?", (layout,)).fetchall()
        return {(r["forum"], r["meeting_date"]): r["indexed_hash"] for r in rows}

    def chunk_ids(self, forum: str, day: dt.date) -> list[str]:
        """Ids of the records (chunks and sentences) that may be in the index for this
        meeting."""
        with self.db.lock:
            row = self.db.execute(f"SELECT chunk_ids FROM {TABLE} WHERE forum=? AND meeting_date=?",
                                  (forum, day.isoformat())).fetchone()
        return json.loads(row["chunk_ids"]) if row else []

    def all_chunk_ids(self) -> list[str]:
        """Every record id recorded (chunks and sentences), of every meeting."""
        with self.db.lock:
            rows = self.db.execute(f"SELECT chunk_ids FROM {TABLE}").fetchall()
        return [chunk_id for r in rows for chunk_id in json.loads(r["chunk_ids"])]

    def mark_indexing(self, forum: str, day: dt.date, chunk_ids: list[str]) -> None:
        """Before an index write: record every id that may be in the index once it has
        run (old and new together), so a crash in the middle leaves no chunk behind that
        the next run does not know to remove."""
        self._write(forum, day, chunk_ids=json.dumps(chunk_ids))

    def mark_indexed(self, forum: str, day: dt.date, content_hash: str,
                     chunk_ids: list[str]) -> None:
        """After an index write: the index holds exactly `chunk_ids` for this content, in
        the current layout."""
        self._write(forum, day, indexed_hash=content_hash, chunk_ids=json.dumps(chunk_ids),
                    layout=LAYOUT)

    def _write(self, forum: str, day: dt.date, **columns: str | int) -> None:
        with self.db.transaction() as db:
            db.upsert(TABLE, ("forum", "meeting_date"),
                      {"forum": forum, "meeting_date": day.isoformat(), **columns})

    def clear(self) -> None:
        """The index was emptied (a rebuild): it holds nothing of any meeting."""
        with self.db.transaction() as db:
            db.execute(f"DELETE FROM {TABLE}")
