"""The shape of the catalog's database, as one history: an ordered list of migrations, and a
`schema_version` table that records which of them a database has had.

Every table of the database is made here, whichever package reads and writes it: the
catalog's, the search index's ledger, the bot's subscriptions, feedback, inbox and
leases. One list, kept where the database is, rather than one per owner: a migration may
span the tables of several owners (the leases did), one number then tells what shape the
whole database has, and whichever command opens the catalog first (`ingest`, `serve`,
`status`) brings all of it forward. It holds SQL only, so ingest still imports nothing of retrieval or bot.

A migration runs once, in order, and is never edited once released: a new shape is a new
migration at the end. Migrating is one write transaction, which on both backends keeps
other processes out (ingest/db.py), so two processes opening a new database at once do
not both migrate it; the second finds the work done.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from ingest.db import CatalogUnavailable, Database

VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at TEXT NOT NULL
);
"""

#: The tables as the releases before `schema_version` made them, in their last shape.
UNVERSIONED = """
CREATE TABLE IF NOT EXISTS meetings (
    id INTEGER PRIMARY KEY,
    forum TEXT NOT NULL,
    meeting_date TEXT NOT NULL,
    time TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'referat',
    UNIQUE (forum, meeting_date)
);
CREATE TABLE IF NOT EXISTS punkter (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    heading TEXT NOT NULL DEFAULT '',
    case_number TEXT NOT NULL DEFAULT '',
    closed INTEGER NOT NULL DEFAULT 0,
    sections TEXT NOT NULL DEFAULT '{}',
    bilag TEXT NOT NULL DEFAULT '[]',
    first_seq INTEGER NOT NULL,
    first_ingested_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, number)
);
CREATE INDEX IF NOT EXISTS punkter_first_seq ON punkter(first_seq);
CREATE TABLE IF NOT EXISTS sources (
    file_hash TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS index_ledger (
    forum TEXT NOT NULL,
    meeting_date TEXT NOT NULL,
    indexed_hash TEXT,
    chunk_ids TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (forum, meeting_date)
);
CREATE TABLE IF NOT EXISTS subscriptions (
    conversation_id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL DEFAULT '',
    service_url TEXT NOT NULL,
    reference TEXT NOT NULL,
    subscribed_by TEXT NOT NULL DEFAULT '',
    subscribed_at TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    watermark INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    last_sent_at TEXT,
    lease_owner TEXT,
    lease_until TEXT,
    sending_watermark INTEGER
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    question TEXT NOT NULL,
    punkter TEXT NOT NULL DEFAULT '[]',
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    created_at TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    activity_id TEXT NOT NULL DEFAULT '',
    vote_key TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS sent_answers (
    answer_key TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    punkter TEXT NOT NULL DEFAULT '[]',
    sent_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sent_answers_by_time ON sent_answers (sent_at);
CREATE TABLE IF NOT EXISTS inbox_files (
    path TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    status TEXT NOT NULL,
    meeting_date TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    warning TEXT NOT NULL DEFAULT '',
    owner TEXT,
    lease_until TEXT,
    taken_at TEXT
);
CREATE TABLE IF NOT EXISTS intakes (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    files TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS seen_activities (
    activity_key TEXT PRIMARY KEY,
    seen_at DOUBLE PRECISION NOT NULL,
    owner TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS seen_activities_seen_at ON seen_activities(seen_at);
"""
#: Columns that releases before `schema_version` added to tables made without them.
LATER_COLUMNS = (
    ("meetings", "kind", "TEXT NOT NULL DEFAULT 'referat'"),
    ("subscriptions", "sending_watermark", "INTEGER"),
    ("feedback", "comment", "TEXT NOT NULL DEFAULT ''"),
    ("feedback", "activity_id", "TEXT NOT NULL DEFAULT ''"),
    ("feedback", "vote_key", "TEXT NOT NULL DEFAULT ''"),
)
#: Where releases before the ledger's own table kept it: columns of `meetings`.
LEDGER_IN_MEETINGS = {"indexed_hash", "chunk_ids"}


