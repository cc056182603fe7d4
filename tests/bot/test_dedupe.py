"""The memory of handled activities, in the catalog's database: one claim per activity
within the TTL, whichever process or connection asks, and gone after it; a claim left by
a dead process does not swallow the retry. Each test runs with the SQLite and with the
PostgreSQL catalog."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading

import pytest

from bot.stores import open_catalog
from bot.teams.dedupe import IN_FLIGHT_SECONDS, PURGE_SECONDS, SeenActivities

pytestmark = pytest.mark.both_catalogs
KEY = ("msteams", "a:personal-chat-1", "act-1")


class Clock:
    def __init__(self):
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def rows(catalog) -> int:
    with catalog.transaction() as db:
        return db.execute("SELECT COUNT(*) AS n FROM leases WHERE name LIKE 'activity:%'") \
            .fetchone()["n"]


def test_second_sight_is_refused_until_the_ttl_passes(catalog):
    clock = Clock()
    seen = SeenActivities(catalog.db, ttl=60, clock=clock)
    assert seen.first_time(KEY)
    assert not seen.first_time(KEY)
    clock.now += 59
    assert not seen.first_time(KEY)
    clock.now += 2
    assert seen.first_time(KEY)
    assert not seen.first_time(KEY)


def test_the_channel_and_conversation_are_part_of_the_key(catalog):
    seen = SeenActivities(catalog.db)
    assert seen.first_time(KEY)
    assert seen.first_time(("msteams", "another-chat", "act-1"))
    assert seen.first_time(("webchat", "a:personal-chat-1", "act-1"))


def test_forget_lets_a_failed_activity_be_retried(catalog):
    seen = SeenActivities(catalog.db)
    assert seen.first_time(KEY)
    seen.forget(KEY)
    assert seen.first_time(KEY)


def test_another_process_on_the_catalog_sees_the_claim(settings, catalog):
    with open_catalog(settings) as other:  # a connection of its own, as a replica has
        assert SeenActivities(catalog.db).first_time(KEY)
        assert not SeenActivities(other.db).first_time(KEY)


def test_racing_replicas_each_claim_an_activity_once(settings, catalog):
    """Four connections claim the same 40 activities at once: each is won exactly once."""
    keys = [("msteams", "chat", f"act-{i}") for i in range(40)]
    won: list[tuple] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def replica():
        with open_catalog(settings) as own:
            seen = SeenActivities(own.db)
            start.wait()
            for key in keys:
                if seen.first_time(key):
                    with lock:
                        won.append(key)

    threads = [threading.Thread(target=replica) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(won) == sorted(keys)


def test_ids_past_the_ttl_are_cleared_and_none_is_stored_in_the_clear(catalog):
    clock = Clock()
    seen = SeenActivities(catalog.db, ttl=60, clock=clock)
    for i in range(5):
        assert seen.first_time(("msteams", "a:personal-chat-1", f"act-{i}"))
    assert rows(catalog) == 5
    with catalog.transaction() as db:
        stored = " ".join(r["name"] for r in db.execute("SELECT name FROM leases"))
    assert "act-" not in stored and "personal-chat" not in stored
    clock.now += max(60, PURGE_SECONDS) + 1
    assert seen.first_time(("msteams", "a:personal-chat-1", "act-new"))
    assert rows(catalog) == 1


def test_a_claim_held_by_a_dead_process_is_taken_over(catalog):
    """A process killed mid-turn cannot finish or let go: its retry must be answered."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    killed = SeenActivities(catalog.db, owner=f"{socket.gethostname()}:{dead.pid}")
    assert killed.first_time(KEY)
    assert SeenActivities(catalog.db).first_time(KEY)


def test_a_claim_in_flight_elsewhere_holds_until_it_is_handled_or_too_old(catalog):
    clock = Clock()
    elsewhere = SeenActivities(catalog.db, owner=f"another-host:{os.getpid()}", clock=clock)
    here = SeenActivities(catalog.db, clock=clock)
    assert elsewhere.first_time(KEY)
    clock.now += IN_FLIGHT_SECONDS - 1
    assert not here.first_time(KEY)  # in flight on another machine: waited for
    clock.now += 2
    assert here.first_time(KEY)  # held too long: its process is taken to be gone

    other = ("msteams", "a:personal-chat-1", "act-2")
    assert elsewhere.first_time(other)
    elsewhere.handled(other)
    clock.now += IN_FLIGHT_SECONDS + 1
    assert not here.first_time(other)  # handled: kept for the whole TTL
