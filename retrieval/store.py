"""Chroma access: the vector side of the index.

Embedded (`PersistentClient` under the data dir) by default; a `chroma run` server when a
host is given, through the same methods. Chroma's calls block, so async callers run them
in a thread. One collection, the chunks, searched for a question's nearest; it records
which embedding model and backend built it and refuses another. The punkter's sentence
vectors, which are only read by punkt, are kept in the catalog's database
(retrieval/punkt_vectors.py); an index that kept them in a second collection has
them carried over from it, meeting by meeting, and the emptied collection dropped.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.chunk import parse_chunk_id
from ingest.model import Chunk

COLLECTION = "referat_chunks"
#: Where an index before layout 2 kept its sentence vectors.
LEGACY_SENTENCES = "referat_sentences"
#: Chroma refuses batches above about 5,461 records.
BATCH = 4000
log = logging.getLogger(__name__)


#: What a collection made before the backend was recorded was built with: torch, in fp32
#: or (on CPUs with native bfloat16) bf16.
UNRECORDED = ("torch-fp32", "torch-bf16")


class ModelMismatch(RuntimeError):
    """The index was built with another embedding model or backend."""


class StoreUnavailable(RuntimeError):
    """The Chroma server cannot be reached."""


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    forum: str
    meeting_date: str
    punkt: int
    similarity: float


@dataclass(frozen=True)
class Held:
    """A record the collection holds: its vector, the hash of the text it was embedded
    from, and (document, metadata) as stored (the document only when asked for)."""
    vector: np.ndarray
    text_hash: str
    record: tuple[str | None, dict]


#: The database a Chroma server starts with.
DEFAULT_DATABASE = "default_database"
#: What Chroma takes as a database's name.
DATABASE_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{1,510})[A-Za-z0-9]")


def connect(*, path: Path | None = None, host: str | None = None, port: int = 8000,
            database: str = DEFAULT_DATABASE):
    """A Chroma client: embedded under `path`, or the server at `host:port`, in
    `database` there (made if missing), so that deployments, or tests, sharing one server
    keep their collections apart."""
    import chromadb
    from chromadb.api.client import AdminClient
    from chromadb.config import Settings
    from chromadb.errors import NotFoundError

    settings = Settings(anonymized_telemetry=False)
    if host:
        try:
            client = chromadb.HttpClient(host=host, port=port, settings=settings)
            if database != DEFAULT_DATABASE:
                admin = AdminClient.from_system(client._system)  # its connection
                try:
                    admin.get_database(database)
                except NotFoundError:
                    admin.create_database(database)
                client.set_database(database)
            return client
        except Exception as e:  # chromadb raises plain ValueError/ConnectionError subclasses
            raise StoreUnavailable(f"cannot reach the Chroma server at {host}:{port}: {e}") from e
    assert path is not None, "an embedded store needs a path"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class VectorStore:
    def __init__(self, client, *, model_name: str, backend: str = "torch-fp32",
                 fresh: bool = False):
        """Open the collection; `fresh` drops it first (to rebuild for another model or
        backend: their vectors differ, if only slightly)."""
        self.client = client
        try:
            names = {c.name for c in client.list_collections()}
            if fresh:
                for name in names & {COLLECTION, LEGACY_SENTENCES}:
                    client.delete_collection(name)
                names -= {COLLECTION, LEGACY_SENTENCES}
            self.collection = _collection(client, COLLECTION, model_name, backend)
            self.legacy = client.get_collection(LEGACY_SENTENCES, embedding_function=None) \
                if LEGACY_SENTENCES in names else None
        except (ConnectionError, OSError) as e:
            raise StoreUnavailable(f"cannot reach the Chroma server: {e}") from e

    def heartbeat(self) -> bool:
        try:
            self.client.heartbeat()
            return True
        except Exception:  # any failure means "not reachable now"
            return False

    def count(self) -> int:
        return self.collection.count()

    def close(self) -> None:
        """Release the client: an embedded one holds a Rust runtime with its own threads
        and the store's SQLite connections until closed."""
        self.client.close()

    def write(self, chunks: list[Chunk], embeddings: np.ndarray, *, remove: list[str],
              held: dict[str, Held] | None = None) -> None:
        """Upsert `chunks` and delete the ids in `remove` (by id: metadata filters scan the
        whole collection, which grows with the corpus). A chunk whose record in `held` has
        the same text and metadata is left as it is: an index upgraded to a new layout
        keeps its chunks, which Chroma would otherwise write again (1,000 meetings: 524 s)."""
        held = held or {}
        new = [n for n, c in enumerate(chunks)
               if c.id not in held or held[c.id].record != (c.text, c.metadata)]
        _write(self.collection, [chunks[n].id for n in new], embeddings[new],
               [chunks[n].metadata for n in new], remove,
               documents=[chunks[n].text for n in new])

    def vectors(self, ids: list[str]) -> dict[str, Held]:
        """What the collection holds of the chunk ids that exist, looked up by id."""
        return _vectors(self.collection, ids, documents=True)

    def legacy_sentences(self, ids: list[str]) -> dict[str, Held]:
        """id -> (vector, text hash) of the sentence ids an index before layout 2 holds."""
        return _vectors(self.legacy, ids) if self.legacy is not None else {}

    def forget_legacy_sentences(self, ids: list[str]) -> None:
        """Delete these sentence ids from the old collection, and the collection once
        empty."""
        if self.legacy is None or not ids:
            return
        for start in range(0, len(ids), BATCH):
            self.legacy.delete(ids=ids[start:start + BATCH])
        if not self.legacy.count():
            self.client.delete_collection(LEGACY_SENTENCES)
            self.legacy = None

    def embeddings(self, ids: list[str]) -> dict[str, np.ndarray]:
        """id -> vector for the ids that exist: the vectors alone, which Chroma returns
        several times faster than with their metadata (per question, for scoring)."""
        out: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), BATCH):
            got = self.collection.get(ids=ids[start:start + BATCH], include=["embeddings"])
            out.update(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))
        return out

    def documents(self, ids: list[str]) -> dict[str, str]:
        """id -> stored chunk text, for the ids that exist."""
        if not ids:
            return {}
        got = self.collection.get(ids=ids, include=["documents"])
        return dict(zip(got["ids"], got["documents"]))

    def meeting_keys(self) -> set[tuple[str, str]]:
        """(forum, ISO date) of every meeting that has chunks. Reads the whole collection:
        for checks and tests, not for anything that runs per request or per meeting."""
        keys = set()
        offset = 0
        while True:
            got = self.collection.get(include=["metadatas"], limit=BATCH, offset=offset)
            if not got["ids"]:
                return keys
            keys.update((m["forum"], m["meeting_date"]) for m in got["metadatas"])
            offset += len(got["ids"])

    def search(self, embedding: np.ndarray, n: int, forums: tuple[str, ...] = ()) -> list[Hit]:
        """The n nearest chunks (fewer when the collection is smaller: Chroma caps n
        itself, so no count() round trip per question); of `forums` only, when given.
        A hit's punkt is read from its id: Chroma's metadata of 60 hits took 10 of a
        query's 13 ms at 1,000 meetings."""
        where = {"forum": {"$in": list(forums)}} if forums else None
        result = self.collection.query(query_embeddings=[embedding], n_results=n, where=where,
                                       include=["distances"])
        return [Hit(i, *parse_chunk_id(i)[:3], similarity=1.0 - d)
                for i, d in zip(result["ids"][0], result["distances"][0])]




