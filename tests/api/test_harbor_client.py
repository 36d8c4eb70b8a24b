"""Harbor's own generated Python client (harbor-api-client), unchanged, against a live server.

It builds its requests from Harbor's swagger and parses the answers into its
models (times as datetimes): what works here works for Harbor's users.
"""
from datetime import datetime

import pytest

from tests.accounts import ADMIN
from tests.registry.fixtures import PASSWORD, USER

harbor_client = pytest.importorskip("harbor_client", reason="pip install -r requirements-dev.txt")
from harbor_client.rest import ApiException  # noqa: E402


@pytest.fixture
def harbor(live_server):
    """Harbor's RegistryApi and ProjectApi, pointed at the live app."""
    config = harbor_client.Configuration()
    config.host = live_server + "/api/v2.0"
    config.username, config.password = ADMIN
    client = harbor_client.ApiClient(config)
    return harbor_client.RegistryApi(client), harbor_client.ProjectApi(client)


def new_registry(running, name="hub", password=PASSWORD):
    return harbor_client.Registry(
        name=name, url=running.url, type="docker-registry", insecure=False,
        description="Where the images are",
        credential=harbor_client.RegistryCredential(type="basic", access_key=USER,
                                                    access_secret=password))


def test_registries_through_harbors_client(harbor, basic_registry):
    registries, _ = harbor
    _, status, headers = registries.create_registry_with_http_info(new_registry(basic_registry))
    assert status == 201
    registry_id = int(headers["Location"].rsplit("/", 1)[1])
    listed, _, headers = registries.list_registries_with_http_info(q="name=~hu", page=1,
                                                                   page_size=10)
    assert headers["X-Total-Count"] == "1" and [r.id for r in listed] == [registry_id]
    got = registries.get_registry(registry_id)
    assert got.name == "hub" and got.url == basic_registry.url and got.type == "docker-registry"
    assert got.credential.access_key == USER and got.credential.access_secret is None
    assert isinstance(got.creation_time, datetime) and got.creation_time.tzinfo is not None
    registries.update_registry(registry_id, harbor_client.RegistryUpdate(
        description="Mirror", access_secret=""))
    updated = registries.get_registry(registry_id)
    assert updated.description == "Mirror" and updated.update_time >= got.update_time
    registries.ping_registry(harbor_client.RegistryPing(id=registry_id))
    assert registries.get_registry(registry_id).status == "healthy"
    registries.delete_registry(registry_id)
    with pytest.raises(ApiException) as gone:
        registries.get_registry(registry_id)
    assert gone.value.status == 404


def test_ping_of_an_unsaved_registry_and_its_reason(harbor, basic_registry):
    registries, _ = harbor
    ping = harbor_client.RegistryPing(type="docker-registry", url=basic_registry.url,
                                      credential_type="basic", access_key=USER,
                                      access_secret=PASSWORD, insecure=False)
    registries.ping_registry(ping)
    ping.access_secret = "wrong-password"
    with pytest.raises(ApiException) as refused:
        registries.ping_registry(ping)
    assert refused.value.status == 400
    assert "rejected the user name or password" in refused.value.body
    assert PASSWORD not in refused.value.body


def test_projects_through_harbors_client(harbor, basic_registry):
    registries, projects = harbor
    registries.create_registry(new_registry(basic_registry))
    registry_id = registries.list_registries(name="hub")[0].id
    request = harbor_client.ProjectReq(project_name="library", registry_id=registry_id,
                                       metadata=harbor_client.ProjectMetadata(public="true"),
                                       storage_limit=-1)
    _, status, headers = projects.create_project_with_http_info(request)
    assert status == 201 and headers["Location"].startswith("/api/v2.0/projects/")
    projects.head_project("library")
    with pytest.raises(ApiException) as missing:
        projects.head_project("nothing")
    assert missing.value.status == 404
    listed = projects.list_projects(name="lib", page=1, page_size=10)
    assert [(p.name, p.registry_id) for p in listed] == [("library", registry_id)]
    project = projects.get_project("library")
    assert project.project_id == listed[0].project_id and isinstance(project.update_time,
                                                                     datetime)
    assert projects.get_project(str(project.project_id)).name == "library"
    with pytest.raises(ApiException) as in_use:
        registries.delete_registry(registry_id)
    assert in_use.value.status == 412 and "library" in in_use.value.body
    projects.delete_project("library")
    assert projects.list_projects() == []
    registries.delete_registry(registry_id)
