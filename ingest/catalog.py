"""The catalog: the source of truth for meetings and punkter, in SQLite or PostgreSQL
(ingest/db.py).

The search index is derived from it, and records in its own table of the same database
what it was built from (each meeting's `content_hash`), so an ingest killed between the
catalog commit and the index write is repaired on the next run. Every write is one
transaction.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path

from ingest import cases, schema
from ingest.db import CatalogUnavailable, Database
from ingest.forum_names import same_forum
from ingest.model import CLOSED_TITLE, DAGSORDEN, REFERAT, Meeting, Outcome, Punkt
from ingest.parse import content_hash

#: Reads kept (the last answer of each read and its arguments, with the catalog's version
#: it was read at): a read repeated while nothing was stored since is answered from memory
#: (a question's citations read the same meetings again and again), and what was quoted
#: before a PostgreSQL restart stays answerable through it.
REMEMBERED_READS = 256


def remembered(read):
    """A read answered from memory while the catalog's version (its `seq`, which every
    stored meeting moves on, in whichever process) is the one it was read at; read again
    otherwise. When the database does not answer: what it last returned for the same
    arguments (CatalogUnavailable when it never did)."""
    @functools.wraps(read)
    def remembering(self: "Catalog", *args, **kwargs):
        key = (read.__name__, *args, *sorted(kwargs.items()))
        try:
            version = self.max_seq()
            kept = self._remembered.get(key)
            if kept is not None and kept[0] == version:
                value = kept[1]
            else:
                value = read(self, *args, **kwargs)
        except CatalogUnavailable:
            if key not in self._remembered:
                raise
            value = self._remembered[key][1]
            version = None  # never current: read again once the database answers
        with self._lock:
            self._remembered[key] = (version, value)
            self._remembered.move_to_end(key)
            while len(self._remembered) > REMEMBERED_READS:
                self._remembered.popitem(last=False)
        return list(value) if isinstance(value, list) else value
    return remembering


@dataclass(frozen=True)
class MeetingSummary:
    forum: str
    meeting_date: dt.date
    time: str
    place: str
    punkter: int
    source: str
    kind: str = REFERAT

    def to_json(self) -> dict:
        return {"forum": self.forum, "meeting_date": self.meeting_date.isoformat(),
                "time": self.time, "place": self.place, "punkter": self.punkter,
                "source": self.source, "kind": self.kind}


@dataclass(frozen=True)
class NewDecision:
    """A punkt with a Beslutning, as the digest lists it; `seq` orders ingestion."""

    seq: int
    forum: str
    meeting_date: dt.date
    punkt: Punkt


@dataclass(frozen=True)
class CaseStep:
    """One open punkt on a case's path through the forums (`Catalog.case_path`)."""

    forum: str
    meeting_date: dt.date
    punkt: Punkt

    def to_json(self) -> dict:
        """A step as `referatbot case --json` prints it."""
        p = self.punkt
        return {"forum": self.forum, "meeting_date": self.meeting_date.isoformat(),
                "punkt": p.number, "title": p.title, "case_number": p.case_number,
                "decision": p.decision}


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Catalog:
    """Meetings and punkter in a SQLite file (a path) or a PostgreSQL database (a
    `postgresql://` URL). Safe to share between threads. Opening it brings the whole
    database to the latest schema (ingest/schema.py)."""

    def __init__(self, target: Path | str):
        self.db = Database(target)
        self._lock = self.db.lock
        self._remembered: OrderedDict[tuple, object] = OrderedDict()
        try:
            schema.migrate(self.db)
        except BaseException:
            self.db.close()
            raise

    @property
    def location(self) -> str:
        """'sqlite <path>' or 'postgresql <URL without the password>', for logs."""
        return f"{self.db.backend} {self.db.location}"

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Catalog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def transaction(self):
        """A write transaction (ingest/db.py); yields the Database. The index's ledger, the
        subscriptions and the feedback, whose tables share the database, take theirs from
        `db` itself."""
        return self.db.transaction()

    # --- writing ---------------------------------------------------------------------

    def knows_file(self, file_hash: str) -> bool:
        with self._lock:
            row = self.db.execute("SELECT 1 FROM sources WHERE file_hash=?", (file_hash,)).fetchone()
        return row is not None

    def store(self, meeting: Meeting, file_hash: str) -> Outcome:
        """Write a meeting in one transaction: NEW, REPLACED, UNCHANGED or KEPT.

        A meeting is identified by forum and date, so the same minutes as .pdf and .txt are
        one meeting, and its referat replaces its agenda; an agenda that arrives after the
        referat is not stored (KEPT: the referat stays). Punkter keep their
        first-ingested sequence across replacements when number and title are unchanged,
        so a corrected referat does not re-announce them. A forum the catalog knows under
        another spelling (`ØKONOMIUDVALG`, `Økonomiudvalget`) keeps the one it has.
        """
        now = _now()
        with self.transaction():
            meeting = self._as_known_forum(meeting)
            row = self.db.execute(
                "SELECT id, content_hash, kind FROM meetings WHERE forum=? AND meeting_date=?",
                (meeting.forum, meeting.meeting_date.isoformat())).fetchone()
            if row and row["kind"] == REFERAT and meeting.kind == DAGSORDEN:
                return Outcome.KEPT
            if row and row["content_hash"] == meeting.content_hash:
                status, meeting_id = Outcome.UNCHANGED, row["id"]
            elif row:
                status, meeting_id = Outcome.REPLACED, row["id"]
                first = self._replace_meeting(meeting_id, meeting, now)
                self._insert_punkter(meeting_id, meeting, now, first)
            else:
                status, meeting_id = Outcome.NEW, self._insert_meeting(meeting, now)
                self._insert_punkter(meeting_id, meeting, now, {})
            self.db.upsert("sources", "file_hash", {"file_hash": file_hash, "path": meeting.source,
                                                    "meeting_id": meeting_id, "ingested_at": now})
        return status

    def _as_known_forum(self, meeting: Meeting) -> Meeting:
        """The meeting under its forum's name as first stored, its hash made anew with it."""
        known = next((r["forum"] for r in self.db.execute("SELECT DISTINCT forum FROM meetings")
                      if r["forum"] != meeting.forum and same_forum(r["forum"], meeting.forum)),
                     None)
        if known is None:
            return meeting
        return replace(meeting, forum=known, content_hash=content_hash(
            known, meeting.meeting_date.isoformat(), meeting.punkter, meeting.time, meeting.place))

    def _insert_meeting(self, meeting: Meeting, now: str) -> int:
        return self.db.execute(
            "INSERT INTO meetings (forum, meeting_date, time, place, source, content_hash, "
            "ingested_at, kind) VALUES (?,?,?,?,?,?,?,?) RETURNING id",
            (meeting.forum, meeting.meeting_date.isoformat(), meeting.time, meeting.place,
             meeting.source, meeting.content_hash, now, meeting.kind)).fetchone()["id"]

    def _replace_meeting(self, meeting_id: int, meeting: Meeting,
                         now: str) -> dict[tuple[int, str], tuple[int, str]]:
        """Update the meeting's row and drop its punkter; returns when each dropped
        punkt (by number and title) was first ingested, for the new ones to keep."""
        first = {(p["number"], p["title"]): (p["first_seq"], p["first_ingested_at"])
                 for p in self.db.execute(
                     "SELECT number, title, first_seq, first_ingested_at FROM punkter "
                     "WHERE meeting_id=?", (meeting_id,))}
        self.db.execute("DELETE FROM punkter WHERE meeting_id=?", (meeting_id,))
        self.db.execute(
            "UPDATE meetings SET time=?, place=?, source=?, content_hash=?, ingested_at=?, "
            "kind=? WHERE id=?", (meeting.time, meeting.place, meeting.source,
                                  meeting.content_hash, now, meeting.kind, meeting_id))
        return first

    def _insert_punkter(self, meeting_id: int, meeting: Meeting, now: str,
                        first: dict[tuple[int, str], tuple[int, str]]) -> None:
        seq = self._next_seq()
        for p in meeting.punkter:
            first_seq, first_at = first.get((p.number, p.title), (seq, now))
            if p.closed:  # a closed punkt's row holds its number and nothing of it
                p = Punkt(number=p.number, title=CLOSED_TITLE, closed=True)
            self.db.execute(
                "INSERT INTO punkter (meeting_id, number, title, heading, case_number, closed, "
                "sections, bilag, first_seq, first_ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (meeting_id, p.number, p.title, p.heading, p.case_number, int(p.closed),
                 json.dumps(p.sections, ensure_ascii=False),
                 json.dumps(list(p.bilag), ensure_ascii=False), first_seq, first_at))

    def _next_seq(self) -> int:
        row = self.db.execute(
            "INSERT INTO settings (key, value) VALUES ('seq', '1') ON CONFLICT (key) DO UPDATE "
            "SET value=CAST(CAST(settings.value AS INTEGER) + 1 AS TEXT) RETURNING value").fetchone()
        return int(row["value"])

    def get_setting(self, key: str) -> str | None:
        with self._lock:
            row = self.db.execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
        return row["value"] if row else None

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction():
            self.db.upsert("settings", "key", {"key": key, "value": value})

    # --- reading ---------------------------------------------------------------------

    @remembered
    def meetings(self) -> list[MeetingSummary]:
        """All meetings, oldest first."""
        with self._lock:
            rows = self.db.execute(
                "SELECT m.*, (SELECT COUNT(*) FROM punkter p WHERE p.meeting_id=m.id) AS n "
                "FROM meetings m ORDER BY meeting_date, forum").fetchall()
        return [MeetingSummary(r["forum"], dt.date.fromisoformat(r["meeting_date"]), r["time"],
                               r["place"], r["n"], r["source"], r["kind"]) for r in rows]

    def forums(self) -> list[str]:
        """The forums of the meetings, by name."""
        return sorted({m.forum for m in self.meetings()})

    def forums_on(self, day: dt.date) -> list[str]:
        """The forums that met on `day`, by name."""
        return sorted({m.forum for m in self.meetings() if m.meeting_date == day})

    @remembered
    def meeting(self, day: dt.date, forum: str | None = None) -> Meeting | None:
        sql = "SELECT * FROM meetings WHERE meeting_date=?"
        args: list = [day.isoformat()]
        if forum:
            sql += " AND forum=?"
            args.append(forum)
        with self._lock:
            row = self.db.execute(sql + " ORDER BY forum LIMIT 1", args).fetchone()
            return self._meeting(row) if row else None

    @remembered
    def latest(self, forum: str | None = None) -> Meeting | None:
        """The latest meeting (of `forum`, when given)."""
        where, args = (" WHERE forum=?", [forum]) if forum else ("", [])
        with self._lock:
            row = self.db.execute(f"SELECT * FROM meetings{where} "
                                  "ORDER BY meeting_date DESC, forum LIMIT 1", args).fetchone()
            return self._meeting(row) if row else None

    def nearest_dates(self, day: dt.date, n: int = 3, forum: str | None = None) -> list[dt.date]:
        """Meeting dates closest to `day` (of `forum`'s meetings, when given), for 'no
        meeting that day' replies."""
        dates = sorted({m.meeting_date for m in self.meetings() if forum in (None, m.forum)})
        return sorted(sorted(dates, key=lambda d: abs((d - day).days))[:n])

    def iter_meetings(self):
        """Every meeting with its punkter, oldest first."""
        with self._lock:
            rows = self.db.execute("SELECT * FROM meetings ORDER BY meeting_date, forum").fetchall()
        for row in rows:
            with self._lock:
                yield self._meeting(row)

    def content_hashes(self) -> dict[tuple[str, str], str]:
        """(forum, ISO date) -> content hash of every meeting, oldest first: what the
        search index compares with what it was built from."""
        with self._lock:
            rows = self.db.execute("SELECT forum, meeting_date, content_hash FROM meetings "
                                   "ORDER BY meeting_date, forum").fetchall()
        return {(r["forum"], r["meeting_date"]): r["content_hash"] for r in rows}

    def count(self) -> tuple[int, int]:
        """(meetings, punkter)"""
        with self._lock:
            row = self.db.execute("SELECT (SELECT COUNT(*) FROM meetings) AS m, "
                                  "(SELECT COUNT(*) FROM punkter) AS p").fetchone()
        return row["m"], row["p"]

    def max_seq(self) -> int:
        return int(self.get_setting("seq") or 0)

    def decisions_since(self, seq: int, forum: str = "") -> list[NewDecision]:
        """Open punkter with a Beslutning first ingested after `seq` (of `forum`, when
        given), by meeting and punkt."""
        where, params = ("AND m.forum=? ", (seq, forum)) if forum else ("", (seq,))
        with self._lock:
            rows = self.db.execute(
                "SELECT p.*, m.forum, m.meeting_date FROM punkter p JOIN meetings m "
                f"ON m.id=p.meeting_id WHERE p.first_seq > ? AND p.closed=0 {where}"
                "ORDER BY m.meeting_date, m.forum, p.number", params).fetchall()
        out = []
        for r in rows:
            punkt = _punkt(r)
            if punkt.decision:
                out.append(NewDecision(r["first_seq"], r["forum"],
                                       dt.date.fromisoformat(r["meeting_date"]), punkt))
        return out

    @remembered
    def case_path(self, number: str) -> list[CaseStep]:
        """Every open punkt whose case number is `number` however written (ingest/cases.py),
        across meetings and forums, oldest first. A closed punkt is never on it: its row
        holds no case number, and closed rows are left out besides."""
        wanted = cases.normal(number)
        if not wanted:
            return []
        with self._lock:  # the rows holding the number's digits, then its writing compared
            rows = self.db.execute(
                "SELECT p.*, m.forum, m.meeting_date FROM punkter p JOIN meetings m "
                "ON m.id=p.meeting_id WHERE p.closed=0 AND p.case_number LIKE ? "
                "ORDER BY m.meeting_date, m.forum, p.number",
                (f"%{cases.longest_digits(wanted)}%",)).fetchall()
        return [CaseStep(r["forum"], dt.date.fromisoformat(r["meeting_date"]), _punkt(r))
                for r in rows if cases.normal(r["case_number"]) == wanted]

    def _meeting(self, row) -> Meeting:
        punkter = self.db.execute(
            "SELECT * FROM punkter WHERE meeting_id=? ORDER BY number", (row["id"],)).fetchall()
        return Meeting(
            forum=row["forum"],
            meeting_date=dt.date.fromisoformat(row["meeting_date"]),
            time=row["time"],
            place=row["place"],
            source=row["source"],
            content_hash=row["content_hash"],
            punkter=tuple(_punkt(p) for p in punkter),
            kind=row["kind"],
        )


def _punkt(row) -> Punkt:
    if row["closed"]:
        return Punkt(number=row["number"], title=CLOSED_TITLE, closed=True)
    return Punkt(
        number=row["number"],
        title=row["title"],
        heading=row["heading"],
        case_number=row["case_number"],
        sections=json.loads(row["sections"]),
        bilag=tuple(json.loads(row["bilag"])),
    )

