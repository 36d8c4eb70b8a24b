"""The credential a provider pulls with: a fresh pull token, Basic, or nothing."""
import base64

import pytest

from preheat.registry import RegistryError
from preheat.transport import Credentials
from tests.registry.fixtures import PASSWORD, USER, pusher_for, target_of

ALICE = Credentials.basic(USER, PASSWORD)


def test_a_token_registry_gets_a_fresh_token_for_exactly_the_repository(
        client, token_registry, token_service, repo):
    pusher_for(token_registry, ALICE).image(repo, "1.0")
    target = target_of(token_registry, ALICE)
    token_service.state["asked"].clear()
    first = client.pull_authorization(target, repo)
    second = client.pull_authorization(target, repo)
    assert token_service.state["asked"] == [(USER, [f"repository:{repo}:pull"])] * 2
    assert first.header.startswith("Bearer ") and first.header != second.header
    assert 290 <= first.expires_in <= 300 and first.note is None
    # The token works on its own, as a provider will use it.
    manifest = client.http.get(target, f"/v2/{repo}/manifests/1.0",
                               credentials=Credentials.bearer(first.header[7:]),
                               headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
    assert manifest.status == 200


def test_a_token_shorter_than_a_preheat_is_noted(client, token_registry, token_service, repo):
    token_service.state["expires_in"] = 120
    pull = client.pull_authorization(target_of(token_registry, ALICE), repo, min_lifetime=3600)
    assert 110 <= pull.expires_in <= 120
    assert pull.note == ("The registry's pull tokens last 120 s, less than the 3600 s a"
                         " preheat may take: peers that download layers after that are"
                         " refused. Make its token service issue tokens that last longer.")
    assert client.pull_authorization(target_of(token_registry, ALICE), repo,
                                     min_lifetime=60).note is None


def test_an_anonymous_pull_token_when_no_credentials_are_configured(client, token_registry,
                                                                    token_service, repo):
    pull = client.pull_authorization(target_of(token_registry), repo)
    assert pull.header.startswith("Bearer ")
    assert token_service.state["asked"][-1] == (None, [f"repository:{repo}:pull"])


def test_a_refusing_token_service_is_a_registry_error(client, token_registry, token_service,
                                                      repo):
    token_service.state["refuse"] = True
    with pytest.raises(RegistryError) as refused:
        client.pull_authorization(target_of(token_registry, ALICE), repo)
    assert "rejected the user name or password (HTTP 401 Unauthorized)" in refused.value.reason
    assert PASSWORD not in refused.value.reason


def test_a_basic_registry_gets_the_basic_header(client, basic_registry, repo):
    pull = client.pull_authorization(target_of(basic_registry, ALICE), repo)
    assert pull.header == "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert (pull.expires_in, pull.note) == (None, None)
    assert PASSWORD not in repr(pull) and pull.header[6:] not in repr(pull)


def test_a_basic_registry_without_credentials_is_a_registry_error(client, basic_registry, repo):
    with pytest.raises(RegistryError) as refused:
        client.pull_authorization(target_of(basic_registry), repo)
    assert refused.value.reason == ("The registry asks for a user name and password (Basic),"
                                    " and none are configured: providers could not pull"
                                    " from it.")


def test_an_open_registry_needs_no_credential(client, open_registry, repo):
    assert client.pull_authorization(target_of(open_registry, ALICE), repo).header is None


def test_a_bad_repository_name_is_refused_before_any_request(client, open_registry):
    with pytest.raises(RegistryError):
        client.pull_authorization(target_of(open_registry), "Bad/Name")
    assert client.requests_made == 0
