"""Every way a registry check can fail, each with the exact sentence a sysadmin sees.

Real docker-registry instances where the fault is the registry's; small
local servers where it is something that only pretends to be one.
"""
import re

import pytest

from preheat.registry import CatalogNotAllowed, RegistryClient
from preheat.transport import Credentials, Target
from tests.providers.faults import free_port, silent
from tests.providers.server import QuietHandler, serve
from tests.registry.conftest import PASSWORD, USER, target_of
from tests.registry.server import start_registry
from tests.registry.tokens import ISSUER, SERVICE

WRONG = Credentials.basic(USER, "wrong-" + PASSWORD)
HEALTHY = re.compile(r"Registry v2 API answered in \d+ ms; the catalog is readable\.")
NO_CATALOG = re.compile(r"Registry v2 API answered in \d+ ms; catalog not allowed: type"
                        r" project names by hand\.")


class NotARegistry(QuietHandler):
    """200 without the API version header, 404, HTML with it, or a redirect: by state."""

    def do_GET(self):
        answer = self.server.state["answer"]
        if answer == "plain":
            return self.send_json(200, {})
        if answer == "missing":
            return self.send_text(404, "404 page not found")
        if answer == "html":
            return self.send_body(200, b"<html>login</html>", "text/html",
                                  {"Docker-Distribution-API-Version": "registry/2.0"})
        self.send_response(302)
        self.send_header("Location", "https://registry.example/v2/?next=1")
        self.send_header("Content-Length", "0")
        self.end_headers()


class EchoingChallenge(QuietHandler):
    """A 'registry' whose token realm repeats the password it hopes to be sent."""

    def do_GET(self):
        realm = f"http://127.0.0.1:{self.server.state['port']}/{PASSWORD}/token"
        self.send_json(401, {"errors": [{"code": "UNAUTHORIZED"}]},
                       {"WWW-Authenticate": f'Bearer realm="{realm}",service="x"'})


def failure(client, target) -> str:
    result = client.check(target)
    assert not result.ok and result.catalog_allowed is None
    assert PASSWORD not in result.reason
    return result.reason


def test_healthy_open_registry_has_a_readable_catalog(client, open_registry):
    result = client.check(target_of(open_registry))
    assert result.ok and result.catalog_allowed is True and result.http_status == 200
    assert HEALTHY.fullmatch(result.reason)


def test_connection_refused(client):
    port = free_port()
    assert failure(client, Target(f"http://127.0.0.1:{port}")) == \
        f"Connection refused: nothing listens on 127.0.0.1:{port}."


def test_silent_server_times_out(client):
    with silent() as url:
        assert failure(client, Target(url)) == (
            "Timed out after 1 s waiting for an answer to GET /v2/: the registry accepted the"
            " connection but did not answer.")


def test_self_signed_registry_is_untrusted_unless_insecure(client, tls_registry):
    assert failure(client, target_of(tls_registry)) == (
        "TLS certificate not trusted. If the registry uses a self-signed certificate, select"
        " Skip certificate verification.")
    result = client.check(target_of(tls_registry, insecure=True))
    assert result.ok and HEALTHY.fullmatch(result.reason)


@pytest.mark.parametrize("answer, reason", [
    ("plain", "GET /v2/ answered HTTP 200 OK without a Docker-Distribution-API-Version header:"
              " this is not a registry. Is the endpoint the registry's?"),
    ("missing", "HTTP 404 Not Found from GET /v2/: there is no registry v2 API at this"
                " address. Is the endpoint the registry's?"),
    ("html", "Unexpected answer to GET /v2/: expected a JSON object, got an HTML or XML"
             " document (18 bytes). Is the endpoint the right service?"),
    ("redirect", "Unexpected redirect (HTTP 302 Found) from GET /v2/ to"
                 " https://registry.example/v2/: redirects are not followed; check the"
                 " registry address."),
])
def test_something_else_than_a_registry(client, started, answer, reason):
    server = started(serve, NotARegistry, {"answer": answer})
    assert failure(client, Target(server.url)) == reason
    assert server.paths() == ["/v2/"]  # the redirect is not followed


