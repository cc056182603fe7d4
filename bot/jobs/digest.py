"""The daily digest: for each subscription, the decisions ingested since its last digest
that its interests ask for (a forum's, or every forum's; about a topic, or any), in one
message (`bot.cards.digest_card`), sent once.

A topic is matched by `retrieval.topics.about` over the search index's lexical state; a
decision the index has not taken in yet waits for a later run (its interest's watermark
stops before it), so a decision is never skipped for a topic because the index lagged.

The watermark moves only after Teams accepted the message, so a failed send is retried
at the next run; a lease claimed in one write transaction of the catalog keeps two
`serve` processes from sending the same digest. One window remains that no sender can
close alone, since the Teams connector does not deduplicate what a bot posts (and a bot
must not set an activity's id): a process killed after Teams accepted a message and
before the watermark was written sends that digest again on restart. It is kept short:
the watermark is one statement that waits for no other writer (`Subscriptions.delivered`),
and the intent recorded before the POST (`sending`) lets the next sender say, in the log,
that the digest it sends again may already be there. The scheduler is a
pure function of the clock (`next_run`), so tests drive it with their own clock.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable
from zoneinfo import ZoneInfo

from bot.cards import digest_card
from bot.jobs.leases import this_process
from bot.jobs.subscriptions import Interest, Subscription, Subscriptions
from ingest.catalog import Catalog, NewDecision
from retrieval.index import LexicalState
from retrieval.ledger import IndexLedger
from retrieval.topics import about

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=5)


class DeliveryFailed(Exception):
    """The connector refused the message; `permanent` when the bot is gone (403/404)."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status

    @property
    def permanent(self) -> bool:
        return self.status in (403, 404)


Sender = Callable[[Subscription, dict], Awaitable[None]]


@dataclass(frozen=True)
class DigestResult:
    conversation_id: str
    status: str  # sent | nothing new | busy | failed | deactivated
    decisions: int = 0
    error: str = ""


#: The search index's lexical state now, None while it loads (topics wait then).
IndexState = Callable[[], LexicalState | None]


@dataclass(frozen=True)
class Due:
    """What a subscription gets now: each new decision once, whichever of its interests
    asked for it, and each interest's watermark once they are delivered."""

    decisions: list[NewDecision]
    watermarks: dict[Interest, int]


def due(catalog: Catalog, sub: Subscription, state: LexicalState | None) -> Due:
    """The new decisions of `sub`'s interests. Blocks: catalog reads."""
    chosen: dict[tuple[str, str, int], NewDecision] = {}
    marks: dict[Interest, int] = {}
    read = catalog.max_seq()  # before reading: all up to it is in what is read next
    for interest, mark in sub.watermarks.items():
        found = [d for d in catalog.decisions_since(mark, interest.forum) if d.seq <= read]
        weighed = read
        if interest.topic:
            if state is None:
                continue  # nothing can tell yet what is about the topic
            verdicts = about(state, interest.topic, [_key(d) for d in found])
            waiting = [d.seq for d in found if verdicts[_key(d)] is None]
            if waiting:  # the index lags: nothing from the first ingest it lacks on
                found = [d for d in found if d.seq < min(waiting)]
                weighed = min(waiting) - 1
            found = [d for d in found if verdicts[_key(d)]]
        marks[interest] = max(mark, weighed)
        chosen.update((_key(d), d) for d in found)
    return Due(list(chosen.values()), marks)


def _key(d: NewDecision) -> tuple[str, str, int]:
    return (d.forum, d.meeting_date.isoformat(), d.punkt.number)


def words_of(catalog: Catalog) -> LexicalState:
    """The catalog's words now, as the search index reads them. Blocks: catalog reads."""
    return LexicalState.build(catalog, IndexLedger(catalog.db))


def words_for(subscriptions: list[Subscription], index_state: IndexState) -> LexicalState | None:
    """The words topics are matched on, read only when a subscription follows a topic:
    outside the server they cost a read of the whole catalog."""
    if any(i.topic for s in subscriptions for i in s.watermarks):
        return index_state()
    return None


# --- sending ---------------------------------------------------------------------------

def pending(catalog: Catalog, subscriptions: Subscriptions,
            index_state: IndexState) -> list[tuple[Subscription, list[NewDecision]]]:
    """What each active subscription would get now (for `digest --dry-run`)."""
    active = subscriptions.active()
    state = words_for(active, index_state)
    return [(s, due(catalog, s, state).decisions) for s in active]


