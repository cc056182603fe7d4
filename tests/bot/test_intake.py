"""The inbox's records in the catalog (bot/jobs/intake.py), with the SQLite and the
PostgreSQL catalog: a file is claimed by one process, not again at the stamp it was taken
at, again once it changes; a lease that ran out or whose holder died is void."""
from __future__ import annotations

import datetime as dt
import socket
import subprocess

import pytest

from bot.jobs.inbox import Inbox
from bot.jobs.intake import LEASE, TAKING, Intake, Stamp
from ingest.pipeline import FileResult

pytestmark = pytest.mark.both_catalogs

NOW = dt.datetime(2024, 6, 5, 9, 0, tzinfo=dt.timezone.utc)
#: a modification time in nanoseconds, past what a 32-bit column holds
STAMP = Stamp(38_754, 1_717_578_000_123_456_789)


def dead_owner() -> str:
    """A lease owner on this machine whose process has ended."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return f"{socket.gethostname()}:{proc.pid}"


def test_one_claim_at_a_time_and_none_again_at_the_same_stamp(catalog):
    intake = Intake(catalog.db)
    assert intake.claim("a.txt", STAMP, "host-a:1", now=NOW)
    assert not intake.claim("a.txt", STAMP, "host-b:2", now=NOW)  # held by a
    assert intake.files()["a.txt"].status == TAKING
    assert intake.files()["a.txt"].held_by_another("host-b:2", NOW)

    intake.finish("host-a:1", NOW, [FileResult("a.txt", "refused", reason="the file is empty")],
                  now=NOW)
    for owner in ("host-a:1", "host-b:2"):  # refused at this stamp: not read again
        assert not intake.claim("a.txt", STAMP, owner, now=NOW + dt.timedelta(hours=1))
    row = intake.files()["a.txt"]
    assert (row.stamp, row.status, row.reason, row.owner) == (STAMP, "refused", "the file is empty", None)

    changed = Stamp(STAMP.size + 10, STAMP.mtime_ns + 1)
    assert intake.claim("a.txt", changed, "host-b:2", now=NOW)


def test_a_lease_that_ran_out_or_whose_holder_died_is_void(catalog):
    intake = Intake(catalog.db)
    assert intake.claim("a.txt", STAMP, "host-a:1", now=NOW)
    assert not intake.claim("a.txt", STAMP, "host-b:2", now=NOW + LEASE - dt.timedelta(seconds=1))
    assert intake.claim("a.txt", STAMP, "host-b:2", now=NOW + LEASE + dt.timedelta(seconds=1))

    assert intake.claim("b.txt", STAMP, dead_owner(), now=NOW)
    assert intake.claim("b.txt", STAMP, "host-b:2", now=NOW)


def test_a_released_claim_is_taken_again_and_a_round_is_recorded(catalog):
    intake = Intake(catalog.db)
    assert intake.claim("c.txt", STAMP, "host-a:1", now=NOW)
    intake.release("c.txt", "host-a:1")
    assert "c.txt" not in intake.files()
    assert intake.claim("c.txt", STAMP, "host-a:1", now=NOW)
    assert intake.claim("d.pdf", STAMP, "host-a:1", now=NOW)
    results = [FileResult("c.txt", "new", "2024-06-05"),
               FileResult("d.pdf", "new", "2024-06-19", warning="read despite damage (pypdf: x)")]
    intake.finish("host-a:1", NOW - dt.timedelta(seconds=3), results, now=NOW)
    [record] = intake.intakes()
    assert record.to_json() == {
        "owner": "host-a:1", "started_at": "2024-06-05T08:59:57+00:00",
        "finished_at": "2024-06-05T09:00:00+00:00", "taken": 2, "refused": 0,
        "meetings_added": 2, "meetings_replaced": 0,
        "files": [{"path": "c.txt", "status": "new", "meeting_date": "2024-06-05",
                   "reason": "", "warning": ""},
                  {"path": "d.pdf", "status": "new", "meeting_date": "2024-06-19",
                   "reason": "", "warning": "read despite damage (pypdf: x)"}]}
    assert intake.files()["d.pdf"].warning == "read despite damage (pypdf: x)"


def test_a_claim_left_by_a_crash_on_a_file_since_deleted_is_dropped(catalog, tmp_path):
    """A process that died while taking a file leaves its claim; once the file is gone from
    the inbox, nothing would ever finish it: the next poll drops it. A claim another
    process still holds stays, and an inbox that cannot be listed drops nothing."""
    intake = Intake(catalog.db)
    now = dt.datetime.now(dt.timezone.utc)
    assert intake.claim("gone.txt", STAMP, dead_owner(), now=now)
    assert intake.claim("busy.txt", STAMP, "host-b:2", now=now)  # another machine, at it
    folder = tmp_path / "inbox"
    inbox = Inbox(folder, catalog)

    assert inbox.take() == [] and not inbox.reachable  # the share is away
    assert set(intake.files()) == {"gone.txt", "busy.txt"}
    folder.mkdir()
    assert inbox.take() == [] and inbox.reachable
    assert set(intake.files()) == {"busy.txt"}
