"""Where a connection may go, and how long one exchange may last.

The host name is resolved here, every address is checked against the
denylist, and the socket connects to exactly the address that passed, so a
DNS answer that changes between check and connect (rebinding) cannot slip
past. A watchdog shuts the sockets of an exchange that outlives its deadline:
that is what stops a server that drips one byte a second.
"""
from __future__ import annotations

import errno
import heapq
import ipaddress
import itertools
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .denylist import blocked_by, blocked_reason

# Resolution runs on these threads so that a hanging resolver costs a check
# its deadline, not the resolver's own retries.
_resolver_pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="preheat-dns")


class ConnectFailure(Exception):
    """No connection was made; the message is the sentence to show.

    Deliberately not an OSError: urllib3 passes it through unwrapped and unretried.
    `lasting` marks a refusal that trying again cannot change (the denylist).
    """

    def __init__(self, reason: str, *, lasting: bool = False):
        super().__init__(reason)
        self.lasting = lasting


class Exchange:
    """One request's rules: its deadline, its denylist and the sockets it opened."""

    def __init__(self, deadline: float, denylist, resolver):
        self.budget = deadline
        self.expires = time.monotonic() + deadline
        self.denylist = denylist
        self.resolver = resolver
        self.expired = False
        self.finished = False
        # Set once the first byte of the request is handed to a connected socket.
        self.sent = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def remaining(self) -> float:
        return max(0.0, self.expires - time.monotonic())

    def attach(self, sock: socket.socket) -> None:
        """Put `sock` under this exchange's deadline."""
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def expire(self) -> None:
        """Cut every socket of the exchange: blocked reads return at once."""
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        # The plain socket method: SSLSocket.shutdown would tear down TLS state
        # under the feet of the thread that is reading.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class Watchdog:
    """One thread that expires exchanges whose deadline has passed."""

    def __init__(self):
        self._heap: list = []
        self._counter = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, exchange: Exchange) -> None:
        with self._cond:
            heapq.heappush(self._heap, (exchange.expires, next(self._counter), exchange))
            # After a fork the parent's thread is gone; start one in this process.
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, daemon=True,
                                                name="preheat-deadline")
                self._thread.start()
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                expires, _, exchange = self._heap[0]
                delay = expires - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                heapq.heappop(self._heap)
            if not exchange.finished:
                exchange.expire()


WATCHDOG = Watchdog()
_current = threading.local()


@contextmanager
def exchange_scope(exchange: Exchange):
    """Make `exchange` the one this thread's connections belong to."""
    _current.exchange = exchange
    WATCHDOG.watch(exchange)
    try:
        yield exchange
    finally:
        exchange.finished = True
        _current.exchange = None


def current_exchange() -> Exchange:
    exchange = getattr(_current, "exchange", None)
    if exchange is None:
        raise ConnectFailure("Requests must go through HttpClient.", lasting=True)
    return exchange


def resolve(exchange: Exchange, host: str, port: int, timeout: float) -> list:
    """getaddrinfo with a time limit; failures become ConnectFailure."""
    host = host.strip("[]")
    try:
        if _is_address(host):  # nothing to look up, so nothing that could hang
            return exchange.resolver(host, port, 0, socket.SOCK_STREAM)
        future = _resolver_pool.submit(exchange.resolver, host, port, 0, socket.SOCK_STREAM)
        return future.result(timeout)
    except FutureTimeout:
        raise ConnectFailure(f"DNS lookup of {host} timed out after {timeout:g} s.") from None
    except (socket.gaierror, UnicodeError):
        raise ConnectFailure(f"DNS lookup failed: the host name {host} does not resolve."
                             ) from None


def _is_address(host: str) -> bool:
    """Whether `host` is an IP address in its canonical spelling (not a name)."""
    try:
        return str(ipaddress.ip_address(host)) == host
    except ValueError:
        return False


def allowed_addresses(infos, denylist) -> list:
    """The getaddrinfo entries whose address the denylist allows."""
    return [info for info in infos if not blocked_by(info[4][0], denylist)]


