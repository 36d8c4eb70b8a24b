"""On-demand checks (Test connection, ping, a health refresh): a bounded number per process.

Each one waits on the network for up to the HTTP deadline. Without a bound a
burst of them takes every worker thread; past the bound the caller is told
at once to try again, rather than left waiting behind the others.
"""
from __future__ import annotations

import math
import threading
from contextlib import contextmanager

from .errors import ServiceError


class Busy(ServiceError):
    """Every slot for on-demand checks is taken; `retry_after` says when to try again."""

    def __init__(self, limit: int, retry_after: int):
        noun = "check is" if limit == 1 else "checks are"
        super().__init__(f"{limit} connection {noun} already running on this server"
                         f" (PREHEAT_TEST_CONCURRENCY); try again in {retry_after} s.")
        self.retry_after = retry_after


class OnDemandLimit:
    """At most `limit` on-demand checks at once in this process."""

    def __init__(self, limit: int, longest_check: float):
        if limit < 1:
            raise ValueError("PREHEAT_TEST_CONCURRENCY must be at least 1.")
        self.limit = limit
        # A check in a slot ends within its deadline, so a slot is free by then.
        self.retry_after = max(1, math.ceil(longest_check))
        self._slots = threading.BoundedSemaphore(limit)

    @contextmanager
    def slot(self):
        """Hold one slot for the block; raise Busy at once when none is free."""
        if not self._slots.acquire(blocking=False):
            raise Busy(self.limit, self.retry_after)
        try:
            yield
        finally:
            self._slots.release()
