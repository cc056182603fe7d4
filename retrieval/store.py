"""Chroma access: the vector side of the index.

Embedded (`PersistentClient` under the data dir) by default; a `chroma run` server when a
host is given, through the same methods. Chroma's calls block, so async callers run them
in a thread. The collection records which embedding model built it and refuses another.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.model import Chunk

COLLECTION = "referat_chunks"
#: Chroma refuses batches above about 5,461 records.
BATCH = 4000
log = logging.getLogger(__name__)


class ModelMismatch(RuntimeError):
    """The index was built with another embedding model."""


class StoreUnavailable(RuntimeError):
    """The Chroma server cannot be reached."""


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    forum: str
    meeting_date: str
    punkt: int
    section: str
    similarity: float


def connect(*, path: Path | None = None, host: str | None = None, port: int = 8000):
    """A Chroma client: embedded under `path`, or the server at `host:port`."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if host:
        try:
            return chromadb.HttpClient(host=host, port=port, settings=settings)
        except Exception as e:  # chromadb raises plain ValueError/ConnectionError subclasses
            raise StoreUnavailable(f"cannot reach the Chroma server at {host}:{port}: {e}") from e
    assert path is not None, "an embedded store needs a path"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class VectorStore:
    def __init__(self, client, *, model_name: str, fresh: bool = False):
        """Open the collection; `fresh` drops it first (to rebuild for another model)."""
        self.client = client
        try:
            if fresh and any(c.name == COLLECTION for c in client.list_collections()):
                client.delete_collection(COLLECTION)
            self.collection = client.get_or_create_collection(
                COLLECTION,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedding_model": model_name},
                embedding_function=None,
            )
        except (ConnectionError, OSError) as e:
            raise StoreUnavailable(f"cannot reach the Chroma server: {e}") from e
        built_with = (self.collection.metadata or {}).get("embedding_model")
        if built_with != model_name:
            raise ModelMismatch(
                f"the search index was built with the embedding model '{built_with}', but "
                f"'{model_name}' is configured (REFERATBOT_EMBEDDING_MODEL). Run "
                "`referatbot reindex` to rebuild the index with the configured model.")

    def heartbeat(self) -> bool:
        try:
            self.client.heartbeat()
            return True
        except Exception:  # any failure means "not reachable now"
            return False

    def count(self) -> int:
        return self.collection.count()

    def replace_meeting(self, forum: str, day: dt.date, chunks: list[Chunk],
                        embeddings: np.ndarray) -> None:
        """Make the meeting's chunks exactly `chunks` (upsert, then drop leftovers)."""
        ids = [c.id for c in chunks]
        for start in range(0, len(chunks), BATCH):
            part = slice(start, start + BATCH)
            self.collection.upsert(
                ids=ids[part],
                embeddings=embeddings[part],
                documents=[c.text for c in chunks[part]],
                metadatas=[c.metadata for c in chunks[part]],
            )
        old = self.collection.get(where=_meeting_filter(forum, day), include=[])["ids"]
        stale = sorted(set(old) - set(ids))
        if stale:
            self.collection.delete(ids=stale)

    def known_embeddings(self, text_hashes: list[str]) -> dict[str, np.ndarray]:
        """Vectors already stored for these embedded texts, so unchanged text is not
        embedded twice (a replaced meeting, a reindex, recombined synthetic minutes)."""
        found: dict[str, np.ndarray] = {}
        unique = sorted(set(text_hashes))
        for start in range(0, len(unique), BATCH):
            got = self.collection.get(where={"text_hash": {"$in": unique[start:start + BATCH]}},
                                      include=["embeddings", "metadatas"])
            for vector, meta in zip(got["embeddings"], got["metadatas"]):
                found[meta["text_hash"]] = np.asarray(vector, dtype=np.float32)
        return found

    def delete_meeting(self, forum: str, day: dt.date) -> None:
        self.collection.delete(where=_meeting_filter(forum, day))

    def meeting_keys(self) -> set[tuple[str, str]]:
        """(forum, ISO date) of every meeting that has chunks, to find orphans."""
        keys = set()
        offset = 0
        while True:
            got = self.collection.get(include=["metadatas"], limit=BATCH, offset=offset)
            if not got["ids"]:
                return keys
            keys.update((m["forum"], m["meeting_date"]) for m in got["metadatas"])
            offset += len(got["ids"])

    def punkt_vectors(self, keys: list[tuple[str, str, int]]) -> list[tuple[tuple[str, str, int], np.ndarray]]:
        """The chunk vectors of the given punkter (forum, ISO date, number), in one call."""
        if not keys:
            return []
        filters = [_punkt_filter(*k) for k in keys]
        where = filters[0] if len(filters) == 1 else {"$or": filters}
        got = self.collection.get(where=where, include=["embeddings", "metadatas"])
        return [((m["forum"], m["meeting_date"], m["punkt"]), np.asarray(v, dtype=np.float32))
                for v, m in zip(got["embeddings"], got["metadatas"])]

    def search(self, embedding: np.ndarray, n: int, where: dict | None = None) -> list[Hit]:
        n = max(1, min(n, self.count()))
        result = self.collection.query(query_embeddings=[embedding], n_results=n, where=where,
                                       include=["metadatas", "distances"])
        return [
            Hit(chunk_id=i, forum=m["forum"], meeting_date=m["meeting_date"], punkt=m["punkt"],
                section=m["section"], similarity=1.0 - d)
            for i, m, d in zip(result["ids"][0], result["metadatas"][0], result["distances"][0])
        ]


def _punkt_filter(forum: str, day: str, punkt: int) -> dict:
    return {"$and": [{"forum": forum}, {"meeting_date": day}, {"punkt": punkt}]}


def _meeting_filter(forum: str, day: dt.date) -> dict:
    return {"$and": [{"forum": forum}, {"meeting_date": day.isoformat()}]}
