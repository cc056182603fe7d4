"""The database's one schema history (ingest/schema.py): a new database is made at the latest
version; one made before `schema_version`, in the shapes the releases before it left, is
recognised and brought forward with its rows; each migration runs from the version
before it; processes that open a new database at once migrate it once. Each test runs
with the SQLite and with the PostgreSQL catalog."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading

import numpy as np
import pytest

from bot.teams.dedupe import SeenActivities
from bot.feedback import Feedback, Reaction
from bot.jobs.intake import Intake, Stamp
from bot.jobs.subscriptions import Interest, Subscriptions
from ingest import schema
from ingest.catalog import Catalog
from ingest.db import CatalogUnavailable, Database
from retrieval.ledger import LAYOUT, IndexLedger
from retrieval.punkt_vectors import ChunkVectors, SentenceVectors

pytestmark = pytest.mark.both_catalogs

#: The oldest shapes of the tables that later releases added columns to, as a catalog
#: that `serve` ran on once before agendas, the send intent, Teams' feedback loop and the
#: ledger's own table left them.
OLDEST = """
CREATE TABLE meetings (
    id INTEGER PRIMARY KEY, forum TEXT NOT NULL, meeting_date TEXT NOT NULL,
    time TEXT NOT NULL DEFAULT '', place TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '', content_hash TEXT NOT NULL, ingested_at TEXT NOT NULL,
    indexed_hash TEXT, chunk_ids TEXT NOT NULL DEFAULT '[]', UNIQUE (forum, meeting_date));
CREATE TABLE subscriptions (
    conversation_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL DEFAULT '',
    service_url TEXT NOT NULL, reference TEXT NOT NULL, subscribed_by TEXT NOT NULL DEFAULT '',
    subscribed_at TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1,
    watermark INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '', last_sent_at TEXT, lease_owner TEXT, lease_until TEXT);
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY, question TEXT NOT NULL, punkter TEXT NOT NULL DEFAULT '[]',
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')), created_at TEXT NOT NULL);
"""
REFERENCE = '{"conversation": {"id": "19:cf@thread.tacv2"}, "serviceUrl": "https://smba.example/"}'


@pytest.fixture
def target(settings):
    """Where the catalog is: a SQLite path, or a fresh PostgreSQL schema's URL."""
    return settings.catalog


def raw(target, statements: str, rows: list[tuple[str, tuple]]) -> None:
    """Make tables and rows as an older release did, with no schema_version."""
    db = Database(target)
    try:
        with db.transaction():
            db.create(statements)
            for sql, params in rows:
                db.execute(sql, params)
    finally:
        db.close()


def versions(catalog: Catalog) -> list[int]:
    rows = catalog.db.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
    return [r["version"] for r in rows]


def test_a_new_database_is_made_at_the_latest_version(target):
    with Catalog(target) as catalog:
        assert versions(catalog) == [m.version for m in schema.MIGRATIONS]
        assert schema.version(catalog.db) == schema.LATEST
    with Catalog(target) as catalog:  # opened again: nothing more to do
        assert versions(catalog) == [m.version for m in schema.MIGRATIONS]


def test_the_oldest_unversioned_shapes_are_brought_forward_with_their_rows(target):
    raw(target, OLDEST, [
        ("INSERT INTO meetings (forum, meeting_date, content_hash, ingested_at, indexed_hash, "
         "chunk_ids) VALUES (?,?,?,?,?,?)",
         ("CF", "2024-04-24", "h1", "2024-04-25T08:00:00+00:00", "h1", '["c1", "c2"]')),
        ("INSERT INTO subscriptions (conversation_id, service_url, reference, subscribed_at, "
         "watermark) VALUES (?,?,?,?,?)",
         ("19:cf@thread.tacv2", "https://smba.example/", REFERENCE, "2024-05-01T08:00:00+00:00",
          7)),
        ("INSERT INTO feedback (question, punkter, vote, created_at) VALUES (?,?,?,?)",
         ("før", '[{"date": "2024-04-24", "punkt": 7}]', "up", "2024-05-02T08:00:00+00:00")),
    ])
    with Catalog(target) as catalog:
        assert schema.version(catalog.db) == schema.LATEST
        [meeting] = catalog.meetings()
        assert (meeting.forum, meeting.meeting_date.isoformat(), meeting.kind) == \
            ("CF", "2024-04-24", "referat")
        ledger = IndexLedger(catalog.db)
        assert ledger.indexed_hashes() == {("CF", "2024-04-24"): "h1"}  # nothing re-indexed
        assert ledger.chunk_ids("CF", meeting.meeting_date) == ["c1", "c2"]
        subscription = Subscriptions.over(catalog).get("19:cf@thread.tacv2")
        assert (subscription.watermarks, subscription.in_doubt) == ({Interest(): 7}, None)
        feedback = Feedback(catalog.db)
        for _ in range(2):  # one vote per feedback activity, on the table taken over
            feedback.react("a:chat", "m2", Reaction("down", "hmm"), invoke_id="feedback-1")
        assert [(v.question, v.vote, v.comment) for v in feedback.votes()] == [
            ("før", "up", ""), ("", "down", "hmm")]


