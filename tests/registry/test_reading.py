"""Reading a real docker-registry: catalog pages, namespaces, sorted tags, digests, counts."""
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from preheat.registry import (CatalogNotAllowed, Namespace, RegistryClient, RegistryError,
                              manifest_url, namespaces)
from preheat.registry.names import DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST
from preheat.transport import Credentials, Target
from tests.providers.faults import silent
from tests.registry.fixtures import PASSWORD, USER, pusher_for, target_of
from tests.registry.server import start_registry


def test_pushed_images_resolve_to_the_digests_the_push_returned(client, open_registry, repo):
    push = pusher_for(open_registry)
    oci = push.image(repo, "oci", kind="oci")
    docker = push.image(repo, "docker", kind="docker")
    index = push.index(repo, "multi", kind="oci")
    listed = push.index(repo, "listed", kind="docker", platforms=("linux/amd64",
                                                                   "linux/arm/v7"))
    found = client.artifacts(target_of(open_registry), repo, ["oci", "docker", "multi",
                                                              "listed", "absent"])
    assert [(a.tag, a.digest, a.media_type, a.platforms) for a in found[:4]] == [
        ("oci", oci.digest, OCI_MANIFEST, ()),
        ("docker", docker.digest, DOCKER_MANIFEST, ()),
        ("multi", index.digest, OCI_INDEX, ("linux/amd64", "linux/arm64")),
        ("listed", listed.digest, DOCKER_LIST, ("linux/amd64", "linux/arm/v7"))]
    assert found[4].digest is None and found[4].reason == (
        f"The tag absent does not exist in {repo} (or the repository does not).")
    assert [a.ok for a in found] == [True, True, True, True, False]


def test_one_tag_costs_one_head_and_an_index_one_get_more(client, open_registry, repo):
    push = pusher_for(open_registry)
    push.images(repo, ["a", "b", "c"])
    push.index(repo, "multi")
    target = target_of(open_registry)
    assert client.artifact(target, repo, "a").digest.startswith("sha256:")
    assert client.requests_made == 1
    client.reset_counts()
    assert len(client.artifacts(target, repo, ["a", "b", "c", "multi"])) == 4
    assert client.counts == {"registry": 5, "token service": 0}


def test_catalog_follows_relative_links_across_pages(client, own_registry):
    push = pusher_for(own_registry)
    names = ["alpine", "team/api", "team/web", "tools/ci", "zeta"]
    for name in names:
        push.image(name, "1")
    target = target_of(own_registry)
    assert client.catalog(target, page_size=2) == names
    assert client.requests_made == 3  # 2 + 2 + 1: the short page has no Link
    client.reset_counts()
    assert client.catalog(target, page_size=5) == names
    # 2.8.2 sends no Link when the walk ends exactly at a full page (one request);
    # registries that do send one lead to an empty page, which ends the loop too.
    assert client.requests_made == 1
    assert client.catalog(target, page_size=5000) == names  # n above maxentries is capped


def test_catalog_asks_for_smaller_pages_when_the_registry_caps_them(registry_binary, tmp_path,
                                                                   client):
    running = start_registry(tmp_path, extra={"catalog": {"maxentries": 150}})
    try:
        push = pusher_for(running)
        names = [f"team/app-{number:02d}" for number in range(30)]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda name: push.image(name, "1"), names))
        assert client.catalog(target_of(running)) == names
        assert client.requests_made == 2  # n=1000 refused, then n=100
    finally:
        running.stop()


def test_namespaces_count_repositories_and_put_bare_names_in_library(client, own_registry):
    push = pusher_for(own_registry)
    for name in ["alpine", "library/nginx", "team/api", "team/web/frontend", "zeta"]:
        push.image(name, "1")
    assert namespaces(client.catalog(target_of(own_registry))) == [
        Namespace("library", ("alpine", "library/nginx", "zeta")),
        Namespace("team", ("team/api", "team/web/frontend"))]
    assert [(n.name, n.count) for n in namespaces(["b/x", "a", "b/y"])] == \
        [("b", 2), ("library", 1)]


def test_tags_come_in_natural_order(client, open_registry, repo):
    pusher_for(open_registry).images(repo, ["v10", "v2", "latest", "v1.10", "v1", "v1.9"])
    assert client.tags(target_of(open_registry), repo) == \
        ["latest", "v1", "v1.9", "v1.10", "v2", "v10"]
    assert client.requests_made == 1


def test_tags_of_an_unknown_repository(client, open_registry, repo):
    with pytest.raises(RegistryError) as error:
        client.tags(target_of(open_registry), repo)
    assert error.value.reason == (
        f"The repository {repo} does not exist on the registry (or holds no image yet).")
    assert error.value.http_status == 404


@pytest.mark.parametrize("name, reason", [
    ("Team/App", "'Team/App' is not a repository name: lowercase letters, digits and"
                 " separators (. _ -) in components joined by /."),
    ("", "A repository name is required."),
])
def test_invalid_repository_names_are_refused_without_a_request(client, name, reason):
    with pytest.raises(RegistryError) as error:
        client.tags(Target("http://127.0.0.1:9"), name)
    assert error.value.reason == reason and client.requests_made == 0


def test_artifacts_of_a_silent_registry_end_at_the_deadline(client):
    with silent() as url:
        started = time.monotonic()
        found = client.artifacts(Target(url), "team/app", [f"v{i}" for i in range(20)],
                                 concurrency=4, deadline=0.5)
        elapsed = time.monotonic() - started
    assert elapsed < 0.9 and len(found) == 20
    assert [a.tag for a in found] == [f"v{i}" for i in range(20)]
    assert all(a.digest is None and a.reason for a in found)


def test_check_costs_two_requests_on_an_open_registry(registry_http, open_registry):
    client = RegistryClient(registry_http)
    assert client.check(target_of(open_registry)).ok
    assert client.counts == {"registry": 2, "token service": 0}


@pytest.mark.parametrize("base, reference, url", [
    ("https://reg.example:5000", "1.2", "https://reg.example:5000/v2/team/app/manifests/1.2"),
    ("https://reg.example/", "sha256:" + "a" * 64,
     "https://reg.example/v2/team/app/manifests/sha256:" + "a" * 64),
])
def test_manifest_url_is_what_a_provider_pulls(base, reference, url):
    assert manifest_url(base, "team/app", reference) == url


def test_a_wrong_password_is_said_as_such_when_listing_the_catalog(client, basic_registry):
    target = target_of(basic_registry, Credentials.basic(USER, "not-" + PASSWORD))
    with pytest.raises(RegistryError) as error:
        client.catalog(target)
    assert not isinstance(error.value, CatalogNotAllowed)
    assert "rejected the user name or password" in error.value.reason
    assert PASSWORD not in error.value.reason
