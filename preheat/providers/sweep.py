"""A connect sweep: TCP connects to many providers at once, ahead of their checks.

A check holds a pool thread for as long as its connect takes, so with 16
threads forty blackholed providers would cost three connect timeouts. The
sweep starts the connects of every endpoint at once, on one thread. An
endpoint whose connect finishes in any way (connected, refused, unreachable)
or cannot start (DNS failure, denylisted address) is reported for its full
check, which says exactly what happened; one whose connects all stay
unanswered for the connect timeout is reported with the sentence the check
would have given. Hosts are resolved with a time limit and checked against the
denylist by connect.py's rules; only addresses that pass are connected to.
TCP only: TLS and HTTP stay in the check.
"""
from __future__ import annotations

import socket
import threading
from typing import Callable, Hashable

from urllib3.util import parse_url

from .base import CheckResult
from .sweep_loop import Probe, SweepLoop

# report(key, None): run the full check; report(key, result): the check's outcome.
Report = Callable[[Hashable, CheckResult | None], None]
# Connects in flight at once (file descriptors); further endpoints wait their turn.
MAX_SOCKETS = 256
DEFAULT_PORTS = {"http": 80, "https": 443}


def address_of(endpoint: str) -> tuple[str, int] | None:
    """The host and port a check of `endpoint` connects to, derived as urllib3 does."""
    try:
        url = parse_url(endpoint)
    except ValueError:
        return None
    if url.scheme not in DEFAULT_PORTS or not url.host:
        return None
    return url.host.strip("[]"), url.port or DEFAULT_PORTS[url.scheme]


class ConnectSweep:
    """Probes endpoints on one lazily started thread and reports each outcome once."""

    def __init__(self, timeout: float, denylist, resolver=socket.getaddrinfo,
                 max_sockets: int = MAX_SOCKETS):
        self.timeout = timeout
        self.denylist = denylist
        self.resolver = resolver
        self.max_sockets = max_sockets
        self._lock = threading.Lock()
        self._loop: SweepLoop | None = None
        self._closed = False

    def add(self, key, host: str, port: int, report: Report) -> None:
        """Probe host:port; `report` is called once, on the sweep's thread (not after close)."""
        with self._lock:
            if self._closed:
                return
            # After a fork the parent's thread is gone: start one in this process.
            if self._loop is None or not self._loop.thread.is_alive():
                if self._loop is not None:
                    self._loop.release()
                self._loop = SweepLoop(self)
            loop = self._loop
        loop.post(Probe(key, host, port, report))

    def close(self) -> None:
        """Stop probing; endpoints still being probed are not reported."""
        with self._lock:
            self._closed = True
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.stop()

