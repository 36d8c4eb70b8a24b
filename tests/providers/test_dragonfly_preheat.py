"""Dragonfly preheats against real registries: the stand-in pulls the image as the manager does."""
import base64

import pytest

from preheat.providers import PROVIDERS, Peer, SubmitError
from preheat.transport import Credentials
from tests.registry.fixtures import PASSWORD, USER, pusher_for, target_of
from tests.providers.preheats import preheat_of

DRAGONFLY = PROVIDERS["dragonfly"]
ALICE = Credentials.basic(USER, PASSWORD)


def run(manager, http, request, clock, delay=30.0):
    """Submit, let the stand-in's delay pass, and read the job's progress."""
    submitted = DRAGONFLY.submit(manager.target, http, request)
    clock.advance(delay)
    return submitted, DRAGONFLY.progress(manager.target, http, submitted.job_id)


def test_a_job_on_an_open_registry_ends_success_on_its_peers(manager, http, clock,
                                                             open_registry, repo):
    dragonfly = manager(delay=30.0)
    pushed = pusher_for(open_registry).image(repo, "1.0", kind="docker")
    request = preheat_of(open_registry, pushed, scope="all_peers")
    submitted = DRAGONFLY.submit(dragonfly.target, http, request)
    assert (submitted.job_id, submitted.state) == ("1", "pending")
    assert DRAGONFLY.progress(dragonfly.target, http, "1").state == "pending"
    clock.advance(30.0)
    done = DRAGONFLY.progress(dragonfly.target, http, "1")
    assert (done.state, done.message) == ("success", "Preheated on 3 peers.")
    assert done.peers == (Peer(1, "seed-peer-1", "10.0.1.11", True),
                          Peer(1, "peer-1", "10.0.1.21", True),
                          Peer(1, "peer-2", "10.0.1.22", True))
    assert dragonfly.book.jobs[1]["args"] == {
        "type": "image", "url": f"{open_registry.url}/v2/{repo}/manifests/1.0",
        "scope": "all_peers", "timeout": 3_600_000_000_000}
    assert dragonfly.book.submissions == {request.manifest_url: 1}
    assert dragonfly.book.polls == 2


def test_the_default_scope_is_one_seed_peer(manager, http, clock, open_registry, repo):
    pushed = pusher_for(open_registry).image(repo, "1.0")
    _, done = run(manager(), http, preheat_of(open_registry, pushed), clock)
    assert [peer.hostname for peer in done.peers] == ["seed-peer-1"]


def test_a_token_registry_pull_token_for_the_repository_works(manager, http, clock, repo,
                                                               token_registry, token_service,
                                                               registry_client):
    dragonfly = manager()
    pushed = pusher_for(token_registry, ALICE).image(repo, "1.0")
    token_service.state["asked"].clear()
    pull = registry_client.pull_authorization(target_of(token_registry, ALICE), repo)
    submitted, done = run(dragonfly, http, preheat_of(token_registry, pushed, pull.header),
                          clock)
    assert done.state == "success"
    assert token_service.state["asked"] == [(USER, [f"repository:{repo}:pull"])]
    args = dragonfly.book.jobs[int(submitted.job_id)]["args"]
    assert args["headers"] == {"Authorization": pull.header}
    assert "username" not in args and "password" not in args


def test_a_token_for_another_repository_fails_with_the_registrys_error(
        manager, http, token_registry, token_service, registry_client, repo):
    dragonfly = manager()
    pushed = pusher_for(token_registry, ALICE).image(repo, "1.0")
    other = registry_client.pull_authorization(target_of(token_registry, ALICE), "other/app")
    with pytest.raises(SubmitError) as refused:
        DRAGONFLY.submit(dragonfly.target, http, preheat_of(token_registry, pushed, other.header))
    assert refused.value.reason == (
        "Dragonfly could not create the job (HTTP 500 Internal Server Error: “failed to pull"
        " image manifest: unauthorized: authentication required”).")
    assert (refused.value.retry, refused.value.maybe_submitted) == (False, False)
    assert dragonfly.book.jobs == {}


