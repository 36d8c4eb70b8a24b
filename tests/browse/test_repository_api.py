"""The repositories and artifacts API against a real registry, also through Harbor's own client."""
from __future__ import annotations

import time
from urllib.parse import quote

import harbor_client
import pytest
import requests

from tests.accounts import ADMIN, USER
from tests.api.conftest import error_of
from tests.browse.conftest import add_project, pusher_for, unique_project
from tests.helpers import basic
from tests.providers.faults import free_port, silent

API = "/api/v2.0/projects"
BUDGET = 1.5


@pytest.fixture
def api(app):
    client = app.test_client()
    return lambda url: client.get(url, headers=basic(*ADMIN))


@pytest.fixture
def harbor(live_server):
    """Harbor's generated client, configured as its users do, against the live app."""
    configuration = harbor_client.Configuration()
    configuration.host = live_server + "/api/v2.0"
    configuration.username, configuration.password = ADMIN
    client = harbor_client.ApiClient(configuration)
    return harbor_client.RepositoryApi(client), harbor_client.ArtifactApi(client)


def retag(running, repository: str, tag: str, new_tag: str) -> None:
    """Put the manifest of `tag` under `new_tag` too (same bytes, same digest)."""
    accept = {"Accept": "application/vnd.oci.image.manifest.v1+json"}
    got = requests.get(f"{running.url}/v2/{repository}/manifests/{tag}", headers=accept,
                       timeout=5)
    put = requests.put(f"{running.url}/v2/{repository}/manifests/{new_tag}", data=got.content,
                       headers={"Content-Type": got.headers["Content-Type"]}, timeout=5)
    assert put.status_code == 201, put.text


def test_repositories_carry_the_project_prefix_and_count_their_tags(api, session, box,
                                                                    own_registry):
    pusher = pusher_for(own_registry)
    pusher.images("library/nginx", ["1.25", "1.26", "latest"])
    pusher.image("alpine", "3.20")
    pusher.image("other/app", "v1")
    project = add_project(session, box, own_registry, "library")
    response = api(f"{API}/library/repositories")
    assert response.status_code == 200 and response.headers["X-Total-Count"] == "2"
    body = response.get_json()
    assert [(r["name"], r["artifact_count"], r["project_id"]) for r in body] == \
        [("library/alpine", 1, project.id), ("library/nginx", 3, project.id)]
    assert all(set(r) == {"id", "name", "project_id", "artifact_count"} for r in body)


def test_repositories_page_filter_and_sort_as_harbor_does(api, session, box, open_registry):
    name = unique_project()
    pusher = pusher_for(open_registry)
    for repository in ("web-a", "web-b", "web-c", "db"):
        pusher.image(f"{name}/{repository}", "v1")
    add_project(session, box, open_registry, name)
    first = api(f"{API}/{name}/repositories?q=name%3D~WEB&page_size=2&sort=-name")
    assert first.headers["X-Total-Count"] == "3"
    assert [r["name"] for r in first.get_json()] == [f"{name}/web-c", f"{name}/web-b"]
    assert first.headers["Link"] == (f'</api/v2.0/projects/{name}/repositories?q=name%3D~WEB'
                                     f'&sort=-name&page_size=2&page=2>; rel="next"')
    exact = api(f"{API}/{name}/repositories?q=name%3D{name}/db")
    assert [r["name"] for r in exact.get_json()] == [f"{name}/db"]
    refused = api(f"{API}/{name}/repositories?q=tags%3Dv1")
    assert refused.status_code == 400 and error_of(refused)["field"] == "q"
    assert api(f"{API}/{name}/repositories?sort=size").status_code == 400
    assert api(f"{API}/no-such/repositories").status_code == 404


def test_artifacts_group_tags_of_one_digest_and_list_an_index_platforms(api, session, box,
                                                                        open_registry):
    name = unique_project()
    pusher = pusher_for(open_registry)
    digests = pusher.images(f"{name}/app", ["v1", "v2"])
    retag(open_registry, f"{name}/app", "v1", "stable")
    index = pusher.index(f"{name}/app", "multi", platforms=("linux/amd64", "linux/arm/v7"))
    add_project(session, box, open_registry, name)
    response = api(f"{API}/{name}/repositories/app/artifacts")
    assert response.status_code == 200 and response.headers["X-Total-Count"] == "4"
    artifacts = {a["digest"]: a for a in response.get_json()}
    assert [t["name"] for t in artifacts[digests["v1"]]["tags"]] == ["stable", "v1"]
    assert [t["name"] for t in artifacts[digests["v2"]]["tags"]] == ["v2"]
    image = artifacts[digests["v1"]]
    assert image["manifest_media_type"] == "application/vnd.oci.image.manifest.v1+json"
    assert image["media_type"] == image["manifest_media_type"] and image["references"] == []
    assert image["repository_name"] == f"{name}/app" and image["type"] == "IMAGE"
    multi = artifacts[index.digest]
    assert multi["manifest_media_type"] == "application/vnd.oci.image.index.v1+json"
    assert [r["platform"] for r in multi["references"]] == [
        {"os": "linux", "architecture": "amd64"},
        {"os": "linux", "architecture": "arm", "variant": "v7"}]
    assert multi["extra_attrs"] == {"platforms": ["linux/amd64", "linux/arm/v7"]}
    paged = api(f"{API}/{name}/repositories/app/artifacts?page=2&page_size=2&q=tags%3D~v")
    assert paged.headers["X-Total-Count"] == "2" and paged.get_json() == []


