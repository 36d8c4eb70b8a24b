"""The registry list cache: kept for its TTL, bounded, shared fetches, never a long wait."""
from __future__ import annotations

import threading
import time

import pytest

from preheat.services.list_cache import ListCache, TooSlow


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def cache(clock):
    lists = ListCache(ttl=15, size=3, workers=4, clock=clock)
    yield lists
    lists.close()


def counting(value):
    calls = []

    def fetch():
        calls.append(1)
        return value
    return fetch, calls


def test_a_list_is_kept_for_its_ttl_then_fetched_again(cache, clock):
    fetch, calls = counting(["a"])
    assert cache.get("k", fetch, 1) == ["a"] and cache.get("k", fetch, 1) == ["a"]
    assert len(calls) == 1
    clock.now += 15
    assert cache.get("k", fetch, 1) == ["a"] and len(calls) == 2


def test_at_most_size_lists_are_kept_the_least_recently_used_go_first(cache):
    fetches = {key: counting([key]) for key in "abcd"}
    for key in "abc":
        cache.get(key, fetches[key][0], 1)
    cache.get("a", fetches["a"][0], 1)  # a is used again: b is now the oldest
    cache.get("d", fetches["d"][0], 1)
    for key in "acd":
        cache.get(key, fetches[key][0], 1)
    cache.get("b", fetches["b"][0], 1)
    assert [len(fetches[key][1]) for key in "abcd"] == [1, 2, 1, 1]


def test_failures_are_not_kept(cache):
    calls = []

    def failing():
        calls.append(1)
        raise RuntimeError("refused")
    for _ in range(2):
        with pytest.raises(RuntimeError):
            cache.get("k", failing, 1)
    assert len(calls) == 2


def test_a_slow_list_is_given_up_on_and_fills_the_cache_when_it_comes(cache):
    release = threading.Event()

    def slow():
        release.wait(5)
        return ["late"]
    started = time.monotonic()
    with pytest.raises(TooSlow):
        cache.get("k", slow, 0.2)
    assert time.monotonic() - started < 0.5
    release.set()
    assert cache.submit("k", slow).result(timeout=2) == ["late"]
    assert cache.get("k", lambda: ["other"], 0.1) == ["late"]


def test_views_asking_at_once_share_one_fetch(cache):
    release = threading.Event()
    fetch, calls = counting(["a"])

    def slow():
        release.wait(5)
        return fetch()
    futures = [cache.submit("k", slow) for _ in range(5)]
    release.set()
    assert [future.result(timeout=2) for future in futures] == [["a"]] * 5
    assert len(calls) == 1


def test_forget_drops_only_the_lists_it_is_told(cache):
    fetch, calls = counting(["a"])
    cache.get(("tags", 1, "x"), fetch, 1)
    cache.get(("tags", 2, "x"), fetch, 1)
    cache.forget(lambda key: key[1] == 1)
    cache.get(("tags", 1, "x"), fetch, 1)
    cache.get(("tags", 2, "x"), fetch, 1)
    assert len(calls) == 3


def test_a_ttl_of_zero_keeps_nothing(clock):
    lists = ListCache(ttl=0, clock=clock)
    fetch, calls = counting(["a"])
    lists.get("k", fetch, 1)
    lists.get("k", fetch, 1)
    lists.close()
    assert len(calls) == 2
