"""Group commit: writes from many job threads, committed together.

Every background check ends with one small write. One transaction each costs
a commit each, and on SQLite those are taken one at a time. Instead, the
first thread to finish becomes the writer: it writes everything that is
waiting in one transaction, then whatever arrived meanwhile, until nothing
waits. The others wait for the batch their write went in, so every job still
returns only once its write is stored (or failed). No extra thread.
"""
from __future__ import annotations

import threading
from typing import Any, Callable


class _Pending:
    __slots__ = ("item", "done", "result", "error")

    def __init__(self, item):
        self.item, self.done, self.result, self.error = item, threading.Event(), None, None


class GroupCommit:
    """`write(item)` stores `item` with `write_many(items) -> results`, batched across threads."""

    def __init__(self, write_many: Callable[[list], list]):
        self._write_many = write_many
        self._lock = threading.Lock()
        self._waiting: list[_Pending] = []
        self._writing = False

    def write(self, item) -> Any:
        """Store `item` (in a batch with others); its result, or the batch's error raised."""
        pending = _Pending(item)
        with self._lock:
            self._waiting.append(pending)
            lead = not self._writing
            self._writing = True
        if lead:
            self._drain()
        pending.done.wait()
        if pending.error is not None:
            raise pending.error
        return pending.result

    def _drain(self) -> None:
        while True:
            with self._lock:
                batch, self._waiting = self._waiting, []
                if not batch:
                    self._writing = False
                    return
            try:
                results = self._write_many([pending.item for pending in batch])
            except Exception as exc:
                for pending in batch:
                    pending.error = exc
            else:
                for pending, result in zip(batch, results):
                    pending.result = result
            for pending in batch:
                pending.done.set()
