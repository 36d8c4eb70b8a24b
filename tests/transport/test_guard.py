"""Every guarantee of the client holds for a URL an answer names, and for a raised body cap."""
import json
import socket
import time
from contextlib import closing

import pytest

from preheat.transport import LARGEST_BODY, Credentials, HttpClient, HttpFailure, Target
from tests.providers.faults import DripHandler, HugeBodyHandler, blackhole, listener, silent
from tests.providers.server import QuietHandler, serve
from tests.transport.registry import PASSWORD, TOKEN, USER, serve_registry, serve_token_service

BEARER = Credentials.bearer(TOKEN)
STORED = Credentials.basic(USER, PASSWORD)
# 3,000 repositories: about 120 KiB of catalog, more than the default 64 KiB cap.
BIG_CATALOG = json.dumps({"repositories": [f"team-{i:04d}/service-{i:04d}-image"
                                           for i in range(3000)]}).encode()


@pytest.fixture(scope="module")
def http():
    with closing(HttpClient(timeout=1.0, deadline=2.0, denylist="link-local, 127.0.0.2/32")
                 ) as client:
        yield client


@pytest.fixture
def registry(started):
    return started(serve_registry, "http://127.0.0.1:9/token", big_catalog=BIG_CATALOG)


def failure(http, target, url, **options) -> HttpFailure:
    with pytest.raises(HttpFailure) as caught:
        http.get(target, url, **options)
    return caught.value


def connections(sock) -> int:
    count = 0
    while True:
        try:
            sock.accept()[0].close()
        except BlockingIOError:
            return count
        count += 1


def test_an_absolute_url_to_a_denylisted_address_is_refused_at_connect_time(http, registry):
    with listener("127.0.0.2") as forbidden:
        url = f"http://127.0.0.2:{forbidden.getsockname()[1]}/token?service=standin"
        refused = failure(http, Target(registry.url), url, credentials=STORED)
        time.sleep(0.1)
        assert connections(forbidden) == 0
    assert refused.reason == ("Blocked: 127.0.0.2 resolves to 127.0.0.2, in the range"
                              " 127.0.0.2/32 that PREHEAT_ENDPOINT_DENYLIST forbids.")


def test_a_next_page_on_a_name_that_resolves_to_a_denied_address_is_refused(started):
    class ElsewhereNext(QuietHandler):
        def do_GET(self):
            self.send_json(200, {"repositories": ["a"]},
                           {"Link": f'<http://mirror.test:{port}/v2/_catalog?last=a>; rel="next"'})
    server = started(serve, ElsewhereNext)

    def resolver(host, port, *args):
        return socket.getaddrinfo("127.0.0.2" if host == "mirror.test" else host, port, *args)
    with listener("127.0.0.2") as forbidden, closing(HttpClient(
            timeout=1.0, denylist="127.0.0.2/32", resolver=resolver)) as client:
        port = forbidden.getsockname()[1]
        page = client.get(Target(server.url), "/v2/_catalog")
        refused = failure(client, Target(server.url), page.next_url())
        assert connections(forbidden) == 0
    assert refused.reason.startswith("Blocked: mirror.test resolves to 127.0.0.2, in the range"
                                     " 127.0.0.2/32")


def test_a_raised_cap_reads_a_whole_catalog_and_the_default_stays(http, registry):
    target = Target(registry.url)
    whole = http.get(target, "/v2/big/_catalog", credentials=BEARER, max_body=256 * 1024)
    assert not whole.truncated and len(whole.json()["repositories"]) == 3000
    capped = http.get(target, "/v2/big/_catalog", credentials=BEARER)
    assert capped.truncated and len(capped.body) == 64 * 1024 and capped.json() is None


def test_a_body_over_the_raised_cap_is_cut_at_the_cap(http, started):
    server = started(serve, HugeBodyHandler)  # ten megabytes
    started_at = time.monotonic()
    response = http.get(Target(server.url), "/v2/_catalog", max_body=1024 * 1024)
    assert response.truncated and len(response.body) == 1024 * 1024
    assert response.json() is None and time.monotonic() - started_at < 1.5


@pytest.mark.parametrize("cap", [0, -1, LARGEST_BODY + 1])
def test_a_cap_stays_bounded(http, registry, cap):
    with pytest.raises(ValueError, match="A body cap must be between 1 and 8388608 bytes"):
        http.get(Target(registry.url), "/v2/", max_body=cap)
    assert registry.requests == []


def test_a_redirect_from_an_absolute_url_is_not_followed(http, started):
    destination = started(serve, HugeBodyHandler)

    class Redirecting(QuietHandler):
        def do_GET(self):
            self.send_body(307, b"", "text/plain",
                           {"Location": f"{destination.url}/token?session={TOKEN}"})
    token_service = started(serve, Redirecting)
    response = http.get(Target("http://127.0.0.1:9"), token_service.url + "/token",
                        credentials=STORED)
    assert response.status == 307 and destination.requests == []
    assert response.location() == destination.url + "/token"


