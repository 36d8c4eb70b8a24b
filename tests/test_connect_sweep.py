"""The connect sweep on real sockets: what it reports, and what it never connects to."""
import socket
import threading
import time
from contextlib import closing

import pytest

from preheat.providers.sweep import ConnectSweep, address_of
from preheat.services.health import check
from preheat.transport import HttpClient, Target
from preheat.transport.denylist import parse_denylist
from tests.providers.faults import blackhole, free_port, listener

DENYLIST = parse_denylist("169.254.0.0/16, fe80::/10, 127.0.0.2/32")


@pytest.fixture
def sweep():
    sweep = ConnectSweep(1.0, DENYLIST)
    yield sweep
    sweep.close()


def connections(sock) -> int:
    count = 0
    while True:
        try:
            sock.accept()[0].close()
        except BlockingIOError:
            return count
        count += 1


def sweep_all(sweep, endpoints) -> dict:
    """Sweep (key, host, port) endpoints; return each key's reported result."""
    results, done, lock = {}, threading.Event(), threading.Lock()

    def report(key, result):
        with lock:
            assert key not in results, "reported twice"
            results[key] = result
            if len(results) == len(endpoints):
                done.set()
    for key, host, port in endpoints:
        sweep.add(key, host, port, report)
    assert done.wait(10), "the sweep did not report every endpoint"
    return results


def resolving_to(*sockaddrs):
    """A resolver that answers every name with these addresses, in this order."""
    def resolver(host, port, *args):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", sockaddr) for sockaddr in sockaddrs]
    return resolver


def where(url):
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


def test_blackholed_endpoint_gets_the_drivers_own_connect_timeout_sentence(sweep):
    with blackhole() as url:
        result = sweep_all(sweep, [("dead", *where(url))])["dead"]
        with closing(HttpClient(timeout=1.0)) as client:
            driver = check("kraken", Target(url), client)
    assert not result.ok and result.reason == driver.reason == (
        f"Timed out after 1 s connecting to {url.removeprefix('http://')}: no answer (the"
        " host is down or a firewall drops the packets).")
    assert result.latency_ms >= 1000


def test_endpoints_that_answer_in_any_way_are_left_to_the_full_check(sweep):
    with listener() as up:
        results = sweep_all(sweep, [
            ("up", "127.0.0.1", up.getsockname()[1]),
            ("refused", "127.0.0.1", free_port()),
            ("no such host", "nonexistent.invalid", 80),
        ])
        assert connections(up) == 1  # connected, then closed without a byte
    assert results == {"up": None, "refused": None, "no such host": None}


def test_denylisted_address_is_never_connected_to(sweep):
    with listener("127.0.0.2") as forbidden:
        result = sweep_all(sweep, [("blocked", "127.0.0.2", forbidden.getsockname()[1])])
        time.sleep(0.1)
        assert connections(forbidden) == 0
    assert result == {"blocked": None}  # the check says "Blocked: ..."


def test_a_name_resolving_to_a_denylisted_address_connects_only_to_the_allowed_one():
    with listener("127.0.0.2") as forbidden, blackhole() as dead:
        with closing(ConnectSweep(1.0, DENYLIST, resolver=resolving_to(
                ("127.0.0.2", forbidden.getsockname()[1]), where(dead)))) as sweep:
            result = sweep_all(sweep, [("mixed", "provider.test", 80)])["mixed"]
        assert connections(forbidden) == 0
    assert result.reason.startswith("Timed out after 1 s connecting to provider.test:80:")


def test_a_host_is_reachable_if_any_of_its_addresses_connects():
    with listener() as up, blackhole() as dead:
        with closing(ConnectSweep(1.0, DENYLIST, resolver=resolving_to(
                where(dead), ("127.0.0.1", up.getsockname()[1])))) as sweep:
            assert sweep_all(sweep, [("either", "provider.test", 80)]) == {"either": None}


def test_a_resolver_slower_than_the_timeout_leaves_the_verdict_to_the_check():
    release = threading.Event()

    def hanging(*args):
        release.wait(5)
        raise socket.gaierror("gave up")
    sweep = ConnectSweep(0.3, DENYLIST, resolver=hanging)
    try:
        assert sweep_all(sweep, [("slow", "slow.test", 80)]) == {"slow": None}
    finally:
        release.set()
        sweep.close()


def test_more_endpoints_than_sockets_wait_their_turn():
    with blackhole() as dead:
        with closing(ConnectSweep(0.3, DENYLIST, max_sockets=2)) as sweep:
            results = sweep_all(sweep, [(n, *where(dead)) for n in range(5)])
    assert all("Timed out after 0.3 s connecting" in r.reason for r in results.values())


def test_nothing_is_reported_after_close(sweep):
    reported = []
    with blackhole() as dead:
        sweep.add("dead", *where(dead), lambda key, result: reported.append(key))
        time.sleep(0.1)
        sweep.close()
        time.sleep(1.2)
    sweep.add("late", "127.0.0.1", free_port(), lambda key, result: reported.append(key))
    assert reported == []


@pytest.mark.parametrize("endpoint, expected", [
    ("http://df.example", ("df.example", 80)),
    ("https://df.example", ("df.example", 443)),
    ("http://df.example:8080/base", ("df.example", 8080)),
    ("http://[::1]:65000", ("::1", 65000)),
    ("ftp://df.example", None),
    ("http://", None),
])
def test_address_of_an_endpoint_is_where_its_check_connects(endpoint, expected):
    assert address_of(endpoint) == expected