def test_a_ledger_from_before_chunk_ids_is_not_carried_over(target):
    """Without the chunk ids the meeting must be re-indexed, or its old chunks would stay."""
    raw(target, OLDEST.replace(", chunk_ids TEXT NOT NULL DEFAULT '[]'", ""), [
        ("INSERT INTO meetings (forum, meeting_date, content_hash, ingested_at, indexed_hash) "
         "VALUES (?,?,?,?,?)", ("CF", "2024-04-24", "h1", "2024-04-25T08:00:00+00:00", "h1"))])
    with Catalog(target) as catalog:
        assert IndexLedger(catalog.db).stale(catalog)[0].content_hash == "h1"


def test_todays_unversioned_database_keeps_every_row(target):
    """The last unversioned shape, a row in each of its tables: as many rows after the
    migrations, the retry dedupe's in the leases table."""
    raw(target, schema.UNVERSIONED, [
        ("INSERT INTO meetings (forum, meeting_date, content_hash, ingested_at) VALUES (?,?,?,?)",
         ("CF", "2024-04-24", "h1", "2024-04-25T08:00:00+00:00")),
        ("INSERT INTO punkter (meeting_id, number, title, first_seq, first_ingested_at) "
         "SELECT id, 1, 'Godkendelse af dagsorden', 1, ingested_at FROM meetings", ()),
        ("INSERT INTO sources (file_hash, path, meeting_id, ingested_at) "
         "SELECT 'f1', 'cf.txt', id, ingested_at FROM meetings", ()),
        ("INSERT INTO settings (key, value) VALUES ('seq', '1')", ()),
        ("INSERT INTO index_ledger (forum, meeting_date, indexed_hash) VALUES (?,?,?)",
         ("CF", "2024-04-24", "h1")),
        ("INSERT INTO subscriptions (conversation_id, service_url, reference, subscribed_at) "
         "VALUES (?,?,?,?)", ("19:cf@thread.tacv2", "x", REFERENCE, "2024-05-01T08:00:00+00:00")),
        ("INSERT INTO feedback (question, vote, created_at) VALUES ('q', 'up', '2024-05-02')", ()),
        ("INSERT INTO sent_answers (answer_key, question, sent_at) VALUES ('k', 'q', '2024-05-02')",
         ()),
        ("INSERT INTO inbox_files (path, size, mtime_ns, status) VALUES ('a.txt', 1, 2, 'new')", ()),
        ("INSERT INTO intakes (owner, started_at, finished_at) VALUES ('h:1', 'a', 'b')", ()),
        ("INSERT INTO seen_activities (activity_key, seen_at) VALUES ('k', 1.0)", ()),
    ])
    with Catalog(target) as catalog:
        counts = {table: catalog.db.execute(f"SELECT COUNT(*) AS n FROM {table}").fetchone()["n"]
                  for table in ("meetings", "punkter", "sources", "settings", "index_ledger",
                                "subscriptions", "feedback", "sent_answers", "inbox_files",
                                "intakes", "leases")}
    assert counts == dict.fromkeys(counts, 1)


def test_the_leases_move_to_their_table_and_still_hold(target):
    """From version 1: a digest send, an inbox file and an activity each claimed by a
    process on another machine, and an activity handled; after the move each still keeps
    this process out, and the columns and table they lived in are gone."""
    later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5)).isoformat(timespec="seconds")
    key = ("msteams", "a:chat", "act-1")
    handled = ("msteams", "a:chat", "act-2")
    db = Database(target)
    try:
        schema.migrate(db, target=1)
        with db.transaction():
            db.execute("INSERT INTO subscriptions (conversation_id, service_url, reference, "
                       "subscribed_at, lease_owner, lease_until, sending_watermark) "
                       "VALUES (?,?,?,?,?,?,?)", ("19:cf@thread.tacv2", "x", REFERENCE,
                                                   "2024-05-01", "elsewhere:1", later, 9))
            db.execute("INSERT INTO inbox_files (path, size, mtime_ns, status, owner, lease_until) "
                       "VALUES ('a.txt', 1, 2, 'taking', 'elsewhere:1', ?)", (later,))
            now = dt.datetime.now(dt.timezone.utc).timestamp()
            for activity, owner in ((key, "elsewhere:1"), (handled, "")):
                digest = hashlib.sha256(json.dumps(list(activity)).encode()).hexdigest()
                db.execute("INSERT INTO seen_activities (activity_key, seen_at, owner) "
                           "VALUES (?,?,?)", (digest, now, owner))
    finally:
        db.close()
    with Catalog(target) as catalog:
        assert schema.version(catalog.db) == schema.LATEST
        now = dt.datetime.now(dt.timezone.utc)
        subscriptions = Subscriptions.over(catalog)
        assert subscriptions.claim("19:cf@thread.tacv2", "here:2", now=now,
                                   lease=dt.timedelta(minutes=5)) is None
        assert subscriptions.get("19:cf@thread.tacv2").in_doubt == 9
        intake = Intake(catalog.db)
        assert intake.files()["a.txt"].owner == "elsewhere:1"
        assert not intake.claim("a.txt", Stamp(1, 3), "here:2", now=now)
        seen = SeenActivities(catalog.db)
        assert not seen.first_time(key) and not seen.first_time(handled)
        assert seen.first_time(("msteams", "a:chat", "act-3"))
        assert not {"lease_owner", "lease_until"} & catalog.db.columns("subscriptions")
        assert not {"owner", "lease_until"} & catalog.db.columns("inbox_files")
        assert not catalog.db.columns("seen_activities")