class DigestRunner:
    """`may_send(service_url)`: whether a digest may go there (with auth on, only to a Bot
    Framework channel's, `BotEndpoint.may_send_to`); a subscription to any other is made
    inactive instead. `index_state`: the search index's words for topics (`serve`'s
    engine has them); without it they are read from the catalog at each run."""

    def __init__(self, catalog: Catalog, subscriptions: Subscriptions, send: Sender, *,
                 index_state: IndexState | None = None, owner: str | None = None,
                 may_send: Callable[[str], bool] = lambda service_url: True):
        self.catalog = catalog
        self.subscriptions = subscriptions
        self.send = send
        self.index_state = index_state or (lambda: words_of(catalog))
        self.owner = owner or this_process()
        self.may_send = may_send

    async def run_once(self, now: dt.datetime | None = None) -> list[DigestResult]:
        now = now or dt.datetime.now(dt.timezone.utc)
        results = []
        subscriptions = await asyncio.to_thread(self.subscriptions.active)
        state = await asyncio.to_thread(words_for, subscriptions, self.index_state)
        for sub in subscriptions:
            results.append(await self._one(sub.conversation_id, now, state))
        return results

    async def refuse_unsendable(self) -> list[DigestResult]:
        """Make every active subscription that `may_send` refuses inactive (at start-up:
        subscriptions made while auth was off keep the service URL their caller gave)."""
        subs = await asyncio.to_thread(self.subscriptions.active)
        return [refused for sub in subs if (refused := await self._refuse(sub))]

    async def _refuse(self, sub: Subscription) -> DigestResult | None:
        """None if the digest may go to `sub`'s service URL; else it is made inactive."""
        urls = dict.fromkeys((sub.service_url, sub.reference.get("serviceUrl") or ""))
        refused = [url for url in urls if not self.may_send(url)]
        if not refused:
            return None
        reason = f"the service URL {refused[0]!r} is not a Bot Framework channel's"
        await asyncio.to_thread(self.subscriptions.deactivate, sub.conversation_id, reason)
        log.warning("digest: %s made inactive, sending it nothing: %s", sub.conversation_id,
                    reason)
        return DigestResult(sub.conversation_id, "deactivated", error=reason)

    async def _one(self, conversation_id: str, now: dt.datetime,
                   state: LexicalState | None) -> DigestResult:
        subs = self.subscriptions
        sub = await asyncio.to_thread(subs.claim, conversation_id, self.owner, now=now, lease=LEASE)
        if sub is None:
            return DigestResult(conversation_id, "busy")
        if refused := await self._refuse(sub):
            return refused
        found = await asyncio.to_thread(due, self.catalog, sub, state)
        decisions = found.decisions
        if not decisions:
            await asyncio.to_thread(subs.considered, conversation_id, self.owner,
                                    found.watermarks)
            await asyncio.to_thread(subs.release, conversation_id, self.owner)
            return DigestResult(conversation_id, "nothing new")
        watermark = max(d.seq for d in decisions)
        if sub.in_doubt is not None:
            log.warning("digest: the last sender to %s died during its POST; the digest up to "
                        "%d may be there already and is sent again", conversation_id,
                        sub.in_doubt)
        await asyncio.to_thread(subs.sending, conversation_id, self.owner, watermark)
        try:
            await self.send(sub, digest_card(decisions, tuple(sub.watermarks)))
        except DeliveryFailed as e:
            gone = await asyncio.to_thread(subs.failed, conversation_id, self.owner, str(e),
                                           permanent=e.permanent)
            if gone:
                log.warning("digest: %s made inactive after repeated %s: %s",
                            conversation_id, e.status, e)
            else:
                log.warning("digest: sending to %s failed (%s), retried next run",
                            conversation_id, e)
            return DigestResult(conversation_id, "deactivated" if gone else "failed",
                                len(decisions), str(e))
        await asyncio.to_thread(subs.delivered, conversation_id, self.owner, found.watermarks,
                                now=now)
        return DigestResult(conversation_id, "sent", len(decisions))


# --- when ------------------------------------------------------------------------------

def next_run(after: dt.datetime, *, at: str = "08:00", timezone: str = "Europe/Copenhagen",
             weekdays_only: bool = True) -> dt.datetime:
    """The first digest time strictly after `after` (aware), in local time `at`."""
    zone = ZoneInfo(timezone)
    hour, minute = (int(x) for x in at.split(":"))
    local = after.astimezone(zone)
    day = local.date()
    while True:
        candidate = dt.datetime.combine(day, dt.time(hour, minute), zone)
        if candidate > local and (not weekdays_only or candidate.weekday() < 5):
            return candidate
        day += dt.timedelta(days=1)


async def schedule(runner: DigestRunner, *, at: str, timezone: str, weekdays_only: bool,
                   clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
                   sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
    """Run the digest at each scheduled time until cancelled; a failing run is logged and
    the schedule goes on."""
    while True:
        due = next_run(clock(), at=at, timezone=timezone, weekdays_only=weekdays_only)
        while (wait := (due - clock()).total_seconds()) > 0:
            await sleep(min(wait, 60.0))
        try:
            results = await runner.run_once(clock())
            log.info("digest: %s", ", ".join(f"{r.conversation_id}={r.status}" for r in results))
        except Exception:  # the scheduler must survive a bad run; the error is logged
            log.exception("digest run failed")