def test_a_basic_registry_works_with_the_basic_header(manager, http, clock, basic_registry,
                                                      registry_client, repo):
    pushed = pusher_for(basic_registry, ALICE).image(repo, "1.0", kind="docker")
    pull = registry_client.pull_authorization(target_of(basic_registry, ALICE), repo)
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert pull.header == expected
    _, done = run(manager(), http, preheat_of(basic_registry, pushed, pull.header), clock)
    assert done.state == "success"


def test_a_basic_registry_without_a_credential_fails_as_the_manager_does(
        manager, http, basic_registry, repo):
    pushed = pusher_for(basic_registry, ALICE).image(repo, "1.0")
    with pytest.raises(SubmitError) as refused:
        DRAGONFLY.submit(manager().target, http, preheat_of(basic_registry, pushed))
    assert "failed to pull image manifest: unauthorized: authentication required" in \
        refused.value.reason


def test_an_index_is_preheated_for_the_platform_asked(manager, http, clock, open_registry,
                                                       repo):
    dragonfly = manager()
    pushed = pusher_for(open_registry).index(repo, "multi")
    blobs = {}
    for platform in ("linux/arm64", "linux/amd64"):
        submitted, done = run(dragonfly, http, preheat_of(open_registry, pushed,
                                                          platform=platform), clock)
        assert done.state == "success"
        job = dragonfly.book.jobs[int(submitted.job_id)]
        assert job["args"]["platform"] == platform
        blobs[platform] = {state["results"][0]["success_tasks"][0]["url"]
                           for state in job["result"]["job_states"]}
    assert len(blobs["linux/arm64"]) == 2  # config and layer
    assert blobs["linux/arm64"] != blobs["linux/amd64"]


def test_a_platform_the_index_lacks_fails_with_dragonflys_message(manager, http,
                                                                  open_registry, repo):
    pushed = pusher_for(open_registry).index(repo, "multi")
    with pytest.raises(SubmitError) as refused:
        DRAGONFLY.submit(manager().target, http,
                         preheat_of(open_registry, pushed, platform="linux/s390x"))
    assert refused.value.reason == ("Dragonfly could not create the job (HTTP 500 Internal"
                                    " Server Error: “no matching manifest for platform"
                                    " linux/s390x”).")


def test_a_layer_the_registry_lost_fails_each_peer_with_the_registrys_error(
        manager, http, clock, open_registry, registry_client, repo):
    pushed = pusher_for(open_registry).image(repo, "1.0", kind="docker")
    target = target_of(open_registry)
    manifest = registry_client.send(target, "GET", f"/v2/{repo}/manifests/1.0",
                                    headers={"Accept": pushed.media_type}).json()
    layer = manifest["layers"][0]["digest"]
    assert registry_client.send(target, "DELETE", f"/v2/{repo}/blobs/{layer}").status == 202
    _, done = run(manager(), http, preheat_of(open_registry, pushed, scope="all_peers"), clock)
    assert done.state == "failure"
    assert [peer.ok for peer in done.peers] == [False, False, False]
    assert done.peers[0].description == (
        f"download {open_registry.url}/v2/{repo}/blobs/{layer} failed: status code 404:"
        " blob unknown: blob unknown to registry")
    assert done.message == f"Failed on 3 of 3 peers: {done.peers[0].description}"


def test_a_registry_on_https_with_a_self_signed_certificate_is_pulled(manager, http, clock,
                                                                      tls_registry, repo):
    # The manager's registry client skips verification by default (pkg/oci/image.go).
    pushed = pusher_for(tls_registry, insecure=True).image(repo, "1.0")
    _, done = run(manager(), http, preheat_of(tls_registry, pushed), clock)
    assert done.state == "success"
