"""What the inbox took, kept in the catalog's database: so that `referatbot status` reads
it while `serve` runs, and so that of several replicas watching one inbox exactly one
takes each file.

Two tables, written only here (ingest/schema.py makes them), through the catalog's
Database (as the subscriptions are): `inbox_files`, a row per file by its path inside
the inbox (replicas that mount the share in other places agree on it) with the size and
modification time it was taken at and what came of it; and `intakes`, a row per round
that took files: which process, when, and each file's result.

A file is claimed before it is read, in one write transaction, with a lease (bot/jobs/leases.py,
named 'inbox:<path>', as a digest send is), so two processes cannot both take it; a lease
whose holder on this machine no longer runs is void at once. A file whose size and
modification time are those it was taken at is not taken again: a refused file stays
refused until it changes. A claim on a file gone from the inbox whose holder stopped is
dropped at the next poll.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass

from bot.jobs import leases
from bot.jobs.leases import HELD, Lease
from ingest.db import Database
from ingest.model import Outcome
from ingest.pipeline import FileResult

#: The leases' names: this and the path inside the inbox.
LEASE_PREFIX = "inbox:"
#: The status of a file claimed and not yet finished; the others are FileResult's.
TAKING = "taking"
#: Long enough for a round to read its files and index them (MAX_FILES_A_ROUND in
#: bot/jobs/inbox.py); a holder that died on this machine is not waited for.
LEASE = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class Stamp:
    """What tells a file changed: its size and modification time."""

    size: int
    mtime_ns: int


@dataclass(frozen=True)
class InboxFile:
    path: str
    stamp: Stamp
    status: str
    meeting_date: str
    reason: str
    warning: str
    taken_at: str | None
    #: the lease of the process taking it, if one is
    lease: Lease | None

    @property
    def owner(self) -> str | None:
        return self.lease.owner if self.lease else None

    def held_by_another(self, owner: str, now: dt.datetime) -> bool:
        """Being taken by another process that may still be at it."""
        return (self.status == TAKING and self.lease is not None and self.lease.owner != owner
                and self.lease.live(now))


@dataclass(frozen=True)
class IntakeRecord:
    """One round that took files: `files` carry their paths inside the inbox."""

    owner: str
    started_at: str
    finished_at: str
    files: tuple[FileResult, ...]

    def count(self, status: Outcome) -> int:
        return sum(f.status == status for f in self.files)

    def to_json(self) -> dict:
        return {"owner": self.owner, "started_at": self.started_at,
                "finished_at": self.finished_at, "taken": len(self.files),
                "refused": self.count(Outcome.REFUSED), "meetings_added": self.count(Outcome.NEW),
                "meetings_replaced": self.count(Outcome.REPLACED),
                "files": [dataclasses.asdict(f) for f in self.files]}


#: Every file, with the lease of the process taking it (if one is).
FILES = ("SELECT f.*, l.name AS lease_name, l.owner, l.until FROM inbox_files f "
         f"LEFT JOIN leases l ON l.name = '{LEASE_PREFIX}' || f.path")


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


class Intake:
    """The inbox's two tables. Calls block (a database call): run them in a thread from
    async code."""

    def __init__(self, db: Database):
        self.db = db

    def files(self) -> dict[str, InboxFile]:
        """Every file the inbox has claimed, by its path inside the inbox."""
        with self.db.lock:
            rows = self.db.execute(FILES).fetchall()
        return {r["path"]: _file(r) for r in rows}

    def claim(self, path: str, stamp: Stamp, owner: str, *, now: dt.datetime,
              lease: dt.timedelta = LEASE) -> bool:
        """Take the right to read this file as it is now, or False: it was taken at this
        stamp already, or another process holds it (what this one left unfinished, it
        takes again). One write transaction."""
        with self.db.transaction() as db:
            row = db.execute("SELECT size, mtime_ns, status FROM inbox_files WHERE path=?",
                             (path,)).fetchone()
            if row is not None and Stamp(row["size"], row["mtime_ns"]) == stamp \
                    and row["status"] != TAKING:
                return False
            if not leases.claim(db, _lease(path), owner, now=now, until=now + lease, again=True):
                return False
            db.upsert("inbox_files", "path", {
                "path": path, "size": stamp.size, "mtime_ns": stamp.mtime_ns,
                "status": TAKING, "meeting_date": "", "reason": "", "warning": "",
                "taken_at": None})
        return True

    def forget_gone(self, present: Collection[str], owner: str, *, now: dt.datetime) -> list[str]:
        """Drop the claims on files no longer in the inbox (`present`) that no process is
        still taking: their holder stopped mid-intake (it crashed, or its lease ran out), and
        nothing would ever finish them. The paths dropped."""
        with self.db.transaction() as db:
            rows = db.execute(FILES + " WHERE f.status=?", (TAKING,)).fetchall()
            gone = [r["path"] for r in rows
                    if r["path"] not in present and not _file(r).held_by_another(owner, now)]
            for path in gone:
                db.execute("DELETE FROM inbox_files WHERE path=? AND status=?", (path, TAKING))
                leases.release(db, _lease(path), None)
        return gone

    def release(self, path: str, owner: str) -> None:
        """Reading failed for a reason that is not the file's (the catalog did not
        answer): let the next round take it again."""
        with self.db.transaction() as db:
            db.execute(f"DELETE FROM inbox_files WHERE path=? AND status=? AND {HELD}",
                       (path, TAKING, _lease(path), owner))
            leases.release(db, _lease(path), owner)

    def finish(self, owner: str, started: dt.datetime, results: list[FileResult], *,
               now: dt.datetime) -> None:
        """The round's files are read (and indexed): record what came of each, and the
        round, in one transaction."""
        with self.db.transaction() as db:
            for r in results:
                db.execute(
                    "UPDATE inbox_files SET status=?, meeting_date=?, reason=?, warning=?, "
                    f"taken_at=? WHERE path=? AND {HELD}",
                    (r.status, r.meeting_date, r.reason, r.warning, _iso(now), r.path,
                     _lease(r.path), owner))
                leases.release(db, _lease(r.path), owner)
            db.execute("INSERT INTO intakes (owner, started_at, finished_at, files) "
                       "VALUES (?,?,?,?)",
                       (owner, _iso(started), _iso(now),
                        json.dumps([dataclasses.asdict(r) for r in results], ensure_ascii=False)))

    def intakes(self, limit: int = 1) -> list[IntakeRecord]:
        """The last `limit` rounds that took files, newest first."""
        with self.db.lock:
            rows = self.db.execute("SELECT * FROM intakes ORDER BY id DESC LIMIT ?",
                                   (limit,)).fetchall()
        return [IntakeRecord(r["owner"], r["started_at"], r["finished_at"],
                             tuple(FileResult(**f) for f in json.loads(r["files"])))
                for r in rows]


def _lease(path: str) -> str:
    return LEASE_PREFIX + path


def _file(row) -> InboxFile:
    """A row of FILES."""
    lease = Lease(row["lease_name"], row["owner"], row["until"]) if row["lease_name"] else None
    return InboxFile(row["path"], Stamp(row["size"], row["mtime_ns"]), row["status"],
                     row["meeting_date"], row["reason"], row["warning"], row["taken_at"], lease)