def _adopt_unversioned(db: Database) -> None:
    """A new database, or one from before `schema_version` in any shape those releases
    left: every table in its last unversioned shape, rows kept. Each table may be missing
    (the bot's appeared only once `serve` ran) or lack the columns added later."""
    ledger_is_new = not db.columns("index_ledger")
    db.create(UNVERSIONED)
    for table, column, declaration in LATER_COLUMNS:
        if column not in db.columns(table):
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS feedback_once ON feedback (vote_key) "
               "WHERE vote_key <> ''")
    # The ledger kept in `meetings` is carried over, so an upgrade re-indexes nothing; one
    # from before chunk ids were recorded is not: its meetings are re-indexed (from the
    # stored vectors), or the removal of a replaced meeting's old chunks would find nothing.
    if ledger_is_new and LEDGER_IN_MEETINGS <= db.columns("meetings"):
        db.execute("INSERT INTO index_ledger (forum, meeting_date, indexed_hash, chunk_ids) "
                   "SELECT forum, meeting_date, indexed_hash, chunk_ids FROM meetings")


LEASES = """
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until DOUBLE PRECISION NOT NULL
);
"""
#: How long the dedupe (bot/teams/dedupe.py) held a claim in flight, and one handled,
#: when its claims moved.
DEDUPE_IN_FLIGHT_SECONDS, DEDUPE_TTL_SECONDS = 60.0, 15 * 60.0


def _one_lease_table(db: Database) -> None:
    """The digest's sends, the inbox's claims and the retry dedupe kept their leases each
    in columns of their own; they move to one table, `leases` (bot/jobs/leases.py), under the
    names those modules give them."""
    db.create(LEASES)
    moved = [(f"digest:{r['conversation_id']}", r["lease_owner"], _epoch(r["lease_until"]))
             for r in db.execute("SELECT conversation_id, lease_owner, lease_until FROM "
                                 "subscriptions WHERE lease_owner IS NOT NULL AND "
                                 "lease_until IS NOT NULL").fetchall()]
    moved += [(f"inbox:{r['path']}", r["owner"], _epoch(r["lease_until"]))
              for r in db.execute("SELECT path, owner, lease_until FROM inbox_files WHERE "
                                  "status='taking' AND owner IS NOT NULL AND "
                                  "lease_until IS NOT NULL").fetchall()]
    # a claim in flight held for a minute; a handled one (no owner) for the TTL
    moved += [(f"activity:{r['activity_key']}", r["owner"],
               r["seen_at"] + (DEDUPE_IN_FLIGHT_SECONDS if r["owner"] else DEDUPE_TTL_SECONDS))
              for r in db.execute("SELECT * FROM seen_activities").fetchall()]
    for lease in moved:
        db.execute("INSERT INTO leases (name, owner, until) VALUES (?, ?, ?)", lease)
    for table, column in (("subscriptions", "lease_owner"), ("subscriptions", "lease_until"),
                          ("inbox_files", "owner"), ("inbox_files", "lease_until")):
        db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    db.execute("DROP TABLE seen_activities")


def _ledger_layout(db: Database) -> None:
    """The ledger records what the index holds of each meeting (retrieval/ledger.py's
    LAYOUT): meetings indexed before are 0, chunks only, and are re-indexed once with
    their sentences, their chunk vectors reused."""
    if "layout" not in db.columns("index_ledger"):  # a catalog of a pre-release build has it
        db.execute("ALTER TABLE index_ledger ADD COLUMN layout INTEGER NOT NULL DEFAULT 0")


INTERESTS = """
CREATE TABLE subscription_interests (
    conversation_id TEXT NOT NULL,
    forum TEXT NOT NULL DEFAULT '',
    topic TEXT NOT NULL DEFAULT '',
    watermark INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (conversation_id, forum, topic)
);
"""


