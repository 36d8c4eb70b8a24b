"""Test connection against real local servers: success, and each failure with its reason."""
import base64
from contextlib import closing

import pytest

from preheat.transport import Credentials, HttpClient, Target
from tests.providers import dragonfly as dragonfly_standin
from tests.providers.faults import free_port, silent
from tests.providers.server import QuietHandler, serve

FORM = {"vendor": "dragonfly", "name": "df", "auth_mode": "NONE"}


def try_connection(admin, endpoint, **fields):
    response = admin.post("/distributions/test-connection",
                          {**FORM, "endpoint": endpoint, **fields})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_success_against_a_dragonfly_manager(admin, dragonfly):
    html = try_connection(admin, dragonfly.url)
    assert "Connection OK." in html
    assert dragonfly.requests[-1][:2] == ("GET", "/healthy")
    assert "No provider instances yet" in admin.get("/distributions").get_data(as_text=True)


def test_success_against_kraken(admin, kraken):
    assert "Connection OK." in try_connection(admin, kraken.url, vendor="kraken")
    assert kraken.requests[-1][:2] == ("GET", "/health")


def test_refused_connection_is_named(admin):
    html = try_connection(admin, f"http://127.0.0.1:{free_port()}")
    assert "Connection failed." in html and "Connection refused" in html


def test_timeout_is_named(admin):
    with silent() as url:
        html = try_connection(admin, url)
    assert "Timed out after 2 s" in html


def test_redirect_is_a_failure_with_its_target(admin, started):
    html = try_connection(admin, started(serve, RedirectHandler).url)
    assert "Unexpected redirect (HTTP 301 Moved Permanently)" in html and "to /login" in html


class RedirectHandler(QuietHandler):
    def do_GET(self):
        self.send_body(301, b"", "text/html", {"Location": "/login"})


class UnauthorizedHandler(QuietHandler):
    def do_GET(self):
        expected = "Basic " + base64.b64encode(b"ops:s3cr\xc3\xa9t").decode()
        if self.headers.get("Authorization") == expected:
            return self.send_json(200, "OK")
        self.send_json(401, {"message": "Unauthorized"})


def test_basic_auth_sends_a_correct_header(started):
    server = started(serve, UnauthorizedHandler)
    with closing(HttpClient(timeout=2.0)) as client:
        good = client.get(Target(server.url, Credentials("BASIC", "ops", "s3crét")), "/")
        bad = client.get(Target(server.url, Credentials("BASIC", "ops", "wrong-canary")), "/")
    assert good.status == 200
    assert bad.status == 401


def test_basic_mode_with_dragonfly_says_only_tokens_work(admin, dragonfly):
    html = try_connection(admin, dragonfly.url, auth_mode="BASIC", username="ops",
                          password="pw")
    assert "Connection failed." in html
    assert "Dragonfly&#39;s Open API accepts only personal access tokens" in html


def test_oauth_sends_a_bearer_token(admin, dragonfly):
    try_connection(admin, dragonfly.url, auth_mode="OAUTH", token="good-token")
    assert dragonfly.requests[-1][2]["Authorization"] == "Bearer good-token"


def test_self_signed_certificate_fails_unless_verification_is_skipped(admin, started, tmp_path):
    server = started(dragonfly_standin.serve, tls=tmp_path)
    strict = try_connection(admin, server.url)
    relaxed = try_connection(admin, server.url, insecure="y")
    assert "TLS certificate not trusted" in strict and "Skip certificate verification" in strict
    assert "Connection OK." in relaxed


def test_invalid_endpoint_is_reported_without_a_request(admin):
    html = try_connection(admin, "ftp://x")
    assert "Not tested:" in html and "http:// or https://" in html


def test_missing_secret_is_reported(admin, dragonfly):
    html = try_connection(admin, dragonfly.url, auth_mode="OAUTH", token="")
    assert "Token is required" in html


def test_edit_dialog_tests_with_the_stored_secret_when_left_blank(admin, dragonfly):
    admin.post("/distributions/new", {**FORM, "endpoint": dragonfly.url, "auth_mode": "OAUTH",
                                      "token": "good-token"})
    response = admin.post("/distributions/1/test-connection",
                          {**FORM, "endpoint": dragonfly.url, "auth_mode": "OAUTH", "token": ""})
    assert "Connection OK." in response.get_data(as_text=True)
    assert dragonfly.requests[-1][2]["Authorization"] == "Bearer good-token"


@pytest.mark.parametrize("endpoint", ["http://nonexistent.invalid"])
def test_dns_failure_is_named(admin, endpoint):
    assert "DNS lookup failed" in try_connection(admin, endpoint)