def test_meetings_indexed_before_the_layout_are_indexed_again(target):
    """From version 2: a meeting the ledger knows, indexed when the index held chunks
    only, has layout 0 after migration 3, so the index's sync takes it up again (with its
    sentences) while the hash it was built from is kept."""
    db = Database(target)
    try:
        schema.migrate(db, target=2)
        with db.transaction():
            db.execute("INSERT INTO index_ledger (forum, meeting_date, indexed_hash, chunk_ids) "
                       "VALUES ('Chefforum', '2024-04-24', 'h1', '[\"c1\"]')")
    finally:
        db.close()
    with Catalog(target) as catalog:
        assert schema.version(catalog.db) == schema.LATEST
        ledger = IndexLedger(catalog.db)
        assert ledger.indexed_hashes() == {("Chefforum", "2024-04-24"): "h1"}
        assert ledger.indexed_hashes(layout=LAYOUT) == {}
        assert ledger.chunk_ids("Chefforum", dt.date(2024, 4, 24)) == ["c1"]


def test_subscriptions_follow_every_forum_from_their_watermark_after_migration_4(target):
    """From version 3: each subscription, active or not, follows every forum's decisions
    from where its digest stood, and the watermark column is gone from its row."""
    db = Database(target)
    try:
        schema.migrate(db, target=3)
        with db.transaction():
            for conversation, active, watermark in (("a:1", 1, 7), ("a:2", 0, 3)):
                db.execute("INSERT INTO subscriptions (conversation_id, service_url, reference, "
                           "subscribed_at, active, watermark) VALUES (?,?,?,?,?,?)",
                           (conversation, "x", REFERENCE, "2024-05-01", active, watermark))
    finally:
        db.close()
    with Catalog(target) as catalog:
        assert schema.version(catalog.db) == schema.LATEST
        subscriptions = Subscriptions.over(catalog)
        assert subscriptions.get("a:1").watermarks == {Interest(): 7}
        assert subscriptions.get("a:2").watermarks == {Interest(): 3}
        assert [s.conversation_id for s in subscriptions.active()] == ["a:1"]
        assert "watermark" not in catalog.db.columns("subscriptions")


@pytest.mark.parametrize("before, layout, table, keys", [
    (4, 1, SentenceVectors, ["a", "b"]),
    (5, 2, ChunkVectors, ["Chefforum:2024-04-24:7:0", "Chefforum:2024-04-24:7:1"]),
], ids=["5: sentence vectors", "6: chunk vectors"])
def test_meetings_of_the_layout_before_a_vectors_table_are_indexed_again(target, before,
                                                                          layout, table, keys):
    """From the version before migration 5 (6): the sentence (chunk) vectors' table is
    made, empty, and a meeting indexed in layout 1 (2), with its sentences (chunks) in
    Chroma alone, is stale, so the next sync moves (copies) them into it; vectors written
    then are read back as written, by their keys, on either backend."""
    db = Database(target)
    try:
        schema.migrate(db, target=before)
        with db.transaction():
            db.execute("INSERT INTO index_ledger (forum, meeting_date, indexed_hash, chunk_ids, "
                       "layout) VALUES ('Chefforum', '2024-04-24', 'h1', '[\"c1\"]', ?)",
                       (layout,))
    finally:
        db.close()
    with Catalog(target) as catalog:
        assert schema.version(catalog.db) == schema.LATEST
        assert IndexLedger(catalog.db).indexed_hashes(layout=LAYOUT) == {}
        vectors = table(catalog.db)
        assert vectors.count() == 0
        written = np.arange(6, dtype=np.float32).reshape(2, 3) / 10
        vectors.replace("Chefforum", dt.date(2024, 4, 24), {7: (keys, written)})
        read_keys, read = vectors.of_punkt("Chefforum", dt.date(2024, 4, 24), 7)
        assert read_keys == tuple(keys) and np.array_equal(read, written)


def test_concurrent_first_starts_migrate_once(target):
    """Four processes' connections open a new database at once: each migration is
    recorded once, and every opening succeeds."""
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def open_it():
        start.wait()
        try:
            Catalog(target).close()
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Catalog(target) as catalog:
        assert versions(catalog) == [m.version for m in schema.MIGRATIONS]


def test_a_database_from_a_newer_release_is_refused_with_the_reason(target):
    with Catalog(target) as catalog:
        with catalog.transaction() as db:
            db.execute("INSERT INTO schema_version (version, description, applied_at) "
                       "VALUES (?, 'from the future', '2030-01-01')", (schema.LATEST + 1,))
    with pytest.raises(CatalogUnavailable, match=f"schema version {schema.LATEST + 1}, newer"):
        Catalog(target)
