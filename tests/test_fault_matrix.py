"""Every way a provider check can fail, each with the exact sentence a user sees.

The checks run against real local servers; the client has short timeouts so a
blackholed or dripping server costs about a second.
"""
import socket
from contextlib import closing

import pytest

from preheat.health.checks import check
from preheat.transport import Credentials, HttpClient, Target
from tests.providers import dragonfly, kraken
from tests.providers.faults import (DripHandler, EchoHandler, HugeBodyHandler,
                                    RedirectHandler, ServerErrorHandler, blackhole,
                                    free_port, silent)
from tests.providers.server import serve

TOKEN = Credentials("OAUTH", token="good-token")


@pytest.fixture(scope="module")
def http():
    client = HttpClient(timeout=1.0, deadline=2.0)
    yield client
    client.close()


def reason(http, endpoint, vendor="dragonfly", credentials=Credentials(), insecure=False):
    result = check(vendor, Target(endpoint, credentials, insecure), http)
    assert not result.ok
    return result.reason


def test_connection_refused(http):
    port = free_port()
    assert reason(http, f"http://127.0.0.1:{port}") == \
        f"Connection refused: nothing listens on 127.0.0.1:{port}."


def test_blackholed_host_times_out_connecting(http):
    with blackhole() as url:
        where = url.removeprefix("http://")
        assert reason(http, url) == (
            f"Timed out after 1 s connecting to {where}: no answer (the host is down or a"
            " firewall drops the packets).")


def test_silent_server_times_out_waiting_for_the_answer(http):
    with silent() as url:
        assert reason(http, url) == (
            "Timed out after 1 s waiting for an answer to GET /healthy: the provider"
            " accepted the connection but did not answer.")


def test_slow_drip_is_cut_at_the_deadline(http, started):
    server = started(serve, DripHandler)
    assert reason(http, server.url) == (
        "Gave up after 2 s: the provider was still sending its answer to GET /healthy"
        " (it sends data far too slowly).")


def test_huge_body_is_an_unexpected_answer(http, started):
    server = started(serve, HugeBodyHandler)
    assert reason(http, server.url, "kraken") == (
        "Unexpected answer to GET /health: expected “OK”, got more than 64 KiB."
        " Is the endpoint the right service?")


def test_server_error_shows_the_providers_message(http, started):
    server = started(serve, ServerErrorHandler)
    assert reason(http, server.url) == (
        "HTTP 500 Internal Server Error from GET /healthy. The provider said:"
        " database is locked")


def test_redirect_is_reported_with_its_target_and_not_followed(http, started):
    server = started(serve, RedirectHandler)
    assert reason(http, server.url) == (
        "Unexpected redirect (HTTP 301 Moved Permanently) from GET /healthy to"
        " https://sso.example/login: redirects are not followed; check the endpoint address.")
    assert server.paths() == ["/healthy", "/_ping"]


def test_a_raw_answer_is_never_repeated(http, started):
    server = started(serve, EchoHandler)
    assert reason(http, server.url, "kraken") == \
        "HTTP 500 Internal Server Error from GET /health."
    basic = Credentials("BASIC", "ops", "pw-canary-77")
    assert reason(http, server.url, credentials=basic) == \
        "HTTP 500 Internal Server Error from GET /healthy."


def test_unknown_token_is_rejected(http, started):
    server = started(dragonfly.serve, tokens={})
    assert reason(http, server.url, credentials=TOKEN) == (
        "Token rejected: Dragonfly answered HTTP 401 Unauthorized to GET /oapi/v1/jobs."
        " The manager does not know this personal access token: it was deleted,"
        " revoked or mistyped.")


@pytest.mark.parametrize("state, expected", [
    ("inactive", "“Token is inactive”. Activate the token in the Dragonfly console,"
                 " or create a new one."),
    ("expired", "“Token has expired”. Create a new personal access token in the"
                " Dragonfly console."),
    ("no-job-scope", "“Forbidden”. The token must be active, unexpired and have the"
                     " job scope."),
])
def test_refused_token_says_why_in_dragonflys_words(http, started, state, expected):
    server = started(dragonfly.serve, tokens={"good-token": state})
    assert reason(http, server.url, credentials=TOKEN) == (
        "Token refused: Dragonfly answered HTTP 403 Forbidden to GET /oapi/v1/jobs: " + expected)


def test_legacy_dragonfly_is_told_to_upgrade(http, started):
    server = started(dragonfly.serve, legacy=True)
    assert reason(http, server.url) == (
        "Legacy Dragonfly API: /_ping answers but /healthy does not (HTTP 404 Not"
        " Found). Preheat speaks the v2 manager's Open API: upgrade to Dragonfly"
        " >= 2.1.59 and use the manager's address (port 8080).")


def test_basic_auth_against_dragonfly_is_explained(http, dragonfly):
    assert reason(http, dragonfly.url, credentials=Credentials("BASIC", "ops", "pw")) == (
        "The Dragonfly manager is up, but Dragonfly's Open API accepts only personal"
        " access tokens: Basic credentials cannot work. Choose OAuth and enter a token"
        " with the job scope.")


@pytest.mark.parametrize("standin", [dragonfly, kraken])
def test_self_signed_certificate_needs_skip_verification(http, started, tmp_path, standin):
    server = started(standin.serve, tls=tmp_path)
    vendor = standin.__name__.rsplit(".", 1)[1]
    assert reason(http, server.url, vendor) == (
        "TLS certificate not trusted. If the provider uses a self-signed certificate,"
        " select Skip certificate verification.")
    assert check(vendor, Target(server.url, insecure=True), http).ok


def test_dns_failure(http):
    assert reason(http, "http://nonexistent.invalid:8080") == \
        "DNS lookup failed: the host name nonexistent.invalid does not resolve."


def test_link_local_metadata_address_is_blocked_by_default(http):
    assert reason(http, "http://169.254.169.254") == (
        "Blocked: 169.254.169.254 resolves to 169.254.169.254, in the range 169.254.0.0/16"
        " that PREHEAT_ENDPOINT_DENYLIST forbids (link-local addresses are where cloud"
        " metadata services live).")


def test_denylist_is_checked_against_the_resolved_address(dragonfly):
    port = dragonfly.server_address[1]
    with closing(HttpClient(timeout=1.0, denylist="127.0.0.0/8, ::1/128")) as client:
        text = reason(client, f"http://localhost:{port}")
    assert text.startswith("Blocked: localhost resolves to ")
    assert dragonfly.requests == []


def test_connection_goes_to_the_address_that_was_checked(dragonfly):
    """A second DNS answer (rebinding) is never consulted: one lookup per connection."""
    answers = []

    def rebinding_resolver(host, port, *args):
        answers.append(host)
        address = "127.0.0.1" if len(answers) == 1 else "169.254.169.254"
        return socket.getaddrinfo(address, port, *args)
    with closing(HttpClient(timeout=1.0, resolver=rebinding_resolver)) as client:
        result = check("dragonfly", Target(f"http://provider.test:{dragonfly.server_address[1]}"),
                       client)
    assert result.ok and answers == ["provider.test"]


@pytest.mark.parametrize("endpoint", ["ftp://127.0.0.1:21", "file:///etc/passwd"])
def test_only_http_and_https_are_spoken(http, endpoint):
    assert reason(http, endpoint) == "The endpoint must start with http:// or https://."
