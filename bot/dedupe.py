"""Remembering activity ids for a while, so a retried activity is answered once.

Teams' connector waits 15 s for our HTTP reply and may send the same activity again
(same id) when it does not get one in time or a network hop fails. Bounded in time and
in size; one process only (several server processes would need a shared store).
"""
from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable, Hashable

TTL_SECONDS = 15 * 60
MAX_IDS = 20_000


class RecentIds:
    def __init__(self, *, ttl: float = TTL_SECONDS, max_size: int = MAX_IDS,
                 clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.max_size = max_size
        self.clock = clock
        self._seen: OrderedDict[Hashable, float] = OrderedDict()

    def first_time(self, key: Hashable) -> bool:
        """True the first time `key` is seen within the TTL (and remembers it)."""
        now = self.clock()
        self._expire(now)
        if key in self._seen:
            return False
        self._seen[key] = now
        while len(self._seen) > self.max_size:
            self._seen.popitem(last=False)
        return True

    def forget(self, key: Hashable) -> None:
        """Let `key` be handled again (its first handling failed)."""
        self._seen.pop(key, None)

    def __len__(self) -> int:
        return len(self._seen)

    def _expire(self, now: float) -> None:
        while self._seen:
            key, seen_at = next(iter(self._seen.items()))
            if now - seen_at < self.ttl:
                break
            self._seen.popitem(last=False)
