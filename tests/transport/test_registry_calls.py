"""What a registry client asks of the transport: headers, absolute URLs, Link pages, tokens."""
from contextlib import closing

import pytest

from preheat.transport import (Credentials, HttpClient, Target, next_url, parse_challenges,
                               parse_links)
from tests.providers.server import QuietHandler, serve
from tests.transport.registry import (DIGEST, PASSWORD, TOKEN, USER, serve_registry,
                                      serve_token_service)

MANIFEST_TYPES = ", ".join([
    "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json"])
BEARER = Credentials.bearer(TOKEN)


@pytest.fixture(scope="module")
def http():
    with closing(HttpClient(timeout=1.0, deadline=2.0)) as client:
        yield client


@pytest.fixture
def token_service(started):
    return started(serve_token_service)


@pytest.fixture
def registry(started, token_service):
    names = ["alpine", "library/nginx", "team/api", "team/web", "zeta"]
    return started(serve_registry, token_service.url + "/token", names)


def sent(server, index=-1) -> dict:
    """The headers of one request the server received, by lower-case name."""
    return {name.lower(): value for name, value in server.requests[index][2].items()}


def test_headers_of_a_call_are_sent_with_the_defaults(http, registry):
    response = http.get(Target(registry.url), "/v2/library/alpine/manifests/3.20",
                        credentials=BEARER, headers={"Accept": MANIFEST_TYPES})
    assert response.status == 200
    headers = sent(registry)
    assert headers["accept"] == MANIFEST_TYPES and headers["user-agent"] == "preheat"
    assert headers["authorization"] == f"Bearer {TOKEN}"


def test_answer_headers_are_read_whatever_their_case(http, registry):
    challenge = http.get(Target(registry.url), "/v2/")
    assert challenge.status == 401
    assert challenge.headers["Www-Authenticate"] == \
        f'Bearer realm="{registry.state["realm"]}",service="standin"'
    assert challenge.headers["docker-distribution-api-version"] == "registry/2.0"
    head = http.request("HEAD", Target(registry.url), "/v2/library/alpine/manifests/3.20",
                        credentials=BEARER, headers={"Accept": MANIFEST_TYPES})
    assert head.headers["Docker-Content-Digest"] == DIGEST and head.body == b""


def test_bearer_flow_fetches_a_token_at_the_realm_the_registry_names(http, registry,
                                                                    token_service):
    target = Target(registry.url, Credentials.basic(USER, PASSWORD), peer="registry")
    challenge = http.get(target, "/v2/", authenticate=False)
    [(scheme, params)] = parse_challenges(challenge.headers["WWW-Authenticate"])
    assert scheme == "bearer"
    answer = http.get(target, f"{params['realm']}?service={params['service']}",
                      credentials=target.credentials, peer="token service")
    assert answer.status == 200 and answer.json()["token"] == TOKEN
    assert http.get(target, "/v2/", credentials=Credentials.bearer(answer.json()["token"])
                    ).json() == {}
    assert token_service.paths() == ["/token?service=standin"]
    assert registry.paths() == ["/v2/", "/v2/"]


def test_stored_credentials_go_only_to_the_targets_own_origin(http, started, registry):
    elsewhere = started(serve_token_service)
    target = Target(registry.url, Credentials.basic(USER, PASSWORD))
    assert http.get(target, elsewhere.url + "/token").status == 401
    assert "authorization" not in sent(elsewhere)
    http.get(target, registry.url + "/v2/")  # absolute, but the target's own origin
    assert sent(registry)["authorization"].startswith("Basic ")


def test_an_authorization_header_must_come_as_credentials(http, registry):
    with pytest.raises(ValueError, match="Pass credentials="):
        http.get(Target(registry.url), "/v2/", headers={"authorization": "Bearer x"})
    assert registry.requests == []


def test_catalog_pages_are_followed_through_relative_links(http, registry):
    url, names, pages = "/v2/_catalog?n=2", [], []
    while url:
        page = http.get(Target(registry.url), url, credentials=BEARER)
        names += page.json()["repositories"]
        pages.append(page.url)
        url = page.next_url()
    assert names == ["alpine", "library/nginx", "team/api", "team/web", "zeta"]
    assert pages[1] == registry.url + "/v2/_catalog?last=library%2Fnginx&n=2"
    assert pages[2] == registry.url + "/v2/_catalog?last=team%2Fweb&n=2" and len(pages) == 3


@pytest.mark.parametrize("header, expected", [
    ('</v2/_catalog?last=a%2Fb&n=100>; rel="next"',
     "https://reg.example:5000/v2/_catalog?last=a%2Fb&n=100"),
    ('<?last=b&n=1>; rel=next', "https://reg.example:5000/v2/_catalog?last=b&n=1"),
    ('<https://mirror.example/v2/_catalog?last=c>; rel="next"',
     "https://mirror.example/v2/_catalog?last=c"),
    ('</first>; rel="first", </after>; title="a, b; <c>"; rel="prev next"',
     "https://reg.example:5000/after"),
    ('</p>; REL="Next"', "https://reg.example:5000/p"),
    ('</p>; rel="prev"', None),
    ('<javascript:alert(1)>; rel="next"', None),
    ("", None),
    (None, None),
])
def test_next_link_is_resolved_against_the_url_requested(header, expected):
    assert next_url(header, "https://reg.example:5000/v2/_catalog?n=100") == expected


def test_link_parameters_keep_quoted_commas():
    assert parse_links('</a>; rel="next"; title="x, y", </b>; rel=last') == [
        ("/a", {"rel": "next", "title": "x, y"}), ("/b", {"rel": "last"})]


def test_repeated_link_headers_are_all_read(http, started):
    class TwoLinks(QuietHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Link", '</prev>; rel="prev"')
            self.send_header("Link", '</next?page=2>; rel="next"')
            self.send_header("Content-Length", "0")
            self.end_headers()
    server = started(serve, TwoLinks)
    response = http.get(Target(server.url), "/list")
    assert response.next_url() == server.url + "/next?page=2"


@pytest.mark.parametrize("header, expected", [
    ('Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull,push"',
     [("bearer", {"realm": "https://auth.example/token", "service": "reg",
                  "scope": "repository:a/b:pull,push"})]),
    ('Bearer realm="r",service="s",scope="repository:a/b:pull repository:a/b:push",'
     'error="insufficient_scope"',
     [("bearer", {"realm": "r", "service": "s", "error": "insufficient_scope",
                  "scope": "repository:a/b:pull repository:a/b:push"})]),
    ('Basic realm="test, realm"', [("basic", {"realm": "test, realm"})]),
    ('Basic realm="a", Bearer realm="r", error=invalid_token',
     [("basic", {"realm": "a"}), ("bearer", {"realm": "r", "error": "invalid_token"})]),
    ('Bearer  Realm = "say \\"hi\\""', [("bearer", {"realm": 'say "hi"'})]),
    ("", []),
    (None, []),
])
def test_challenges_are_read_with_their_quoted_commas_and_spaces(header, expected):
    assert parse_challenges(header) == expected
