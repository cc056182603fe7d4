"""Leases in the catalog's database: the right of one process at a time to do one thing
(send a conversation's digest, take an inbox file, answer an activity), held by a process
named 'host:pid' until a moment. One table, `leases` (name, owner, until; made by
ingest/schema.py), for all three, named '<what>:<which>'.

The calls take the Database inside the caller's write transaction, so a claim and what it
guards are one: ingest/db.py keeps other processes out of it, and two cannot both win.
A lease whose holder was a process on this machine that no longer runs (killed in the
middle of a send or a turn: it can neither finish nor let go) is void at once, so a
restart takes it over instead of waiting for it to run out; a holder on another machine
is waited for. `until` is kept in epoch seconds, a clock the machines share.
"""
from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass

from ingest.db import Database

#: The holder of a lease that no process holds: it stands until it runs out.
NOBODY = ""
#: A condition on a statement's table: `name` (the first of two parameters) is held by
#: `owner` (the second).
HELD = "EXISTS (SELECT 1 FROM leases WHERE name=? AND owner=?)"


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def holder_is_dead(owner: str | None) -> bool:
    """True for an owner on this machine whose process no longer runs. Another machine's,
    a running or an unknown process's is not: at worst its lease is waited for."""
    host, _, pid = (owner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) in (0, os.getpid()):
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, OSError):  # someone else's process, or no pid
        return False
    return False


@dataclass(frozen=True)
class Lease:
    name: str
    owner: str
    until: float

    def live(self, now: dt.datetime) -> bool:
        """Holding at `now`: not run out, and its holder not known to be dead."""
        return self.until > now.timestamp() and not holder_is_dead(self.owner)


def holder(db: Database, name: str) -> Lease | None:
    row = db.execute("SELECT name, owner, until FROM leases WHERE name=?", (name,)).fetchone()
    return Lease(row["name"], row["owner"], row["until"]) if row else None


def claim(db: Database, name: str, owner: str, *, now: dt.datetime, until: dt.datetime,
          again: bool = False) -> bool:
    """Take `name` for `owner` until `until`, or False while it is held: by another, or by
    `owner` itself unless `again` (what a process left unfinished it may take again)."""
    held = holder(db, name)
    if held is not None and held.live(now) and not (again and held.owner == owner):
        return False
    db.upsert("leases", "name", {"name": name, "owner": owner, "until": until.timestamp()})
    return True


def renew(db: Database, name: str, owner: str, *, until: dt.datetime,
          to: str | None = None) -> bool:
    """Hold `name` until `until`, and hand it `to` another holder (NOBODY: none), if
    `owner` holds it; whether it did."""
    cur = db.execute("UPDATE leases SET owner=?, until=? WHERE name=? AND owner=?",
                     (owner if to is None else to, until.timestamp(), name, owner))
    return cur.rowcount == 1


def release(db: Database, name: str, owner: str | None) -> None:
    """Give `name` back, if `owner` holds it (None: whoever does)."""
    if owner is None:
        db.execute("DELETE FROM leases WHERE name=?", (name,))
    else:
        db.execute("DELETE FROM leases WHERE name=? AND owner=?", (name, owner))


def purge(db: Database, prefix: str, now: dt.datetime) -> None:
    """Forget the leases whose names start with `prefix` that ran out before `now`."""
    db.execute("DELETE FROM leases WHERE substr(name, 1, ?) = ? AND until < ?",
               (len(prefix), prefix, now.timestamp()))
