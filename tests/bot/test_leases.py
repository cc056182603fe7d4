"""The one lease mechanism (bot/jobs/leases.py) that the digest's sends, the inbox's claims and
the retry dedupe share: one holder at a time until the lease runs out, a dead holder on
this machine void at once, a lease handed to nobody standing until it runs out. Each test
runs with the SQLite and with the PostgreSQL catalog."""
from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess

import pytest

from bot.jobs import leases

pytestmark = pytest.mark.both_catalogs

NOW = dt.datetime(2024, 6, 5, 9, 0, tzinfo=dt.timezone.utc)
MINUTE = dt.timedelta(minutes=1)
A, B = "host-a:1", "host-b:2"


def dead_owner() -> str:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return f"{socket.gethostname()}:{proc.pid}"


def claim(catalog, name: str, owner: str, now: dt.datetime = NOW, **kwargs) -> bool:
    with catalog.transaction() as db:
        return leases.claim(db, name, owner, now=now, until=now + MINUTE, **kwargs)


def test_one_holder_until_the_lease_runs_out(catalog):
    assert claim(catalog, "digest:c1", A)
    assert not claim(catalog, "digest:c1", B, NOW + MINUTE - dt.timedelta(seconds=1))
    assert not claim(catalog, "digest:c1", A)  # its own live lease too
    assert claim(catalog, "digest:c1", A, again=True)  # unless it takes it again
    assert claim(catalog, "digest:c2", B)  # another name
    assert claim(catalog, "digest:c1", B, NOW + MINUTE)
    with catalog.transaction() as db:
        assert leases.holder(db, "digest:c1").owner == B


def test_a_dead_holder_on_this_machine_is_void_at_once(catalog):
    assert claim(catalog, "inbox:a.txt", dead_owner())
    assert claim(catalog, "inbox:a.txt", B)


def test_release_and_renew_only_by_the_holder(catalog):
    assert claim(catalog, "activity:k", A)
    with catalog.transaction() as db:
        leases.release(db, "activity:k", B)
        assert not leases.renew(db, "activity:k", B, until=NOW + 10 * MINUTE)
        assert leases.holder(db, "activity:k").owner == A
        # handed to nobody: no process's death ends it, only time
        assert leases.renew(db, "activity:k", A, until=NOW + 10 * MINUTE, to=leases.NOBODY)
    assert not claim(catalog, "activity:k", B, NOW + 9 * MINUTE)
    assert claim(catalog, "activity:k", B, NOW + 10 * MINUTE)
    with catalog.transaction() as db:
        leases.release(db, "activity:k", B)
        assert leases.holder(db, "activity:k") is None
    assert claim(catalog, "activity:k", A)
    with catalog.transaction() as db:
        leases.release(db, "activity:k", None)  # whoever holds it
        assert leases.holder(db, "activity:k") is None


def test_purge_forgets_only_run_out_leases_of_its_kind(catalog):
    for name in ("activity:old", "digest:old"):
        assert claim(catalog, name, A)
    assert claim(catalog, "activity:new", A, NOW + 2 * MINUTE)
    with catalog.transaction() as db:
        leases.purge(db, "activity:", NOW + 2 * MINUTE)
        left = {r["name"] for r in db.execute("SELECT name FROM leases")}
    assert left == {"digest:old", "activity:new"}


def test_who_is_dead():
    here = socket.gethostname()
    assert leases.holder_is_dead(dead_owner())
    assert not leases.holder_is_dead(leases.this_process())
    assert not leases.holder_is_dead(f"{here}:{os.getppid()}")  # running
    assert not leases.holder_is_dead(f"another-host:{os.getpid() + 1}")  # not ours to tell
    for unreadable in (None, leases.NOBODY, "no-pid", f"{here}:0", f"{here}:x"):
        assert not leases.holder_is_dead(unreadable)
