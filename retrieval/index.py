"""The search index, derived from the catalog: chunk vectors in Chroma and the Danish
lexical index in memory. `sync` repairs whatever an interrupted ingest left behind."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from ingest.catalog import Catalog
from ingest.chunk import chunk_meeting
from ingest.model import DECISION, Meeting, Punkt
from retrieval.embed import Embedder
from retrieval.lexical import LexicalIndex
from retrieval.store import VectorStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PunktRef:
    """What ranking needs to know of an open punkt without holding its text."""

    forum: str
    meeting_date: dt.date
    number: int
    title: str
    case_number: str

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.forum, self.meeting_date.isoformat(), self.number)


def punkt_document(punkt: Punkt) -> str:
    """The lexical document of a punkt: the title counts twice, being its best summary."""
    body = "\n".join(punkt.sections.values())
    return "\n".join([punkt.title, punkt.title, body, *punkt.bilag])


def decision_document(punkt: Punkt) -> str:
    return "\n".join([punkt.title, punkt.sections.get(DECISION, "")])


class SearchIndex:
    def __init__(self, catalog: Catalog, store: VectorStore, embedder: Embedder):
        self.catalog = catalog
        self.store = store
        self.embedder = embedder
        self.refs: list[PunktRef] = []
        self.lexical = LexicalIndex([])
        self.decisions = LexicalIndex([])
        self.position: dict[tuple[str, str, int], int] = {}
        self.ref_ordinals = np.zeros(0, dtype=np.int64)
        self.ref_years = np.zeros(0, dtype=np.int64)

    def sync(self, *, progress: bool = True) -> int:
        """Index every meeting the index lags behind, drop orphans, reload the lexical side.
        Returns the number of meetings (re)indexed."""
        stale = list(self.catalog.iter_meetings(stale_only=True))
        for meeting in tqdm(stale, desc="indexing", unit="meeting",
                            disable=not progress or len(stale) < 2):
            self.index_meeting(meeting)
        known = {(m.forum, m.meeting_date.isoformat()) for m in self.catalog.meetings()}
        for forum, day in self.store.meeting_keys() - known:
            log.warning("removing orphaned chunks of %s %s from the index", forum, day)
            self.store.delete_meeting(forum, dt.date.fromisoformat(day))
        self.load_lexical()
        return len(stale)

    def index_meeting(self, meeting: Meeting) -> None:
        chunks = chunk_meeting(meeting)
        if not chunks:  # every punkt closed: nothing may be searchable
            self.store.delete_meeting(meeting.forum, meeting.meeting_date)
            self.catalog.mark_indexed(meeting.forum, meeting.meeting_date, meeting.content_hash)
            return
        hashes = [c.metadata["text_hash"] for c in chunks]
        known = self.store.known_embeddings(hashes)
        missing = [c.embed_text for c, h in zip(chunks, hashes) if h not in known]
        fresh = iter(self.embedder.passages(missing) if missing else [])
        vectors = np.stack([known[h] if h in known else next(fresh) for h in hashes])
        self.store.replace_meeting(meeting.forum, meeting.meeting_date, chunks, vectors)
        self.catalog.mark_indexed(meeting.forum, meeting.meeting_date, meeting.content_hash)

    def load_lexical(self) -> None:
        refs, docs, decisions = [], [], []
        for meeting in self.catalog.iter_meetings():
            for p in meeting.open_punkter:
                ref = PunktRef(meeting.forum, meeting.meeting_date, p.number, p.title,
                               p.case_number)
                refs.append(ref)
                docs.append((ref.key, punkt_document(p)))
                decisions.append((ref.key, decision_document(p)))
        self.refs = refs
        self.lexical = LexicalIndex(docs)
        self.decisions = LexicalIndex(decisions)
        self.position = {ref.key: i for i, ref in enumerate(refs)}
        self.ref_ordinals = np.array([r.meeting_date.toordinal() for r in refs], dtype=np.int64)
        self.ref_years = np.array([r.meeting_date.year for r in refs], dtype=np.int64)

    def punkt(self, ref: PunktRef) -> Punkt | None:
        meeting = self.catalog.meeting(ref.meeting_date, ref.forum)
        return meeting.punkt(ref.number) if meeting else None