def _interests(db: Database) -> None:
    """A conversation follows one forum or every one, about a topic or any decision, each
    with its own watermark (bot/jobs/subscriptions.py): every subscription made before
    followed every forum's decisions, and keeps its watermark as that interest's."""
    db.create(INTERESTS)
    db.execute("INSERT INTO subscription_interests (conversation_id, forum, topic, watermark, "
               "added_at) SELECT conversation_id, '', '', watermark, subscribed_at "
               "FROM subscriptions")
    db.execute("ALTER TABLE subscriptions DROP COLUMN watermark")


def _sentence_vectors(db: Database) -> None:
    """The index's sentence vectors move out of Chroma into this table, a row per punkt
    (retrieval/punkt_vectors.py): the ledger's layout 2. Meetings indexed before are
    re-indexed once, their vectors carried over from the Chroma collection."""
    _punkt_vectors(db, "sentence_vectors", "hashes")


def _chunk_vectors(db: Database) -> None:
    """The index's chunk vectors, also kept here a row per punkt, for the reads by punkt
    that Chroma serves slowly (retrieval/punkt_vectors.py): the ledger's layout 3. Meetings
    indexed before are re-indexed once, their vectors carried over from Chroma."""
    _punkt_vectors(db, "chunk_vectors", "ids")


def _punkt_vectors(db: Database, table: str, key: str) -> None:
    """A table of retrieval/punkt_vectors.py's kind: per punkt, a JSON list of `key`s and
    the vectors, a float32 row each."""
    blob = "BYTEA" if db.postgres else "BLOB"
    db.create(f"""
CREATE TABLE IF NOT EXISTS {table} (
    forum TEXT NOT NULL,
    meeting_date TEXT NOT NULL,
    punkt INTEGER NOT NULL,
    {key} TEXT NOT NULL,
    vectors {blob} NOT NULL,
    PRIMARY KEY (forum, meeting_date, punkt)
);
""")


def _epoch(iso: str) -> float:
    return dt.datetime.fromisoformat(iso).timestamp()


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Database], None]


MIGRATIONS = (
    Migration(1, "the tables as made before schema_version", _adopt_unversioned),
    Migration(2, "one leases table for the digest, the inbox and the dedupe", _one_lease_table),
    Migration(3, "the index ledger's layout of each meeting", _ledger_layout),
    Migration(4, "a subscription's interests, each a forum and a topic with its watermark",
              _interests),
    Migration(5, "the index's sentence vectors, a row per punkt", _sentence_vectors),
    Migration(6, "the index's chunk vectors, a row per punkt", _chunk_vectors),
)
LATEST = MIGRATIONS[-1].version


def version(db: Database) -> int:
    """The last migration the database has had; 0 for one without `schema_version`."""
    if not db.columns("schema_version"):
        return 0
    return db.execute("SELECT MAX(version) AS v FROM schema_version").fetchone()["v"] or 0


def migrate(db: Database, *, target: int = LATEST) -> int:
    """Bring the database to `target` (the latest), once, whoever else opens it now;
    returns the version it was at. A database up to date costs no write lock (an ingest
    may hold it for long)."""
    found = version(db)
    if found > LATEST:
        raise CatalogUnavailable(
            f"the catalog at {db.location} has schema version {found}, newer than this "
            f"referatbot knows ({LATEST}): run the release that made it, or a newer one")
    if found >= target:
        return found
    with db.transaction():
        found = version(db)  # another process may have migrated while we waited
        db.create(VERSION_TABLE)
        for migration in MIGRATIONS[found:target]:
            migration.apply(db)
            db.execute("INSERT INTO schema_version (version, description, applied_at) "
                       "VALUES (?, ?, ?)", (migration.version, migration.description,
                                            dt.datetime.now(dt.timezone.utc)
                                            .isoformat(timespec="seconds")))
    return found
