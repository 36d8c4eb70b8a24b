"""The project resource in Harbor's shapes: create, look up, list, delete, and refusals."""
import pytest

from tests.api.conftest import error_of
from tests.api.test_registries import RFC3339


@pytest.fixture
def registry_id(api) -> int:
    response = api.post("/registries", {"name": "hub", "url": "http://registry.example"})
    assert response.status_code == 201
    return response.get_json()["id"]


def create(api, name, registry_id, **fields):
    response = api.post("/projects", {"project_name": name, "registry_id": registry_id,
                                      **fields})
    assert response.status_code == 201, response.get_json()
    return response


def test_create_answers_201_with_location_and_the_project(api, registry_id):
    response = create(api, "library", registry_id)
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v2.0/projects/{body['project_id']}"
    assert set(body) == {"project_id", "name", "registry_id", "creation_time", "update_time",
                         "repo_count"}
    assert body["name"] == "library" and body["registry_id"] == registry_id
    assert body["repo_count"] is None
    assert RFC3339.fullmatch(body["creation_time"]) and RFC3339.fullmatch(body["update_time"])
    assert api.get(response.headers["Location"]).get_json() == body
    assert api.get("/projects/library").get_json() == body


def test_harbors_optional_fields_are_accepted_and_ignored(api, registry_id):
    create(api, "team", registry_id, public=True, metadata={"public": "true"},
           storage_limit=-1, cve_allowlist={"items": []})
    response = api.post("/projects", {"project_name": "other", "registry_id": registry_id,
                                      "owner": "admin"})
    assert response.status_code == 400 and error_of(response)["field"] == "owner"


def test_location_by_name_when_asked(api, registry_id):
    response = api.post("/projects", {"project_name": "library", "registry_id": registry_id},
                        headers={"X-Resource-Name-In-Location": "true"})
    assert response.headers["Location"] == "/api/v2.0/projects/library"


@pytest.mark.parametrize("body, field", [
    ({"project_name": "Library"}, "project_name"),
    ({"project_name": "-lib"}, "project_name"),
    ({"project_name": "a" * 256}, "project_name"),
    ({"project_name": 5}, "project_name"),
    ({"registry_id": "1"}, "registry_id"),
    ({"registry_id": 999}, "registry_id"),
    ({"metadata": "public"}, "metadata"),
])
def test_invalid_fields_are_400_naming_the_field(api, registry_id, body, field):
    response = api.post("/projects", {"project_name": "library", "registry_id": registry_id,
                                      **body})
    assert response.status_code == 400
    assert error_of(response)["field"] == field, error_of(response)


def test_a_project_name_is_unique(api, registry_id):
    create(api, "library", registry_id)
    response = api.post("/projects", {"project_name": "library", "registry_id": registry_id})
    assert response.status_code == 409 and error_of(response)["field"] == "project_name"


def test_head_tells_whether_a_name_is_taken(api, registry_id):
    create(api, "library", registry_id)
    found = api.request("HEAD", "/projects?project_name=library")
    assert found.status_code == 200 and found.get_data() == b""
    assert api.request("HEAD", "/projects?project_name=nothing").status_code == 404
    assert api.request("HEAD", "/projects?project_name=Library").status_code == 404
    assert api.request("HEAD", "/projects").status_code == 400


def test_a_name_of_digits_is_an_id_unless_the_header_says_name(api, registry_id):
    numbered = create(api, "2024", registry_id).get_json()
    first = create(api, "library", registry_id).get_json()
    assert api.get(f"/projects/{numbered['project_id']}").get_json()["name"] == "2024"
    assert api.get("/projects/2024").status_code == 404
    by_name = api.get("/projects/2024", headers={"X-Is-Resource-Name": "true"})
    assert by_name.get_json() == numbered
    assert api.get(f"/projects/{first['project_id']}").get_json()["name"] == "library"
    for missing in ("0", "99999999999999999999", "nothing", "UPPER"):
        assert api.get(f"/projects/{missing}").status_code == 404, missing


def test_list_pages_and_filters(api, registry_id):
    for name in ("alpha", "beta", "library", "libs"):
        create(api, name, registry_id)
    response = api.get("/projects?q=name=~lib&sort=-name")
    assert [p["name"] for p in response.get_json()] == ["libs", "library"]
    page = api.get("/projects?page=2&page_size=3")
    assert [p["name"] for p in page.get_json()] == ["libs"]
    assert page.headers["X-Total-Count"] == "4" and 'rel="prev"' in page.headers["Link"]
    assert [p["name"] for p in api.get("/projects?name=ETA").get_json()] == ["beta"]
    assert error_of(api.get("/projects?sort=url"))["field"] == "sort"


def test_delete_and_the_registry_it_kept_from_deletion(api, registry_id):
    create(api, "library", registry_id)
    create(api, "team", registry_id)
    refused = api.delete(f"/registries/{registry_id}")
    assert refused.status_code == 412
    error = error_of(refused)
    assert error["code"] == "PRECONDITION"
    assert "library" in error["message"] and "team" in error["message"]
    assert api.delete("/projects/library").status_code == 200
    assert api.delete("/projects/team").status_code == 200
    assert api.get("/projects/library").status_code == 404
    assert api.delete("/projects/library").status_code == 404
    assert api.delete(f"/registries/{registry_id}").status_code == 200
    entries = api.get("/audit-logs?action=delete").get_json()
    assert {(e["object_type"], e["object_name"]) for e in entries} >= {
        ("project", "library"), ("project", "team"), ("registry", "hub")}


def test_other_methods_are_405(api, registry_id):
    create(api, "library", registry_id)
    for method, url in (("PUT", "/projects/library"), ("DELETE", "/projects"),
                        ("PATCH", "/projects/library")):
        response = api.request(method, url)
        assert response.status_code == 405 and error_of(response)["code"] == \
            "METHOD_NOT_ALLOWED", (method, url)


def test_only_sysadmins_may_use_projects(api_user, api_anonymous):
    assert api_anonymous.get("/projects").status_code == 401
    assert api_anonymous.request("HEAD", "/projects?project_name=x").status_code == 401
    assert api_user.get("/projects").status_code == 403
    assert api_user.post("/projects", {"project_name": "x", "registry_id": 1}).status_code == 403
