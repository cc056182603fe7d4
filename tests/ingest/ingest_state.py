"""What the catalog and the Chroma index hold, in plain values the tests can compare."""
from __future__ import annotations

from ingest.chunk import chunk_meeting
from retrieval.ledger import IndexLedger


def catalog_state(catalog) -> list[dict]:
    """Every meeting as `show --json` prints it, with its content hash."""
    return [{**m.to_json(), "content_hash": m.content_hash} for m in catalog.iter_meetings()]


def chroma_state(index) -> dict[str, tuple[str, dict]]:
    """chunk id -> (document, metadata) of every chunk in the collection."""
    got = index.store.collection.get(include=["documents", "metadatas"])
    return {i: (d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])}


def expected_chunk_ids(catalog) -> set[str]:
    """The chunk ids a clean index of the catalog holds."""
    return {c.id for m in catalog.iter_meetings() for c in chunk_meeting(m)}


def stale_meetings(catalog) -> list[str]:
    """ISO dates of meetings the index has not caught up with (by its ledger)."""
    return [m.meeting_date.isoformat() for m in IndexLedger(catalog.db).stale(catalog)]
