"""The search index, derived from the catalog: chunk and sentence vectors in Chroma and the
Danish lexical index in memory, with a ledger (retrieval/ledger.py) of what it was built
from. `sync` repairs whatever an interrupted ingest left behind."""
from __future__ import annotations

import datetime as dt
import logging
import math
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from ingest.catalog import Catalog
from ingest.chunk import chunk_meeting, parse_chunk_id
from ingest.model import DECISION, Meeting, Punkt, chunk_hash
from retrieval.embed import Embedder
from retrieval.forums import ForumNames
from retrieval.ledger import IndexLedger
from retrieval.lexical import LexicalIndex
from retrieval.memo import Memo
from retrieval.punkt_vectors import ChunkVectors, SentenceVectors
from retrieval.sentences import embed_text, is_sentence_id, sentences
from retrieval.store import Hit, VectorStore

log = logging.getLogger(__name__)
#: Vectors kept in memory by text hash while indexing (about 1.5 KB each).
VECTOR_MEMO = 20_000
#: Punkter whose sentence vectors are kept in memory for questions (the punkter asked about
#: repeat): about 25 sentences of 1.5 KB each, 40 MB at most.
SENTENCE_MEMO = 1_000
#: Chunk vectors kept in memory by id for questions, per lexical state (about 1.5 KB
#: each: 30 MB at most); reading the candidates' vectors from Chroma was a sixth of a
#: question's CPU time under load.
CHUNK_VECTOR_MEMO = 20_000
#: Named forums are kept from a search of every forum's chunks, twice as wide as their
#: share of the punkter needs, when that asks Chroma for at most this many: at 10,000
#: meetings (733,000 chunks) 2,400 nearest took 12.7 ms, and Chroma's forum filter 1.4 s
#: for a forum of a fifth of them. So forums of at least 5 % of the punkter are searched
#: so, smaller ones by Chroma's filter, which lets few records through.
WIDE_MOST = 2_400
#: A punkt (forum, date, number) and its sentences' text hashes, by place.
SentenceKey = tuple[str, dt.date, int, tuple[str, ...]]


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


@dataclass(frozen=True)
class LexicalState:
    """Everything ranking reads about the open punkter, built at once from the catalog and
    swapped in whole, so a question that runs while the index reloads sees one state."""

    refs: tuple[PunktRef, ...]
    lexical: LexicalIndex
    decisions: LexicalIndex
    position: dict[tuple[str, str, int], int]
    ordinals: np.ndarray
    years: np.ndarray
    chunk_ids: dict[tuple[str, str, int], list[str]]
    #: forum -> which punkter are its, by name
    forums: dict[str, np.ndarray]
    #: the vectors of chunks read for questions: kept with the state, as a chunk id names
    #: other text once its meeting is indexed again, which only a new state can see
    chunk_vectors: Memo[str, np.ndarray] = field(
        default_factory=lambda: Memo(CHUNK_VECTOR_MEMO), compare=False, repr=False)

    @classmethod
    def empty(cls) -> "LexicalState":
        return cls((), LexicalIndex([]), LexicalIndex([]), {}, np.zeros(0, dtype=np.int64),
                   np.zeros(0, dtype=np.int64), {}, {})

    @classmethod
    def build(cls, catalog: Catalog, ledger: IndexLedger) -> "LexicalState":
        refs, docs, decisions = [], [], []
        for meeting in catalog.iter_meetings():
            for p in meeting.open_punkter:
                ref = PunktRef(meeting.forum, meeting.meeting_date, p.number, p.title,
                               p.case_number)
                refs.append(ref)
                docs.append((ref.key, punkt_document(p)))
                decisions.append((ref.key, decision_document(p)))
        chunk_ids: dict[tuple[str, str, int], list[str]] = {}
        for record_id in ledger.all_chunk_ids():
            if not is_sentence_id(record_id):  # a sentence is found by its punkt
                forum, day, number, _ = parse_chunk_id(record_id)
                chunk_ids.setdefault((forum, day, number), []).append(record_id)
        forums = np.array([r.forum for r in refs], dtype=object)
        return cls(tuple(refs), LexicalIndex(docs), LexicalIndex(decisions),
                   {ref.key: i for i, ref in enumerate(refs)},
                   np.array([r.meeting_date.toordinal() for r in refs], dtype=np.int64),
                   np.array([r.meeting_date.year for r in refs], dtype=np.int64), chunk_ids,
                   {f: forums == f for f in sorted(set(forums))})

    def of_forums(self, forums: tuple[str, ...]) -> np.ndarray:
        """Which punkter are of one of `forums`."""
        out = np.zeros(len(self.refs), dtype=bool)
        for forum in forums:
            if forum in self.forums:
                out |= self.forums[forum]
        return out

    def chunks_of(self, i: int) -> list[str]:
        """The chunk ids of the punkt at position i."""
        return self.chunk_ids.get(self.refs[i].key, [])


