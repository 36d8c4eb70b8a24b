"""The connect sweep's thread: lookups, non-blocking connects and their deadlines.

One thread waits on every socket at once (selectors). Lookups of host names
run on a few threads of their own, so that one slow DNS answer holds up no
other endpoint; an address literal needs no lookup. See sweep.py for what is
reported when.
"""
from __future__ import annotations

import errno
import ipaddress
import logging
import selectors
import socket
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Hashable

from .base import CheckResult
from ..transport.connect import allowed_addresses, connect_timeout_reason

log = logging.getLogger(__name__)
RESOLVERS = 8
# A non-blocking TCP connect under way; any other code is that address's answer.
IN_PROGRESS = {errno.EINPROGRESS, errno.EINTR}


@dataclass(eq=False)
class Probe:
    """One endpoint being probed."""

    key: Hashable
    host: str
    port: int
    report: Callable[[Hashable, CheckResult | None], None]
    created: float = field(default_factory=time.monotonic)
    deadline: float = 0.0  # end of the DNS lookup, then of the connects
    addresses: list = field(default_factory=list)
    sockets: list = field(default_factory=list)
    done: bool = False


class SweepLoop:
    """The sweep's thread and everything it owns: selector, wake-up pair, resolvers."""

    def __init__(self, sweep):
        self.sweep = sweep  # its timeout, denylist, resolver and max_sockets
        self.selector = selectors.DefaultSelector()
        self.wake_r, self.wake_w = socket.socketpair()
        for sock in (self.wake_r, self.wake_w):
            sock.setblocking(False)
        self.selector.register(self.wake_r, selectors.EVENT_READ)
        self.resolvers = ThreadPoolExecutor(RESOLVERS, thread_name_prefix="preheat-sweep-dns")
        self.inbox: deque = deque()
        self.resolving: set[Probe] = set()
        self.waiting: deque[Probe] = deque()
        self.connecting: set[Probe] = set()
        self.open = 0
        self.stopped = self.released = False
        self.thread = threading.Thread(target=self.run, daemon=True, name="preheat-sweep")
        self.thread.start()

    def post(self, item) -> None:
        """Hand the thread a new probe or a finished lookup, from any thread."""
        self.inbox.append(item)
        self.wake()

    def wake(self) -> None:
        try:
            self.wake_w.send(b"\0")
        except OSError:  # the pipe is full (the thread will wake anyway) or closed
            pass

    def stop(self) -> None:
        self.stopped = True
        self.wake()

    def run(self) -> None:
        try:
            while not self.stopped:
                self.take_inbox()
                self.start_connects()
                for key, _ in self.selector.select(self.wait_time()):
                    if key.fileobj is self.wake_r:
                        self.drain_wake()
                    else:
                        self.answered(key.data, key.fileobj)
                self.expire(time.monotonic())
        except Exception:
            log.exception("the connect sweep stopped unexpectedly")
            # Unreported probes would never be checked: let the full checks run.
            pending = [item for item in self.inbox if isinstance(item, Probe)]
            for probe in [*self.resolving, *self.connecting, *self.waiting, *pending]:
                if not probe.done:
                    self.finish(probe, None)
        finally:
            self.release()

    def take_inbox(self) -> None:
        while self.inbox:
            item = self.inbox.popleft()
            if isinstance(item, Probe):
                self.resolve(item)
            else:
                self.resolved(*item)

    def resolve(self, probe: Probe) -> None:
        probe.deadline = probe.created + self.sweep.timeout
        if _is_address(probe.host):  # nothing to look up: the answer is at hand
            return self.resolved(probe, partial(socket.getaddrinfo, probe.host, probe.port, 0,
                                                socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST))
        self.resolving.add(probe)
        future = self.resolvers.submit(self.sweep.resolver, probe.host, probe.port, 0,
                                       socket.SOCK_STREAM)
        future.add_done_callback(lambda done: self.post((probe, done.result)))

    def resolved(self, probe: Probe, answer) -> None:
        """Queue the probe's allowed addresses for connecting; `answer()` gives the lookup's."""
        if probe.done:
            return
        self.resolving.discard(probe)
        try:
            probe.addresses = allowed_addresses(answer(), self.sweep.denylist)
        except Exception:  # a DNS failure: the check says which
            probe.addresses = []
        if not probe.addresses:  # nothing to connect to, or only denylisted addresses
            self.finish(probe, None)
        else:
            self.waiting.append(probe)

    def start_connects(self) -> None:
        while self.waiting and (not self.open or self.open + len(self.waiting[0].addresses)
                                <= self.sweep.max_sockets):
            probe = self.waiting.popleft()
            probe.deadline = time.monotonic() + self.sweep.timeout
            self.connecting.add(probe)
            for family, socktype, proto, _, sockaddr in probe.addresses:
                if not probe.done:
                    self.connect(probe, family, socktype, proto, sockaddr)
            if not probe.done and not probe.sockets:  # every address failed at once
                self.finish(probe, None)

    def connect(self, probe: Probe, family, socktype, proto, sockaddr) -> None:
        """Start a non-blocking connect to one address of the probe."""
        try:
            sock = socket.socket(family, socktype, proto)
        except OSError:  # e.g. no IPv6 here: the check tries the address and says why
            return
        sock.setblocking(False)
        try:
            error = sock.connect_ex(sockaddr)
        except OSError as exc:
            error = exc.errno
        if error not in IN_PROGRESS:
            sock.close()
            if error == 0:
                self.finish(probe, None)
            return
        probe.sockets.append(sock)
        self.open += 1
        self.selector.register(sock, selectors.EVENT_WRITE, probe)

    def answered(self, probe: Probe, sock: socket.socket) -> None:
        error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        self.drop(probe, sock)
        # Connected, or every address said no: the check says what happened.
        if error == 0 or not probe.sockets:
            self.finish(probe, None)

    def expire(self, now: float) -> None:
        for probe in [p for p in self.resolving if p.deadline <= now]:
            self.finish(probe, None)  # a slow resolver: the check has its own time limit
        for probe in [p for p in self.connecting if p.deadline <= now]:
            reason = connect_timeout_reason(probe.host, probe.port, self.sweep.timeout)
            self.finish(probe, CheckResult(False, reason,
                                           latency_ms=int((now - probe.created) * 1000)))

    def wait_time(self) -> float | None:
        deadlines = [p.deadline for p in self.resolving | self.connecting]
        return max(0.0, min(deadlines) - time.monotonic()) if deadlines else None

    def drain_wake(self) -> None:
        try:
            while self.wake_r.recv(4096):
                pass
        except OSError:
            pass

    def drop(self, probe: Probe, sock: socket.socket) -> None:
        self.selector.unregister(sock)
        sock.close()
        probe.sockets.remove(sock)
        self.open -= 1

    def finish(self, probe: Probe, result: CheckResult | None) -> None:
        probe.done = True
        for sock in list(probe.sockets):
            self.drop(probe, sock)
        self.resolving.discard(probe)
        self.connecting.discard(probe)
        if self.stopped:
            return
        try:
            probe.report(probe.key, result)
        except Exception:
            log.exception("reporting the connect to %s:%s failed", probe.host, probe.port)

    def release(self) -> None:
        """Close what the loop owns; also run for a loop a fork left without its thread."""
        if self.released:
            return
        self.released = True
        for key in list(self.selector.get_map().values()):
            key.fileobj.close()
        self.selector.close()
        self.wake_w.close()
        self.resolvers.shutdown(wait=False, cancel_futures=True)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True
