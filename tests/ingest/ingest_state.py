"""What the catalog and the search index hold, in plain values the tests can compare."""
from __future__ import annotations

import datetime as dt
import json

from ingest.chunk import chunk_meeting
from retrieval.ledger import IndexLedger
from retrieval.sentences import sentence_id, sentences


def catalog_state(catalog) -> list[dict]:
    """Every meeting as `show --json` prints it, with its content hash."""
    return [{**m.to_json(), "content_hash": m.content_hash} for m in catalog.iter_meetings()]


PAGE = 5000


#: Before a chunk id: its vector's row in the chunk table (beside its record in Chroma).
ROW = "row:"


def index_state(index) -> dict[str, tuple[str, dict]]:
    """record id -> (document, metadata) of every chunk in Chroma, every chunk in the chunk
    table under ROW + its id, and every sentence in the sentence table under its
    `sentence_id` (a document of either table is "": its text is read from the catalog;
    a sentence's metadata names its punkt and the hash of the text its vector was made
    from, a chunk row's its punkt)."""
    out = {}
    collection = index.store.collection
    # in pages: Chroma's get of a whole large collection exceeds SQLite's variables
    for offset in range(0, collection.count(), PAGE):
        got = collection.get(include=["documents", "metadatas"], limit=PAGE, offset=offset)
        out.update((i, (d or "", m)) for i, d, m in zip(got["ids"], got["documents"],
                                                        got["metadatas"]))
    rows = index.catalog.db.execute(
        "SELECT forum, meeting_date, punkt, hashes FROM sentence_vectors").fetchall()
    for r in rows:
        day = dt.date.fromisoformat(r["meeting_date"])
        out.update((sentence_id(r["forum"], day, r["punkt"], n),
                    ("", {"forum": r["forum"], "meeting_date": r["meeting_date"],
                          "punkt": r["punkt"], "text_hash": h}))
                   for n, h in enumerate(json.loads(r["hashes"])))
    for r in index.catalog.db.execute(
            "SELECT forum, meeting_date, punkt, ids FROM chunk_vectors").fetchall():
        out.update((ROW + i, ("", {"forum": r["forum"], "meeting_date": r["meeting_date"],
                                   "punkt": r["punkt"]}))
                   for i in json.loads(r["ids"]))
    return out


def expected_chunk_ids(catalog) -> set[str]:
    """The record ids (chunks, their rows by ROW + id, and sentences by `sentence_id`) a
    clean index of the catalog holds."""
    chunks = {c.id for m in catalog.iter_meetings() for c in chunk_meeting(m)}
    return chunks | {ROW + i for i in chunks} | {
        sentence_id(m.forum, m.meeting_date, p.number, n)
        for m in catalog.iter_meetings() for p in m.open_punkter
        for n, _ in enumerate(sentences(p))}


def stale_meetings(catalog) -> list[str]:
    """ISO dates of meetings the index has not caught up with (by its ledger)."""
    return [m.meeting_date.isoformat() for m in IndexLedger(catalog.db).stale(catalog)]
