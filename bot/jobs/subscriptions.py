"""Digest subscriptions, kept in the catalog's database so they survive restarts.

Each row holds the Teams conversation reference (as JSON, with the tenant id that
botbuilder 4.17.1 drops) and who subscribed and when. What the conversation follows are
its interests: a forum's decisions or every forum's, about a topic or any (`abonner`,
`abonner byrådet`, `abonner parkering`, `abonner byrådet parkering`), each with its
watermark: the catalog sequence number up to which that interest's decisions were
considered. So an interest added later starts from then, and one forum's new minutes
never move another's mark. Sending is guarded by a lease (bot/jobs/leases.py, named
'digest:<conversation id>'), claimed in one write transaction, so two `serve` processes
never send the same digest at once; the lease of a process killed in the middle of a send
on this machine is void at once, so a restart sends that digest.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Callable

from bot.jobs import leases
from bot.jobs.leases import HELD
from ingest.catalog import Catalog
from ingest.db import Database

#: The leases' names: this and the conversation id.
LEASE_PREFIX = "digest:"
#: After this many failed sends in a row that say the bot is gone (403/404), stop trying.
MAX_PERMANENT_FAILURES = 3


#: The longest topic kept (a topic is a few words: `parkering`, `skolernes budget`).
MAX_TOPIC_CHARS = 100


@dataclass(frozen=True, order=True)
class Interest:
    """What a conversation follows: the decisions of `forum` (as the catalog spells it;
    "" every forum's) about `topic` ("" any decision)."""

    forum: str = ""
    topic: str = ""


@dataclass(frozen=True)
class Subscription:
    conversation_id: str
    tenant_id: str
    service_url: str
    reference: dict
    subscribed_by: str
    subscribed_at: str
    active: bool
    #: each interest and its watermark
    watermarks: dict[Interest, int]
    failures: int
    last_error: str
    #: the watermark of a digest whose sender died during the POST: it may have arrived
    in_doubt: int | None = None

    @property
    def watermark(self) -> int:
        """The sequence number up to which every interest's decisions were considered."""
        return min(self.watermarks.values(), default=0)


def _now(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")


class Subscriptions:
    """The subscriptions table, in the catalog's database (`ingest.db.Database`), which
    it alone writes (ingest/schema.py makes it). `sequence` is the catalog's ingest
    sequence now: a new subscription's watermark."""

    def __init__(self, db: Database, *, sequence: Callable[[], int]):
        self.db = db
        self.sequence = sequence

    @classmethod
    def over(cls, catalog: Catalog) -> "Subscriptions":
        """The subscriptions kept beside `catalog`, watermarked by its ingest sequence."""
        return cls(catalog.db, sequence=catalog.max_seq)

    def subscribe(self, reference: dict, *, tenant_id: str, service_url: str,
                  subscribed_by: str, interests: tuple[Interest, ...] = (Interest(),)) -> bool:
        """Follow `interests` in a conversation; False if it followed them all already.
        A new interest covers only decisions ingested after this moment. Subscribing again
        keeps the watermarks but takes the new reference: Teams may move a conversation to
        another service URL, and the digest must follow it."""
        conversation_id = reference["conversation"]["id"]
        with self.db.transaction() as db:
            row = db.execute("SELECT active FROM subscriptions WHERE conversation_id=?",
                             (conversation_id,)).fetchone()
            if row and row["active"]:
                db.execute("UPDATE subscriptions SET reference=?, service_url=?, tenant_id=? "
                           "WHERE conversation_id=?",
                           (json.dumps(reference, ensure_ascii=False), service_url, tenant_id,
                            conversation_id))
                known = set(_interests(db, conversation_id))
            else:
                db.upsert("subscriptions", "conversation_id", {
                    "conversation_id": conversation_id, "tenant_id": tenant_id,
                    "service_url": service_url,
                    "reference": json.dumps(reference, ensure_ascii=False),
                    "subscribed_by": subscribed_by, "subscribed_at": _now(), "active": 1,
                    "failures": 0, "last_error": "", "last_sent_at": None})
                db.execute("DELETE FROM subscription_interests WHERE conversation_id=?",
                           (conversation_id,))
                leases.release(db, _lease(conversation_id), None)
                known = set()
            new = [i for i in dict.fromkeys(interests) if i not in known]
            for interest in new:
                db.execute("INSERT INTO subscription_interests (conversation_id, forum, topic, "
                           "watermark, added_at) VALUES (?, ?, ?, ?, ?)",
                           (conversation_id, interest.forum, interest.topic, self.sequence(),
                            _now()))
        return bool(new)

    def unsubscribe(self, conversation_id: str, *, forum: str | None = None,
                    topic: str | None = None) -> int:
        """End the interests of `forum` and about `topic` (None: any), the whole
        subscription once none is left; how many interests ended."""
        with self.db.transaction() as db:
            row = db.execute("SELECT active FROM subscriptions WHERE conversation_id=?",
                             (conversation_id,)).fetchone()
            if not (row and row["active"]):
                return 0
            ending = [i for i in _interests(db, conversation_id)
                      if forum in (None, i.forum) and topic in (None, i.topic)]
            for interest in ending:
                db.execute("DELETE FROM subscription_interests WHERE conversation_id=? AND "
                           "forum=? AND topic=?", (conversation_id, interest.forum, interest.topic))
            if not _interests(db, conversation_id):
                db.execute("UPDATE subscriptions SET active=0 WHERE conversation_id=?",
                           (conversation_id,))
        return len(ending)

    def deactivate(self, conversation_id: str, reason: str) -> None:
        """End a subscription the bot must not send to, saying why (its lease too)."""
        with self.db.transaction() as db:
            db.execute("UPDATE subscriptions SET active=0, last_error=?, sending_watermark=NULL "
                       "WHERE conversation_id=?", (reason[:500], conversation_id))
            leases.release(db, _lease(conversation_id), None)

    def get(self, conversation_id: str) -> Subscription | None:
        with self.db.transaction() as db:
            row = db.execute("SELECT * FROM subscriptions WHERE conversation_id=?",
                             (conversation_id,)).fetchone()
            return _subscription(db, row) if row else None

    def active(self) -> list[Subscription]:
        with self.db.transaction() as db:
            rows = db.execute("SELECT * FROM subscriptions WHERE active=1 "
                              "ORDER BY subscribed_at").fetchall()
            return [_subscription(db, r) for r in rows]

    def claim(self, conversation_id: str, owner: str, *, now: dt.datetime,
              lease: dt.timedelta) -> Subscription | None:
        """Take the right to send this conversation's digest, or None if another process
        holds it. One write transaction, so two processes cannot both win."""
        with self.db.transaction() as db:
            row = db.execute("SELECT active FROM subscriptions WHERE conversation_id=?",
                             (conversation_id,)).fetchone()
            if not (row and row["active"]) or not leases.claim(
                    db, _lease(conversation_id), owner, now=now, until=now + lease):
                return None
            row = db.execute("SELECT * FROM subscriptions WHERE conversation_id=?",
                             (conversation_id,)).fetchone()
            return _subscription(db, row)

    def sending(self, conversation_id: str, owner: str, watermark: int) -> None:
        """Just before the POST: a digest up to `watermark` is on its way. Left standing by
        a process killed during the send, it tells the next sender that this digest may
        already be in the conversation (`Subscription.in_doubt`)."""
        with self.db.transaction() as db:
            db.execute("UPDATE subscriptions SET sending_watermark=? WHERE conversation_id=? "
                       f"AND {HELD}", (watermark, conversation_id, _lease(conversation_id), owner))

    def delivered(self, conversation_id: str, owner: str, watermarks: dict[Interest, int], *,
                  now: dt.datetime) -> None:
        """Teams accepted the digest: move the watermarks, then release the lease. Each one
        statement outside a write transaction (the lease in the first one's WHERE keeps it
        safe), so it waits for no other writer: until the first, a kill makes the digest
        be sent again; after it, the lease is a dead process's and void."""
        self.considered(conversation_id, owner, watermarks)
        self.db.execute(
            "UPDATE subscriptions SET failures=0, last_error='', last_sent_at=?, "
            f"sending_watermark=NULL WHERE conversation_id=? AND {HELD}",
            (_now(now), conversation_id, _lease(conversation_id), owner))
        leases.release(self.db, _lease(conversation_id), owner)

    def considered(self, conversation_id: str, owner: str, watermarks: dict[Interest, int]) -> None:
        """Each interest's decisions up to its new watermark were weighed (and sent, or
        none was about its topic): one statement, never moving a mark back."""
        if not watermarks:
            return
        cases = " ".join("WHEN forum=? AND topic=? AND watermark < ? THEN ?" for _ in watermarks)
        marks = [v for i, mark in watermarks.items() for v in (i.forum, i.topic, mark, mark)]
        self.db.execute(
            f"UPDATE subscription_interests SET watermark=CASE {cases} ELSE watermark END "
            f"WHERE conversation_id=? AND {HELD}",
            (*marks, conversation_id, _lease(conversation_id), owner))

    def release(self, conversation_id: str, owner: str) -> None:
        """Nothing was sent (nothing new): give the lease back."""
        with self.db.transaction() as db:
            db.execute("UPDATE subscriptions SET sending_watermark=NULL WHERE conversation_id=? "
                       f"AND {HELD}", (conversation_id, _lease(conversation_id), owner))
            leases.release(db, _lease(conversation_id), owner)

    def failed(self, conversation_id: str, owner: str, error: str, *, permanent: bool) -> bool:
        """A send failed; the watermark stays, so the next run retries. Returns True when
        the subscription was made inactive (the bot was removed from the conversation)."""
        with self.db.transaction() as db:
            db.execute(
                "UPDATE subscriptions SET failures=failures+1, last_error=?, "
                f"sending_watermark=NULL WHERE conversation_id=? AND {HELD}",
                (error[:500], conversation_id, _lease(conversation_id), owner))
            leases.release(db, _lease(conversation_id), owner)
            if not permanent:
                return False
            cur = db.execute(
                "UPDATE subscriptions SET active=0 WHERE conversation_id=? AND failures>=?",
                (conversation_id, MAX_PERMANENT_FAILURES))
        return cur.rowcount > 0


def _lease(conversation_id: str) -> str:
    return LEASE_PREFIX + conversation_id


def _interests(db: Database, conversation_id: str) -> dict[Interest, int]:
    rows = db.execute("SELECT forum, topic, watermark FROM subscription_interests "
                      "WHERE conversation_id=? ORDER BY forum, topic", (conversation_id,))
    return {Interest(r["forum"], r["topic"]): r["watermark"] for r in rows.fetchall()}


def _subscription(db: Database, row) -> Subscription:
    return Subscription(
        conversation_id=row["conversation_id"],
        tenant_id=row["tenant_id"],
        service_url=row["service_url"],
        reference=json.loads(row["reference"]),
        subscribed_by=row["subscribed_by"],
        subscribed_at=row["subscribed_at"],
        active=bool(row["active"]),
        watermarks=_interests(db, row["conversation_id"]),
        failures=row["failures"],
        last_error=row["last_error"],
        in_doubt=row["sending_watermark"],
    )
