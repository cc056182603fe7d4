"""What the catalog and the Chroma index hold, in plain values the tests can compare."""
from __future__ import annotations

from ingest.chunk import chunk_meeting
from retrieval.ledger import IndexLedger
from retrieval.sentences import sentence_id, sentences


def catalog_state(catalog) -> list[dict]:
    """Every meeting as `show --json` prints it, with its content hash."""
    return [{**m.to_json(), "content_hash": m.content_hash} for m in catalog.iter_meetings()]


PAGE = 5000


def chroma_state(index) -> dict[str, tuple[str, dict]]:
    """record id -> (document, metadata) of every chunk and every sentence in the store (a
    sentence's document is "": its text is read from the catalog)."""
    out = {}
    for collection in (index.store.collection, index.store.sentences):
        # in pages: Chroma's get of a whole large collection exceeds SQLite's variables
        for offset in range(0, collection.count(), PAGE):
            got = collection.get(include=["documents", "metadatas"], limit=PAGE, offset=offset)
            out.update((i, (d or "", m)) for i, d, m in zip(got["ids"], got["documents"],
                                                            got["metadatas"]))
    return out


def expected_chunk_ids(catalog) -> set[str]:
    """The record ids (chunks and sentences) a clean index of the catalog holds."""
    return {c.id for m in catalog.iter_meetings() for c in chunk_meeting(m)} | {
        sentence_id(m.forum, m.meeting_date, p.number, n)
        for m in catalog.iter_meetings() for p in m.open_punkter
        for n, _ in enumerate(sentences(p))}


def stale_meetings(catalog) -> list[str]:
    """ISO dates of meetings the index has not caught up with (by its ledger)."""
    return [m.meeting_date.isoformat() for m in IndexLedger(catalog.db).stale(catalog)]