def test_a_slash_in_the_repository_name_comes_encoded_once_or_twice(api, session, box,
                                                                    open_registry):
    name = unique_project()
    pushed = pusher_for(open_registry).image(f"{name}/team/app", "v1")
    add_project(session, box, open_registry, name)
    for spelling in ("team%2Fapp", "team%252Fapp", "team/app"):
        response = api(f"{API}/{name}/repositories/{spelling}/artifacts")
        assert response.status_code == 200, spelling
        assert [a["digest"] for a in response.get_json()] == [pushed.digest], spelling
    assert api(f"{API}/{name}/repositories/Team%252FApp/artifacts").status_code == 404


def test_registry_failures_answer_502_or_504_with_the_reason(api, session, box, open_registry):
    add_project(session, box, f"http://127.0.0.1:{free_port()}", "gone")
    refused = api(f"{API}/gone/repositories")
    assert refused.status_code == 502
    error = error_of(refused)
    assert error["code"] == "BAD_GATEWAY" and "refused" in error["message"].lower()
    name = unique_project()
    add_project(session, box, open_registry, name)
    missing = api(f"{API}/{name}/repositories/nothing/artifacts")
    assert missing.status_code == 404 and "does not exist" in error_of(missing)["message"]
    with silent() as url:
        add_project(session, box, url, "quiet")
        for path in ("/quiet/repositories", "/quiet/repositories/app/artifacts"):
            started = time.monotonic()
            slow = api(API + path)
            assert time.monotonic() - started < BUDGET + 0.5
            assert slow.status_code == 504 and error_of(slow)["code"] == "GATEWAY_TIMEOUT"
            assert f"within {BUDGET:g} s" in error_of(slow)["message"]


def test_harbors_client_lists_repositories_and_artifacts(harbor, session, box, open_registry):
    repositories_api, artifacts_api = harbor
    name = unique_project()
    pusher = pusher_for(open_registry)
    digests = pusher.images(f"{name}/team/app", ["v1", "v2"])
    index = pusher.index(f"{name}/multi", "latest")
    add_project(session, box, open_registry, name)
    listed = repositories_api.list_repositories(name, page_size=10)
    assert [(r.name, r.artifact_count) for r in listed] == [(f"{name}/multi", 1),
                                                            (f"{name}/team/app", 2)]
    filtered = repositories_api.list_repositories(name, q="name=~multi")
    assert [r.name for r in filtered] == [f"{name}/multi"]
    # The client quotes the path parameter once; Harbor's docs have users quote it before.
    for spelling in ("team/app", quote("team/app", safe="")):
        artifacts = artifacts_api.list_artifacts(name, spelling, with_tag=True)
        assert {a.digest: [t.name for t in a.tags] for a in artifacts} == \
            {digests["v1"]: ["v1"], digests["v2"]: ["v2"]}
    [multi] = artifacts_api.list_artifacts(name, "multi")
    assert multi.digest == index.digest
    assert [(r.platform.os, r.platform.architecture) for r in multi.references] == \
        [("linux", "amd64"), ("linux", "arm64")]


def test_harbors_client_reads_a_registry_failure_as_an_api_error(harbor, session, box):
    repositories_api, _ = harbor
    add_project(session, box, f"http://127.0.0.1:{free_port()}", "gone")
    with pytest.raises(harbor_client.rest.ApiException) as raised:
        repositories_api.list_repositories("gone")
    assert raised.value.status == 502 and "BAD_GATEWAY" in raised.value.body


def test_only_sysadmins_read_repositories(app, session, box, open_registry):
    name = unique_project()
    add_project(session, box, open_registry, name)
    client = app.test_client()
    for path in (f"{API}/{name}/repositories", f"{API}/{name}/repositories/app/artifacts"):
        assert client.get(path, headers=basic(*USER)).status_code == 403
        assert client.get(path).status_code == 401