def test_a_location_that_repeats_the_credentials_is_not_shown(http, started):
    class Echoing(QuietHandler):
        def do_GET(self):
            self.send_body(302, b"", "text/plain",
                           {"Location": f"https://sso.example/{TOKEN[::-1]}/login"})
    server = started(serve, Echoing)
    assert http.get(Target(server.url), "/v2/", credentials=BEARER).location() is None


def test_the_deadline_holds_on_a_second_url(http, registry, started):
    dripping = started(serve, DripHandler)
    target = Target(registry.url, peer="registry")
    assert http.get(target, "/v2/", credentials=BEARER).status == 200
    started_at = time.monotonic()
    slow = failure(http, target, dripping.url + "/token", peer="token service")
    assert 1.9 < time.monotonic() - started_at < 3.0
    assert slow.reason == (f"Gave up after 2 s: the token service was still sending its"
                           f" answer to GET {dripping.url}/token (it sends data far too slowly).")


def test_a_call_may_shorten_the_deadline_but_not_lengthen_it(http, started):
    dripping = started(serve, DripHandler)
    started_at = time.monotonic()
    assert failure(http, Target(dripping.url), "/v2/", deadline=0.5).reason.startswith(
        "Gave up after 0.5 s: the provider was still sending its answer to GET /v2/")
    assert time.monotonic() - started_at < 1.5  # well before the client's own 2 s
    assert failure(http, Target(dripping.url), "/v2/", deadline=30).reason.startswith(
        "Gave up after 2 s:")


def test_a_silent_or_blackholed_second_url_times_out(http, registry):
    target = Target(registry.url, peer="registry")
    with silent() as url:
        assert failure(http, target, url + "/token", peer="token service").reason == (
            f"Timed out after 1 s waiting for an answer to GET {url}/token: the token"
            " service accepted the connection but did not answer.")
    with blackhole() as url:
        assert failure(http, target, url + "/token").reason.startswith(
            f"Timed out after 1 s connecting to {url.removeprefix('http://')}: no answer")


def test_a_self_signed_token_service_needs_skip_verification(http, started, tmp_path):
    token_service = started(serve_token_service, tls=tmp_path)
    realm = token_service.url + "/token"
    assert failure(http, Target("https://127.0.0.1:9"), realm, credentials=STORED,
                   peer="token service").reason == (
        "TLS certificate not trusted. If the token service uses a self-signed certificate,"
        " select Skip certificate verification.")
    unverified = http.get(Target("https://127.0.0.1:9", insecure=True), realm,
                          credentials=STORED)
    assert unverified.json()["token"] == TOKEN and realm.startswith("https://")


def test_a_query_is_never_repeated_in_a_reason(http, registry):
    with silent() as url:
        reason = failure(http, Target(registry.url), f"{url}/token?account={USER}"
                         f"&password={PASSWORD}", credentials=STORED).reason
    assert reason.startswith(f"Timed out after 1 s waiting for an answer to GET {url}/token:")


def test_a_path_that_repeats_the_credentials_is_not_repeated(http, registry):
    with silent() as url:
        reason = failure(http, Target(registry.url, STORED), f"{url}/v2/{PASSWORD}/tags/list"
                         ).reason
    assert reason == ("Timed out after 1 s waiting for an answer to GET (a URL that repeats"
                      " the credentials): the provider accepted the connection but did not"
                      " answer.")


def test_a_host_that_repeats_the_credentials_is_not_repeated(http, registry):
    reason = failure(http, Target(registry.url, peer="registry"),
                     f"http://{TOKEN}.invalid/v2/", credentials=BEARER).reason
    assert reason == ("The request to the registry failed (GET); its details repeated the"
                      " credentials, so they are not shown.")


def test_a_url_with_a_password_in_it_is_not_requested(http, registry):
    reason = failure(http, Target(registry.url), registry.url.replace(
        "http://", f"http://{USER}:{PASSWORD}@") + "/v2/").reason
    assert reason == ("Not requested: the URL of GET /v2/ carries a user name or password,"
                      " which the provider has no business sending.")
    assert PASSWORD not in reason and registry.requests == []


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/v2/", "file:///etc/passwd"])
def test_only_http_and_https_urls_are_requested(http, registry, url):
    assert failure(http, Target(registry.url), url).reason.endswith(
        "is not an http:// or https:// URL.")


def test_a_path_must_be_a_path(http, registry):
    with pytest.raises(ValueError, match="neither a path nor an absolute URL"):
        http.get(Target(registry.url), "v2/")


def test_an_answer_knows_every_secret_of_the_call(http, registry):
    response = http.get(Target(registry.url, STORED), "/v2/", credentials=BEARER)
    assert set(response.secrets) == {PASSWORD, f"{USER}:{PASSWORD}", TOKEN}
    assert TOKEN not in repr(BEARER) and PASSWORD not in repr(STORED)
