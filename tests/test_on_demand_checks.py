"""A burst of on-demand checks against a dead provider stalls nothing else.

The app runs on a real threaded server; every check hangs on an endpoint that
accepts connections and never answers, for the short timeout set here.
"""
import statistics
import threading
import time

import pytest
import requests

from tests.accounts import ADMIN
from tests.api.conftest import api  # noqa: F401 (a fixture)
from tests.helpers import basic, token_in
from tests.providers.faults import silent

TIMEOUT = 3.0
BURST = 100


@pytest.fixture
def app_config(app_config):
    app_config["PREHEAT_HTTP_TIMEOUT"] = TIMEOUT
    return app_config


def logged_in(base: str) -> tuple[dict, str]:
    """The cookies and CSRF token of a sysadmin's browser session."""
    session = requests.Session()
    token = token_in(session.get(base + "/login").text)
    response = session.post(base + "/login", allow_redirects=False,
                            data={"username": ADMIN[0], "password": ADMIN[1],
                                  "csrf_token": token})
    assert response.status_code == 302
    # The login starts a new session: its CSRF secret is made, and the cookie
    # updated, by the first page that shows a token.
    token = token_in(session.get(base + "/distributions").text)
    return session.cookies.get_dict(), token


def list_latency(base: str, cookies: dict) -> float:
    """The median time the Distributions page takes, over a few loads."""
    times = []
    for _ in range(5):
        started = time.monotonic()
        assert requests.get(base + "/distributions", cookies=cookies, timeout=60).ok
        times.append(time.monotonic() - started)
    return statistics.median(times)


def burst(base: str, cookies: dict, token: str, endpoint: str, count: int = BURST):
    """Start `count` Test connection calls at once; the list of (seconds, text) fills in."""
    answers: list = []

    def one():
        started = time.monotonic()
        response = requests.post(base + "/distributions/test-connection", cookies=cookies,
                                 headers={"X-CSRFToken": token, "HX-Request": "true"},
                                 data={"vendor": "dragonfly", "name": "probe",
                                       "endpoint": endpoint, "auth_mode": "NONE"}, timeout=60)
        answers.append((time.monotonic() - started, response.status_code, response.text))
    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads, answers


class TestWithoutABound:
    @pytest.fixture
    def app_config(self, app_config):
        # Long enough a hang that the list is measured well inside it, on a busy machine too.
        app_config["PREHEAT_HTTP_TIMEOUT"] = 3 * TIMEOUT
        app_config["PREHEAT_TEST_CONCURRENCY"] = BURST
        return app_config

    def test_the_list_stays_fast_while_a_hundred_checks_hang(self, live_server):
        cookies, token = logged_in(live_server)
        idle = list_latency(live_server, cookies)
        with silent() as endpoint:
            threads, answers = burst(live_server, cookies, token, endpoint)
            time.sleep(1.5)  # every call is now waiting on the dead endpoint
            loaded = list_latency(live_server, cookies)
            assert answers == [], ("the checks ended before the list was measured", idle,
                                   loaded)
            for thread in threads:
                thread.join()
        # Each of them held a database connection through its wait before: the
        # pool ran dry and the list waited for the checks' timeout.
        assert loaded <= 2 * max(idle, 0.05), (idle, loaded)
        assert len(answers) == BURST
        assert all(status == 200 and "Timed out" in text for _, status, text in answers)


def test_beyond_the_bound_test_connection_says_so_at_once(live_server):
    cookies, token = logged_in(live_server)
    with silent() as endpoint:
        threads, answers = burst(live_server, cookies, token, endpoint)
        for thread in threads:
            thread.join()
    refused = [(took, text) for took, status, text in answers if "Not tested:" in text]
    tried = [text for _, _, text in answers if "Connection failed." in text]
    assert len(refused) == BURST - 8 and len(tried) == 8
    assert all(took < TIMEOUT / 2 for took, _ in refused)
    assert ("8 connection checks are already running on this server"
            " (PREHEAT_TEST_CONCURRENCY); try again in 6 s.") in refused[0][1]


class TestABoundOfOne:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["PREHEAT_TEST_CONCURRENCY"] = 1
        return app_config

    def test_the_api_answers_429_with_retry_after_beyond_the_bound(self, live_server, api):
        api.create(endpoint="http://df.example:8080")
        ping = live_server + "/api/v2.0/p2p/preheat/instances/ping"
        auth = basic(*ADMIN)
        with silent() as endpoint:
            hanging = threading.Thread(target=requests.post, args=(ping,), kwargs={
                "json": {"vendor": "dragonfly", "endpoint": endpoint}, "headers": auth})
            hanging.start()
            time.sleep(0.5)
            started = time.monotonic()
            refused = [requests.post(ping, json={"vendor": "kraken", "endpoint": endpoint},
                                     headers=auth),
                       requests.post(ping, json={"id": 1}, headers=auth),
                       requests.post(live_server + "/api/v2.0/p2p/preheat/instances/df-prod"
                                     "/health", headers=auth)]
            took = time.monotonic() - started
            hanging.join()
        assert took < TIMEOUT
        for response in refused:
            assert response.status_code == 429
            assert response.headers["Retry-After"] == "6"
            error = response.json()["errors"][0]
            assert error["code"] == "TOO_MANY_REQUESTS"
            assert error["message"] == ("1 connection check is already running on this"
                                        " server (PREHEAT_TEST_CONCURRENCY); try again in 6 s.")