def test_basic_registry_accepts_the_right_password(client, basic_registry):
    result = client.check(target_of(basic_registry, Credentials.basic(USER, PASSWORD)))
    assert result.ok and result.catalog_allowed is True


def test_basic_registry_rejects_a_wrong_password(client, basic_registry):
    assert failure(client, target_of(basic_registry, WRONG)) == (
        "HTTP 401 Unauthorized from GET /v2/: the registry rejected the user name or password.")


def test_basic_registry_without_credentials(client, basic_registry):
    assert failure(client, target_of(basic_registry)) == (
        "HTTP 401 Unauthorized from GET /v2/: the registry asks for credentials, and none are"
        " configured; choose Basic and give a user name and password.")


def test_token_registry_accepts_the_right_password(client, token_registry, token_service):
    result = client.check(target_of(token_registry, Credentials.basic(USER, PASSWORD)))
    assert result.ok and HEALTHY.fullmatch(result.reason)


def test_token_service_rejects_a_wrong_password(client, token_registry, token_service):
    assert failure(client, target_of(token_registry, WRONG)) == (
        f"The registry's token service at {token_service.url}/token rejected the user name or"
        " password (HTTP 401 Unauthorized).")


def test_token_service_refuses_anonymous_users(client, token_registry, token_service):
    token_service.state["anonymous"] = False
    assert failure(client, target_of(token_registry)) == (
        f"The registry's token service at {token_service.url}/token refused an anonymous"
        " token (HTTP 401 Unauthorized): the registry needs credentials, and none are"
        " configured.")


def test_token_service_unreachable(client, tmp_path, token_service):
    port = free_port()
    registry = start_registry(tmp_path, token={
        "realm": f"http://127.0.0.1:{port}/token", "service": SERVICE, "issuer": ISSUER,
        "rootcertbundle": str(token_service.folder / "token-root.pem")})
    try:
        assert failure(client, target_of(registry, Credentials.basic(USER, PASSWORD))) == (
            f"The registry's token service at http://127.0.0.1:{port}/token could not be"
            f" reached: Connection refused: nothing listens on 127.0.0.1:{port}.")
    finally:
        registry.stop()


def test_catalog_not_granted_still_passes_with_projects_typed_by_hand(client, token_registry,
                                                                     token_service):
    token_service.state["grant_catalog"] = False
    target = target_of(token_registry, Credentials.basic(USER, PASSWORD))
    result = client.check(target)
    assert result.ok and result.catalog_allowed is False and NO_CATALOG.fullmatch(result.reason)
    assert client.catalog_access(target) == (False, "catalog not allowed: type project names"
                                                    " by hand.")
    with pytest.raises(CatalogNotAllowed) as refused:
        client.catalog(target)
    assert refused.value.reason == (
        "The registry does not let these credentials list its repositories (HTTP 401"
        " Unauthorized from GET /v2/_catalog): type project names by hand.")


def test_a_realm_that_repeats_the_password_is_not_shown(client, started):
    server = started(serve, EchoingChallenge, {"port": free_port()})
    reason = failure(client, Target(server.url, Credentials.basic(USER, PASSWORD)))
    assert reason.startswith("The registry's token service it names could not be reached: ")


@pytest.mark.parametrize("where", ["basic", "token"])
def test_no_reason_carries_the_password(http, basic_registry, token_registry, token_service,
                                        where):
    token_service.state["refuse"] = True
    running = basic_registry if where == "basic" else token_registry
    for password in (PASSWORD, "wrong-" + PASSWORD):
        target = target_of(running, Credentials.basic(USER, password))
        client = RegistryClient(http)
        reasons = [client.check(target).reason]
        for call in (lambda: client.catalog(target), lambda: client.tags(target, "a/b")):
            try:
                call()
            except Exception as error:  # noqa: BLE001 - every failure's sentence is checked
                reasons.append(str(error))
        reasons += [each.reason or "" for each in client.artifacts(target, "a/b", ["x"])]
        assert all(PASSWORD not in reason for reason in reasons), reasons
