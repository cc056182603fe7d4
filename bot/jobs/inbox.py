"""The inbox: a folder `serve` watches (REFERATBOT_INBOX; a network share in practice) and
takes each new or changed referat from, into the catalog and the search index, by itself.

A share sends no inotify events, so the folder is polled, every
REFERATBOT_INBOX_POLL_SECONDS. A file is taken only once its size and modification time
are the same on two polls in a row, so a copy in progress is not read half-written.
Taking a file is `ingest_file`, as `referatbot ingest` does it: idempotent, one
transaction a file, a bad file refused with the reason; but read in a child process given
READ_SECONDS, so that a file slow to read is refused and never holds up the rest, and a
link leading out of the inbox is refused, not followed. Each file is claimed in the
catalog first (bot/jobs/intake.py), so of several replicas on one inbox exactly one reads it
and indexes it, under the claim; the others take the new meetings into their index once
no file is being taken. Blocking work (the folder, the catalog, the index) runs in
worker threads.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
from pathlib import Path
from typing import Callable

from bot.engine import Engine
from bot.jobs.intake import TAKING, Intake, InboxFile, Stamp
from bot.jobs.leases import this_process
from ingest.catalog import Catalog
from ingest.limits import READ_SECONDS
from ingest.model import Outcome
from ingest.parse import DEFAULT_FORUM
from ingest.pipeline import FileResult, FoundFile, collect_files, ingest_file

log = logging.getLogger(__name__)
#: Files a round takes at most, so that a round (reading and indexing) stays well inside
#: its claims' lease; the rest wait for the next round.
MAX_FILES_A_ROUND = 20
#: Office's lock files beside an open document ("~$referat.docx") are no minutes.
LOCK_FILE_PREFIX = "~$"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Inbox:
    """One process's view of the inbox: what the last poll saw, and the refused files
    still in it (for /readyz). `take` and `finish` block: run them in a thread."""

    def __init__(self, folder: Path, catalog: Catalog, *, owner: str | None = None,
                 read_seconds: float = READ_SECONDS, default_forum: str = DEFAULT_FORUM):
        self.folder = folder
        self.catalog = catalog
        #: the forum of a referat that names none (REFERATBOT_DEFAULT_FORUM)
        self.default_forum = default_forum
        self.intake = Intake(catalog.db)
        self.owner = owner or this_process()
        self.polls = 0
        #: how long one file may take to read, in a child process killed when it is up
        self.read_seconds = read_seconds
        #: the folder could be listed at the last poll
        self.reachable = True
        #: refused files still in the inbox as they were refused, as of the last poll
        self.refused: tuple[InboxFile, ...] = ()
        #: another process is taking a file: its meetings are not indexed yet
        self.busy_elsewhere = False
        self._seen: dict[str, Stamp] = {}

    def report(self) -> dict:
        """For /readyz: the refused files by their path inside the inbox, in words."""
        return {"reachable": self.reachable,
                "refused": [{"path": f.path, "reason": f.reason} for f in self.refused]}

    def take(self, *, stop: Callable[[], bool] = lambda: False) -> list[FileResult]:
        """One poll: claim and ingest the files unchanged since the last poll that were
        not taken at this stamp yet. Results carry paths inside the inbox."""
        current = self._scan()
        ready = {p: s for p, s in current.items() if self._seen.get(p) == s}
        self._seen, self.polls = current, self.polls + 1
        now = _now()
        if self.reachable:
            for path in self.intake.forget_gone(current, self.owner, now=now):
                log.info("inbox: %s is gone; its claim, left by a process that stopped "
                         "taking it, is dropped", path)
        known = self.intake.files()
        self.busy_elsewhere = any(f.held_by_another(self.owner, now) for f in known.values())
        results: list[FileResult] = []
        for path, stamp in sorted(ready.items()):
            if stop() or len(results) >= MAX_FILES_A_ROUND:
                break
            row = known.get(path)
            if row and row.stamp == stamp and row.status != TAKING:
                continue
            if not self.intake.claim(path, stamp, self.owner, now=now):
                continue
            try:
                result = ingest_file(FoundFile(self.folder / path, self.folder), self.catalog,
                                     seconds=self.read_seconds,
                                     default_forum=self.default_forum)
            except Exception:  # the catalog or the machine, not the file: give it back
                log.exception("inbox: %s could not be taken; trying again next poll", path)
                with contextlib.suppress(Exception):
                    self.intake.release(path, self.owner)
                break
            results.append(dataclasses.replace(result, path=path))
        self._note_refused(current, known)
        return results

    def finish(self, results: list[FileResult], started: dt.datetime) -> None:
        """Record the round (after indexing, so the claims cover it) and say what came of
        each file, once."""
        self.intake.finish(self.owner, started, results, now=_now())
        for r in results:
            if r.status == Outcome.REFUSED:
                log.warning("inbox: refused %s: %s (not read again until it changes)",
                            r.path, r.reason)
            else:
                log.info("inbox: took %s: %s%s", r.path, r.status,
                         f" (meeting {r.meeting_date})" if r.meeting_date else "")
            if r.warning:
                log.warning("inbox: %s: %s", r.path, r.warning)
        self._note_refused(self._seen, self.intake.files())

    def _scan(self) -> dict[str, Stamp]:
        """The minutes files in the inbox, by path inside it, with their stamps."""
        if not self.folder.is_dir():
            if self.reachable:
                log.warning("inbox: %s cannot be read; it is polled again", self.folder)
            self.reachable = False
            return {}
        self.reachable = True
        files, _, _ = collect_files([self.folder])
        found: dict[str, Stamp] = {}
        for path in (f.path for f in files):
            if path.name.startswith(LOCK_FILE_PREFIX):
                continue
            try:
                st = path.stat()
            except OSError:  # removed between listing and looking
                continue
            found[path.relative_to(self.folder).as_posix()] = Stamp(st.st_size, st.st_mtime_ns)
        return found

    def _note_refused(self, current: dict[str, Stamp], known: dict[str, InboxFile]) -> None:
        self.refused = tuple(f for path, f in sorted(known.items())
                             if f.status == Outcome.REFUSED and current.get(path) == f.stamp)


async def intake_round(inbox: Inbox, engine: Engine, *,
                       stop: Callable[[], bool] = lambda: False) -> list[FileResult]:
    """Take what is ready, index it while the claims hold, and record it. A round that
    took nothing takes in what other processes took, unless one is still at it."""
    started = _now()
    results = await asyncio.to_thread(inbox.take, stop=stop)
    if not results:
        if not inbox.busy_elsewhere:
            await engine.refresh()
        return results
    try:
        if not stop():
            await engine.refresh()
    except Exception:  # the catalog holds the meetings; the next refresh indexes them
        log.exception("inbox: indexing the meetings taken failed; the next refresh tries again")
    await asyncio.to_thread(inbox.finish, results, started)
    return results


async def watch(inbox: Inbox, engine: Engine, *, every: float, stopping: asyncio.Event) -> None:
    """Poll every `every` seconds until `stopping` is set; a failing round is logged and
    the next one comes."""
    while not stopping.is_set():
        try:
            await intake_round(inbox, engine, stop=stopping.is_set)
        except Exception:
            log.exception("inbox: a poll failed; polling again in %g s", every)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stopping.wait(), every)
