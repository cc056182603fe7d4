"""A bounded cache that its owner holds as plain data.

`functools.lru_cache` around a bound method kept on the instance (`self._f =
lru_cache()(self._g)`) makes a reference cycle: the instance holds the cache, the cache
holds the method, the method holds the instance. Such an object is freed only when the
cycle collector next gets to it, which for a replaced search index (hundreds of MB at
1,000 meetings) was up to a full collection later. A `Memo` holds results, never the
function: the owner passes its method at each call, so the owner and its caches go the
moment the last reference to the owner does.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from threading import Lock
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_MISSING = object()


class Memo(Generic[K, V]):
    """The results of one function of a key, at most `size` of them (once full, the
    oldest goes first); safe to share between the threads that answer questions. A hit
    is one dict lookup, without a lock: the lookups run thousands of times a question."""

    def __init__(self, size: int):
        if size < 1:
            raise ValueError(f"a Memo holds at least one result, not {size}")
        self.size = size
        self._results: dict[K, V] = {}
        self._lock = Lock()

    def get(self, key: K, compute: Callable[[K], V]) -> V:
        """The result for `key`, from `compute(key)` the first time (outside the lock: two
        threads may compute the same key once each, and both get an equal result)."""
        value = self._results.get(key, _MISSING)
        if value is not _MISSING:
            return value
        value = compute(key)
        with self._lock:
            if len(self._results) >= self.size:
                del self._results[next(iter(self._results))]
            self._results[key] = value
        return value

    def get_many(self, keys: list[K], compute: Callable[[list[K]], dict[K, V]]) -> dict[K, V]:
        """The results for `keys`, those not kept from one `compute(missing)` call that
        returns a result per key it knows (a key it leaves out is neither kept nor
        returned)."""
        found = {k: v for k in keys if (v := self._results.get(k, _MISSING)) is not _MISSING}
        missing = [k for k in keys if k not in found]
        if missing:
            computed = compute(missing)
            with self._lock:
                for key, value in computed.items():
                    if len(self._results) >= self.size:
                        del self._results[next(iter(self._results))]
                    self._results[key] = value
            found.update(computed)
        return found

    def clear(self) -> None:
        with self._lock:
            self._results.clear()

    def __len__(self) -> int:
        return len(self._results)