def _collection(client, name: str, model_name: str, backend: str):
    collection = client.get_or_create_collection(
        name,
        configuration={"hnsw": {"space": "cosine"}},
        metadata={"embedding_model": model_name, "embedding_backend": backend},
        embedding_function=None,
    )
    recorded = collection.metadata or {}
    built_with = recorded.get("embedding_model")
    if built_with != model_name:
        raise ModelMismatch(
            f"the search index was built with the embedding model '{built_with}', but "
            f"'{model_name}' is configured (REFERATBOT_EMBEDDING_MODEL). Run "
            "`referatbot reindex` to rebuild the index with the configured model.")
    built_by = recorded.get("embedding_backend")
    if built_by != backend and not (built_by is None and backend in UNRECORDED):
        raise ModelMismatch(
            f"the search index was built with the embedding backend "
            f"'{built_by or 'torch'}', but '{backend}' is configured "
            "(REFERATBOT_EMBEDDING_BACKEND). Run `referatbot reindex` to rebuild the "
            "index with the configured backend, or set the one it was built with.")
    return collection


def _write(collection, ids: list[str], embeddings: np.ndarray, metadatas: list[dict],
           remove: list[str], documents: list[str] | None = None) -> None:
    for start in range(0, len(ids), BATCH):
        part = slice(start, start + BATCH)
        collection.upsert(ids=ids[part], embeddings=embeddings[part], metadatas=metadatas[part],
                          documents=documents[part] if documents is not None else None)
    for start in range(0, len(remove), BATCH):
        collection.delete(ids=remove[start:start + BATCH])


def _vectors(collection, ids: list[str], *, documents: bool = False) -> dict[str, Held]:
    include = ["embeddings", "metadatas", *(["documents"] if documents else [])]
    out: dict[str, Held] = {}
    for start in range(0, len(ids), BATCH):
        got = collection.get(ids=ids[start:start + BATCH], include=include)
        texts = got["documents"] if documents else [None] * len(got["ids"])
        for i, vector, meta, text in zip(got["ids"], got["embeddings"], got["metadatas"], texts):
            out[i] = Held(np.asarray(vector, dtype=np.float32), meta["text_hash"], (text, meta))
    return out
