"""The memory of recent activity ids: bounded in time and in size."""
from __future__ import annotations

from bot.dedupe import RecentIds


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_second_sight_is_refused_until_the_ttl_passes():
    clock = Clock()
    recent = RecentIds(ttl=60, clock=clock)
    assert recent.first_time(("msteams", "conv", "1"))
    assert not recent.first_time(("msteams", "conv", "1"))
    clock.now += 59
    assert not recent.first_time(("msteams", "conv", "1"))
    clock.now += 2
    assert recent.first_time(("msteams", "conv", "1"))


def test_size_is_bounded_oldest_first():
    recent = RecentIds(max_size=3, clock=Clock())
    for key in "abcd":
        assert recent.first_time(key)
    assert len(recent) == 3
    assert recent.first_time("a")  # forgotten to make room
    assert not recent.first_time("d")


def test_forget_lets_a_failed_activity_be_retried():
    recent = RecentIds(clock=Clock())
    assert recent.first_time("x")
    recent.forget("x")
    assert recent.first_time("x")
