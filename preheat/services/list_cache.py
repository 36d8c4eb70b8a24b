"""Registry lists fetched on a few threads, kept briefly, waited for within a budget.

A page view waits for a list at most as long as its budget allows; a fetch
still under way then goes on in the background and fills the cache, so the
next view of a slow registry finds it. Two views asking for the same list
share one fetch. Entries live `ttl` seconds and at most `size` are kept
(least recently used go first), so memory stays bounded whatever the
registries hold.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Callable, Hashable


class TooSlow(Exception):
    """The list did not arrive within the budget (its fetch goes on in the background)."""

    def __init__(self, budget: float):
        super().__init__(budget)
        self.budget = budget


class ListCache:
    """Fetches lists at most `workers` at a time and keeps each for `ttl` seconds."""

    def __init__(self, ttl: float = 15.0, size: int = 256, workers: int = 8,
                 clock: Callable[[], float] = time.monotonic):
        self.ttl, self.size, self.clock = float(ttl), int(size), clock
        self._kept: OrderedDict[Hashable, tuple[float, list]] = OrderedDict()
        self._running: dict[Hashable, Future] = {}
        self._lock = threading.RLock()  # a fetch done at once calls back under it
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="preheat-lists")

    def get(self, key: Hashable, fetch: Callable[[], list], budget: float) -> list:
        """The list under `key`, fetched unless fresh; raise TooSlow or what `fetch` raises."""
        future = self.submit(key, fetch)
        try:
            return future.result(timeout=max(0.0, budget))
        except FutureTimeout:
            raise TooSlow(budget) from None

    def submit(self, key: Hashable, fetch: Callable[[], list]) -> Future:
        """A future of the list under `key`: done at once when it is fresh in the cache."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and self.clock() - kept[0] < self.ttl:
                self._kept.move_to_end(key)
                done: Future = Future()
                done.set_result(kept[1])
                return done
            running = self._running.get(key)
            if running is None:
                running = self._pool.submit(fetch)
                self._running[key] = running
                running.add_done_callback(lambda future: self._finished(key, future))
            return running

    def _finished(self, key: Hashable, future: Future) -> None:
        with self._lock:
            self._running.pop(key, None)
            if future.cancelled() or future.exception() is not None or self.ttl <= 0:
                return  # failures are not kept: the next view asks the registry again
            self._kept[key] = (self.clock(), future.result())
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def forget(self, test: Callable[[Hashable], bool]) -> None:
        """Drop the kept lists whose keys `test` takes (a Refresh reads them again)."""
        with self._lock:
            for key in [key for key in self._kept if test(key)]:
                del self._kept[key]

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