def refusal(host: str, port: int, denylist, resolver, timeout: float) -> str | None:
    """The Blocked sentence if every address of `host` is denied; None if not, or not known yet.

    For a save, not a connection: a lookup slower than `timeout` or failing
    leaves the verdict to connect time, which checks again anyway.
    """
    host = host.strip("[]")
    try:
        infos = _resolver_pool.submit(resolver, host, port, 0, socket.SOCK_STREAM).result(timeout)
    except (FutureTimeout, OSError, UnicodeError):
        return None
    if infos and not allowed_addresses(infos, denylist):
        return blocked_reason(host, infos[0][4][0], denylist)
    return None


def open_socket(host: str, port: int, timeout: float, options) -> socket.socket:
    """Resolve, check against the denylist, and connect to an address that passed."""
    exchange = current_exchange()
    infos = resolve(exchange, host, port, min(timeout, exchange.remaining()))
    if not infos:
        raise ConnectFailure(f"DNS lookup failed: the host name {host} has no address.")
    allowed = allowed_addresses(infos, exchange.denylist)
    if not allowed:
        raise ConnectFailure(blocked_reason(host.strip("[]"), infos[0][4][0], exchange.denylist),
                             lasting=True)
    error: OSError | None = None
    for family, socktype, proto, _, sockaddr in allowed:
        sock = socket.socket(family, socktype, proto)
        exchange.attach(sock)
        for option in options or ():
            sock.setsockopt(*option)
        sock.settimeout(max(0.001, min(timeout, exchange.remaining())))
        try:
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise ConnectFailure(_connect_reason(error, host, port, timeout, exchange))


def _connect_reason(error, host: str, port: int, timeout: float, exchange) -> str:
    where = f"{host}:{port}"
    if exchange.expired:
        return f"Gave up after {exchange.budget:g} s connecting to {where}."
    if isinstance(error, TimeoutError):
        return connect_timeout_reason(host, port, timeout)
    if getattr(error, "errno", None) == errno.ECONNREFUSED:
        return f"Connection refused: nothing listens on {where}."
    if getattr(error, "errno", None) in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return f"No route to {where}: the host or its network is unreachable."
    return f"Cannot connect to {where}: {getattr(error, 'strerror', None) or 'unknown error'}."


def connect_timeout_reason(host: str, port: int, timeout: float) -> str:
    """The sentence for a connect that got no answer within `timeout` seconds."""
    return (f"Timed out after {timeout:g} s connecting to {host}:{port}: no answer (the host"
            " is down or a firewall drops the packets).")


class _Pinned:
    """Connects only through `open_socket`, and keeps the socket under the exchange."""

    def _new_conn(self) -> socket.socket:
        return open_socket(self._dns_host, self.port, self.timeout, self.socket_options)

    def request(self, *args, **kwargs):
        if self.sock is not None:  # a pooled connection joins this exchange too
            current_exchange().attach(self.sock)
        return super().request(*args, **kwargs)

    def send(self, data) -> None:
        """Write to the connection, connecting first; from then on the request counts as sent."""
        if self.sock is None:
            self.connect()
        current_exchange().sent = True
        super().send(data)


class PinnedHTTPConnection(_Pinned, HTTPConnection):
    """An HTTP connection that connects only through `open_socket`."""


class PinnedHTTPSConnection(_Pinned, HTTPSConnection):
    """The HTTPS variant; certificates are still checked against the host name."""

    def connect(self) -> None:
        super().connect()
        current_exchange().attach(self.sock)  # the TLS socket is a new object


class PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = PinnedHTTPConnection


class PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = PinnedHTTPSConnection

    def _validate_conn(self, conn) -> None:
        """Connect as urllib3 does, without its InsecureRequestWarning.

        An unverified connection here is the Skip certificate verification a
        sysadmin chose for that instance (and recorded in the audit log when
        saved): warning on every check only floods the log. Dropping it in our
        own pool, rather than filtering warnings, keeps the host's own
        unverified requests warning; warnings.catch_warnings is not thread-safe.
        """
        HTTPConnectionPool._validate_conn(self, conn)
        if conn.is_closed:
            conn.connect()


POOL_CLASSES = {"http": PinnedHTTPPool, "https": PinnedHTTPSPool}