class SearchIndex:
    def __init__(self, catalog: Catalog, store: VectorStore, embedder: Embedder, *,
                 aliases: tuple[tuple[str, str], ...] = ()):
        self.catalog = catalog
        self.store = store
        self.embedder = embedder
        #: the deployment's forum aliases (REFERATBOT_FORUM_ALIASES)
        self.aliases = aliases
        self._names: Memo[tuple[str, ...], ForumNames] = Memo(4)
        self.ledger = IndexLedger(catalog.db)
        self.sentences = SentenceVectors(catalog.db)
        self.chunks = ChunkVectors(catalog.db)
        self.state = LexicalState.empty()
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        #: each punkt's sentence vectors by place, by (forum, date, number, text hashes)
        self._sentences: Memo[SentenceKey, dict[int, np.ndarray]] = Memo(SENTENCE_MEMO)

    # the current state's parts, for readers that need only one of them
    @property
    def refs(self) -> tuple[PunktRef, ...]:
        return self.state.refs

    @property
    def lexical(self) -> LexicalIndex:
        return self.state.lexical

    @property
    def position(self) -> dict[tuple[str, str, int], int]:
        return self.state.position

    def forum_names(self, state: LexicalState | None = None) -> ForumNames:
        """How a question names the forums of the index's punkter: made once for each set of
        forums (the catalog's version), not for each question."""
        forums = tuple((state or self.state).forums)
        return self._names.get(forums, self._forum_names)

    def _forum_names(self, forums: tuple[str, ...]) -> ForumNames:
        return ForumNames(forums, self.aliases)

    def sync(self, *, progress: bool = True, built: LexicalState | None = None) -> int:
        """Index every meeting the index lags behind and reload the lexical side.
        Returns the number of meetings (re)indexed. `built`: a lexical state built from the
        catalog as it stands now; taken as it is when nothing needed indexing, so that
        loading does not build the same state twice (its chunk ids come from the ledger,
        which only indexing changes)."""
        stale = self.ledger.stale(self.catalog)
        chunks = 0
        with tqdm(stale, desc="indexing", unit="meeting",
                  disable=not progress or len(stale) < 2) as bar:
            for meeting in bar:
                chunks += self.index_meeting(meeting)
                bar.set_postfix_str(f"{chunks / max(bar.format_dict['elapsed'], 1e-3):.1f} "
                                    "chunks/s", refresh=False)
        if built is not None and not stale:
            self.state = built
        else:
            self.load_lexical()
        return len(stale)

    def index_meeting(self, meeting: Meeting) -> int:
        """Make the index hold exactly this meeting's chunks and sentences; returns the
        number of chunks. Vectors of unchanged text are reused (from the meeting's previous
        records, or from this run), not re-embedded."""
        forum, day = meeting.forum, meeting.meeting_date
        chunks = chunk_meeting(meeting)
        said = {p.number: [embed_text(p.title, s.text) for s in sentences(p)]
                for p in meeting.open_punkter}
        new_ids = [c.id for c in chunks]
        old_ids = self.ledger.chunk_ids(forum, day)
        self.ledger.mark_indexing(forum, day, sorted(set(old_ids) | set(new_ids)))
        # a catalog from before chunk ids were recorded has none: look up the ids the
        # chunker gives (a vector is reused only if its text hash still matches)
        known = old_ids or new_ids
        legacy = [i for i in old_ids if is_sentence_id(i)]
        held = self.store.vectors(known)
        for record in [*held.values(), *self.store.legacy_sentences(legacy).values()]:
            self._remember(record.text_hash, record.vector)
        for text_hash, vector in self.sentences.of_meeting(forum, day).items():
            self._remember(text_hash, vector)
        texts = [c.embed_text for c in chunks] + [t for own in said.values() for t in own]
        missing = list(dict.fromkeys(t for t in texts if chunk_hash(t) not in self._vectors))
        if missing:
            for text, vector in zip(missing, self.embedder.passages(missing)):
                self._remember(chunk_hash(text), vector)
        gone = set(old_ids) - set(new_ids)
        vectors = self._stacked_of(texts[:len(chunks)])
        self.store.write(chunks, vectors, held=held,
                         remove=sorted(i for i in gone if not is_sentence_id(i)))
        of_punkt: dict[int, list[int]] = {}
        for n, chunk in enumerate(chunks):
            of_punkt.setdefault(chunk.punkt, []).append(n)
        self.chunks.replace(forum, day, {number: ([chunks[n].id for n in at], vectors[at])
                                         for number, at in of_punkt.items()})
        self.sentences.replace(forum, day, {
            number: ([chunk_hash(t) for t in own], self._stacked_of(own))
            for number, own in said.items() if own})
        self.store.forget_legacy_sentences(legacy)
        self.ledger.mark_indexed(forum, day, meeting.content_hash, new_ids)
        return len(chunks)

    def _stacked_of(self, texts: list[str]) -> np.ndarray:
        """The remembered vectors of `texts`, a row each."""
        return _stacked([self._vectors[chunk_hash(t)] for t in texts])

    def _remember(self, text_hash: str, vector: np.ndarray) -> None:
        self._vectors[text_hash] = vector
        self._vectors.move_to_end(text_hash)
        while len(self._vectors) > VECTOR_MEMO:
            self._vectors.popitem(last=False)

    def load_lexical(self) -> None:
        self.state = LexicalState.build(self.catalog, self.ledger)

    def nearest(self, vector: np.ndarray, n: int, forums: tuple[str, ...] = ()) -> list[Hit]:
        """The n nearest chunks (Chroma's hits), of `forums` when given. Chroma's `where`
        reads the ids of every record it lets through before it searches (0.5 s a question
        at 1,000 meetings of one forum, 1.4 s for a fifth of 10,000 meetings), so the named
        forums are kept here instead, from a wider search's hits, unless that would be
        wider than WIDE_MOST (or by Chroma's filter after all where those hold too few)."""
        if not forums:
            return self.store.search(vector, n)
        share = float(self.state.of_forums(forums).mean()) if self.state.refs else 0.0
        asked = n if share == 1.0 else math.ceil(n / share * 2) if share else WIDE_MOST + 1
        if asked <= WIDE_MOST:
            wide = self.store.search(vector, asked)
            hits = [h for h in wide if h.forum in forums]
            if len(hits) >= n or len(wide) < asked:  # enough, or every chunk seen
                return hits[:n]
        return self.store.search(vector, n, forums)

    def chunk_vectors(self, ids: list[str], state: LexicalState | None = None
                      ) -> dict[str, np.ndarray]:
        """id -> vector for the chunk ids that exist, kept in `state` (the current one by
        default) once read."""
        return (state or self.state).chunk_vectors.get_many(ids, self._chunk_vectors)

    def _chunk_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """From their punkter's rows in the catalog's database; from Chroma for those
        without one (a meeting indexed before layout 3, until the next sync)."""
        found: dict[str, np.ndarray] = {}
        for forum, day, number in dict.fromkeys(parse_chunk_id(i)[:3] for i in ids):
            stored = self.chunks.of_punkt(forum, dt.date.fromisoformat(day), number)
            if stored is not None:
                found.update(zip(*stored))
        out = {i: found[i] for i in ids if i in found}
        missing = [i for i in ids if i not in found]
        return out | self.store.embeddings(missing) if missing else out

    def chunk_texts(self, ids: list[str]) -> dict[str, str]:
        return self.store.documents(ids)

    def sentence_vectors(self, forum: str, day: dt.date, number: int,
                         hashes: tuple[str, ...]) -> dict[int, np.ndarray]:
        """Place -> vector of the punkt's sentences whose stored vector was made from their
        present text (`hashes`, by place in `sentences(punkt)`). Kept in memory once every
        one matches, as the punkter asked about repeat from question to question; read
        each time while the index has not yet taken in a changed meeting."""
        key = (forum, day, number, hashes)
        read: dict[SentenceKey, dict[int, np.ndarray]] = {}

        def complete(keys: list[SentenceKey]) -> dict[SentenceKey, dict[int, np.ndarray]]:
            read.update((k, self._matching(k)) for k in keys)
            return {k: vectors for k, vectors in read.items() if len(vectors) == len(k[3])}

        kept = self._sentences.get_many([key], complete)
        return kept[key] if key in kept else read[key]

    def _matching(self, key: SentenceKey) -> dict[int, np.ndarray]:
        forum, day, number, hashes = key
        stored = self.sentences.of_punkt(forum, day, number)
        if stored is None:
            return {}
        have, vectors = stored
        return {n: vectors[n] for n, h in enumerate(hashes) if n < len(have) and have[n] == h}

    def clear(self) -> None:
        """The index was emptied (a rebuild): it holds nothing of any meeting."""
        self.ledger.clear()
        self.sentences.clear()
        self.chunks.clear()
        self._sentences.clear()

    def punkt(self, ref: PunktRef) -> Punkt | None:
        meeting = self.catalog.meeting(ref.meeting_date, ref.forum)
        return meeting.punkt(ref.number) if meeting else None


def _stacked(vectors: list[np.ndarray]) -> np.ndarray:
    return np.stack(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)
