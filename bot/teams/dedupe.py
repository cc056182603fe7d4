"""Remembering activity ids for a while, so a retried activity is answered once.

Teams' connector waits 15 s for our HTTP reply and may send the same activity again
(same id) when it does not get one in time or a network hop fails; behind a load
balancer the retry may reach another replica. So each activity is claimed as a lease
(bot/jobs/leases.py, named 'activity:<hash>') in the catalog's database, which every replica
shares; a claim is one write transaction, so only one process wins it.

A claim is held by its process ('host:pid') until the turn is over (`handled`), then by
nobody until TTL_SECONDS after that. A claim whose process died in the middle of the turn
(killed: it can neither finish nor let go) would swallow the retry meant to replace it,
so it is void at once when that process was on this machine, and after IN_FLIGHT_SECONDS
otherwise. Keys are stored as hashes: no conversation or activity id is kept.

`Dedupe` is the adapter's middleware that asks, for each activity, whether it is the
first time.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import logging
import time
from typing import Awaitable, Callable

from botbuilder.core import Middleware, TurnContext
from botbuilder.schema import ActivityEventNames, ActivityTypes

from bot.jobs import leases
from ingest.db import Database

log = logging.getLogger(__name__)
TTL_SECONDS = 15 * 60
#: A turn acknowledges within seconds (bot/teams/handler.py ACK_AFTER); a claim held longer
#: than this by a process on another machine is taken to be that of a dead process.
IN_FLIGHT_SECONDS = 60.0
#: How often a process clears claims past their TTL (each claim clears its own key anyway).
PURGE_SECONDS = 60.0
#: The leases' names: this and the key's hash.
LEASE_PREFIX = "activity:"
Key = tuple[str, ...]


class SeenActivities:
    """The activities claimed in the last `ttl` seconds, by every process on the catalog.
    Calls block (a database write): run them in a thread from async code. `clock` is the
    wall clock (epoch seconds), which processes on several machines share."""

    def __init__(self, db: Database, *, ttl: float = TTL_SECONDS, owner: str | None = None,
                 clock: Callable[[], float] = time.time):
        self.db = db
        self.ttl = ttl
        self.owner = owner or leases.this_process()
        self.clock = clock
        self._purged_at = dt.datetime.min.replace(tzinfo=dt.timezone.utc)

    def first_time(self, key: Key) -> bool:
        """Claim `key`: True for the one caller, in any process, that claims it first
        within the TTL (or takes over the claim of a dead process)."""
        now = self._now()
        in_flight = dt.timedelta(seconds=min(IN_FLIGHT_SECONDS, self.ttl))
        with self.db.transaction() as db:
            if (now - self._purged_at).total_seconds() >= PURGE_SECONDS:
                leases.purge(db, LEASE_PREFIX, now)
                self._purged_at = now
            return leases.claim(db, _lease(key), self.owner, now=now, until=now + in_flight)

    def handled(self, key: Key) -> None:
        """The turn is over: the claim stays for the TTL, held by no process."""
        with self.db.transaction() as db:
            leases.renew(db, _lease(key), self.owner, to=leases.NOBODY,
                         until=self._now() + dt.timedelta(seconds=self.ttl))

    def forget(self, key: Key) -> None:
        """Let `key` be claimed again (its turn failed)."""
        with self.db.transaction() as db:
            leases.release(db, _lease(key), self.owner)

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.timezone.utc)


def _lease(key: Key) -> str:
    return LEASE_PREFIX + hashlib.sha256(json.dumps(list(key)).encode()).hexdigest()


class Dedupe(Middleware):
    """Runs each (channel, conversation, activity id) once, across the replicas sharing
    the catalog; a retry of one in flight or recently handled is acknowledged without a
    second reply. Runs after authentication, so an unauthenticated caller cannot burn the
    id of a real activity. When the catalog does not answer, the activity is answered
    (a possible second answer to a retry beats none)."""

    def __init__(self, seen: SeenActivities):
        self.seen = seen

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable]) -> None:
        activity = context.activity
        # An invoke waits for its own response (the handler answers each alike); one
        # skipped here would have none, and botbuilder would answer the retry with a 501.
        if not activity.id or activity.name == ActivityEventNames.continue_conversation \
                or activity.type == ActivityTypes.invoke:
            await logic()
            return
        key = (activity.channel_id or "", activity.conversation.id if activity.conversation
               else "", activity.id)
        try:
            first = await asyncio.to_thread(self.seen.first_time, key)
        except Exception:  # the catalog's database is down: answer without the memory
            log.warning("could not check whether activity %s was seen before; answering it",
                        activity.id, exc_info=True)
            first = True
        if not first:
            log.info("activity %s seen before: not answering it again", activity.id)
            return
        try:
            await logic()
        except BaseException:
            # let the channel's retry have another go
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.seen.forget, key)
            raise
        with contextlib.suppress(Exception):  # else the claim is void after IN_FLIGHT_SECONDS
            await asyncio.to_thread(self.seen.handled, key)
