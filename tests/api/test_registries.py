"""The registry resource in Harbor's shapes: create, read, list, update, delete, and refusals."""
import re
from datetime import datetime

import pytest

from tests.api.conftest import error_of

PASSWORD = "pw-canary-R3g1stry"
REGISTRY = {"name": "hub-mirror", "description": "Images", "url": "HTTP://Registry.Example:80/",
            "type": "docker-registry", "insecure": False,
            "credential": {"type": "basic", "access_key": "alice", "access_secret": PASSWORD}}
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def create(api, **fields):
    response = api.post("/registries", {**REGISTRY, **fields})
    assert response.status_code == 201, response.get_json()
    return response


def test_create_answers_201_with_location_and_the_registry_without_its_password(api):
    response = create(api)
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v2.0/registries/{body['id']}"
    assert set(body) == {"id", "name", "description", "url", "public_url", "type",
                         "credential", "insecure", "status", "creation_time", "update_time",
                         "webhook_url", "webhook_secret_hint"}
    assert body["url"] == "http://registry.example"
    assert body["credential"] == {"type": "basic", "access_key": "alice"}
    assert body["status"] == "unknown" and body["public_url"] is None
    assert PASSWORD not in response.get_data(as_text=True)
    assert api.get(response.headers["Location"]).get_json() == body


def test_times_are_rfc3339_strings(api):
    body = create(api).get_json()
    for key in ("creation_time", "update_time"):
        assert RFC3339.fullmatch(body[key]), body[key]
        assert datetime.fromisoformat(body[key].replace("Z", "+00:00")).tzinfo is not None


def test_a_registry_without_credential_has_an_empty_access_key(api):
    body = create(api, credential=None).get_json()
    assert body["credential"] == {"type": "basic", "access_key": ""}
    blank = create(api, name="other", url="http://other.example",
                   credential={"type": "basic", "access_key": "", "access_secret": ""})
    assert blank.get_json()["credential"]["access_key"] == ""


def test_public_url_is_stored_normalised_and_cleared_with_an_empty_string(api):
    body = create(api, public_url="http://Pull.Example:5000/").get_json()
    assert body["public_url"] == "http://pull.example:5000"
    response = api.put(f"/registries/{body['id']}", {"public_url": ""})
    assert response.status_code == 200 and response.get_json()["public_url"] is None


@pytest.mark.parametrize("fields, field", [
    ({"name": "bad name"}, "name"),
    ({"url": "ftp://registry.example"}, "url"),
    ({"type": "harbor"}, "type"),
    ({"credential": {"type": "oauth", "access_key": "a", "access_secret": "b"}},
     "credential.type"),
    ({"credential": {"access_key": "alice"}}, "credential.access_secret"),
    ({"credential": {"access_secret": "x"}}, "credential.access_key"),
    ({"credential": {"access_key": "", "access_secret": "x"}}, "credential.access_key"),
    ({"credential": {"user": "alice"}}, "credential.user"),
    ({"credential": "alice:pw"}, "credential"),
    ({"insecure": "yes"}, "insecure"),
    ({"vendor": "dragonfly"}, "vendor"),
    ({"public_url": "not a url"}, "public_url"),
])
def test_invalid_fields_are_400_naming_the_field(api, fields, field):
    response = api.post("/registries", {**REGISTRY, **fields})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "BAD_REQUEST" and error["field"] == field, error
    assert error["message"].startswith(f"{field}: ")


def test_required_fields_are_named(api):
    for missing in ("name", "url"):
        body = {key: value for key, value in REGISTRY.items() if key != missing}
        assert error_of(api.post("/registries", body))["field"] == missing


def test_duplicate_name_or_url_is_409(api):
    create(api)
    same_name = api.post("/registries", {**REGISTRY, "name": "HUB-MIRROR",
                                         "url": "http://elsewhere.example"})
    assert same_name.status_code == 409 and error_of(same_name)["field"] == "name"
    same_url = api.post("/registries", {**REGISTRY, "name": "other",
                                        "url": "http://registry.example/"})
    assert same_url.status_code == 409 and error_of(same_url)["field"] == "url"


def test_unknown_ids_are_404_and_other_methods_405(api):
    for url in ("/registries/999", "/registries/0", "/registries/99999999999999999999",
                "/registries/abc"):
        assert api.get(url).status_code == 404, url
        assert error_of(api.get(url))["code"] == "NOT_FOUND"
    create(api)
    for method, url in (("PATCH", "/registries/1"), ("POST", "/registries/1"),
                        ("DELETE", "/registries"), ("GET", "/registries/ping")):
        response = api.request(method, url)
        assert response.status_code == 405, (method, url)
        assert error_of(response)["code"] == "METHOD_NOT_ALLOWED"


def test_a_body_that_is_not_json_is_415(api):
    response = api.post("/registries", data="name=x", headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415 and error_of(response)["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_put_changes_only_the_fields_sent_and_keeps_the_password(api, session):
    registry_id = create(api).get_json()["id"]
    response = api.put(f"/registries/{registry_id}", {"description": "Mirror",
                                                      "access_secret": "", "name": None})
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["description"] == "Mirror" and body["name"] == "hub-mirror"
    assert body["credential"] == {"type": "basic", "access_key": "alice"}
    assert body["update_time"] >= body["creation_time"]
    from preheat.models import Registry
    from preheat.services.registries import credentials
    registry = session.get(Registry, registry_id)
    box = api.http.application.extensions["preheat"].secret_box
    assert credentials(box, registry).password == PASSWORD


def test_put_with_an_empty_access_key_removes_the_credentials(api):
    registry_id = create(api).get_json()["id"]
    response = api.put(f"/registries/{registry_id}", {"access_key": ""})
    assert response.get_json()["credential"] == {"type": "basic", "access_key": ""}
    response = api.put(f"/registries/{registry_id}", {"access_secret": "only-a-password"})
    assert response.status_code == 400 and error_of(response)["field"] == "access_key"


def test_put_to_another_origin_needs_the_password_again(api):
    registry_id = create(api).get_json()["id"]
    response = api.put(f"/registries/{registry_id}", {"url": "http://attacker.example"})
    assert response.status_code == 400
    error = error_of(response)
    assert error["field"] == "access_secret" and "Type the password again" in error["message"]
    moved = api.put(f"/registries/{registry_id}", {"url": "http://attacker.example",
                                                   "access_secret": "typed-again"})
    assert moved.status_code == 200 and moved.get_json()["url"] == "http://attacker.example"


def test_put_refuses_unknown_fields_and_an_unknown_registry(api):
    registry_id = create(api).get_json()["id"]
    response = api.put(f"/registries/{registry_id}", {"credential": {"access_key": "x"}})
    assert response.status_code == 400 and error_of(response)["field"] == "credential"
    assert api.put("/registries/999", {"name": "x"}).status_code == 404


def test_list_pages_filters_and_sorts(api):
    for index in range(5):
        create(api, name=f"reg-{index}", url=f"http://r{index}.example",
               insecure=index % 2 == 0)
    response = api.get("/registries?page=2&page_size=2")
    assert [r["name"] for r in response.get_json()] == ["reg-2", "reg-3"]
    assert response.headers["X-Total-Count"] == "5"
    link = response.headers["Link"]
    assert 'page=1' in link and 'rel="prev"' in link and 'page=3' in link and 'rel="next"' in link
    insecure = api.get("/registries?q=insecure=true&sort=-name").get_json()
    assert [r["name"] for r in insecure] == ["reg-4", "reg-2", "reg-0"]
    assert [r["name"] for r in api.get("/registries?q=url=~r3.").get_json()] == ["reg-3"]
    assert [r["name"] for r in api.get("/registries?name=G-1").get_json()] == ["reg-1"]


@pytest.mark.parametrize("args, field", [("q=vendor=x", "q"), ("sort=endpoint", "sort"),
                                         ("page=0", "page"), ("page_size=101", "page_size")])
def test_bad_list_parameters_are_400_naming_them(api, args, field):
    response = api.get(f"/registries?{args}")
    assert response.status_code == 400 and error_of(response)["field"] == field


def test_delete_is_200_and_audited(api):
    registry_id = create(api).get_json()["id"]
    assert api.delete(f"/registries/{registry_id}").status_code == 200
    assert api.get(f"/registries/{registry_id}").status_code == 404
    assert api.delete(f"/registries/{registry_id}").status_code == 404
    entries = api.get("/audit-logs?action=delete").get_json()
    assert entries[0]["object_type"] == "registry" and entries[0]["object_name"] == "hub-mirror"


def test_only_sysadmins_may_use_registries(api_user, api_anonymous):
    assert api_anonymous.get("/registries").status_code == 401
    assert api_user.get("/registries").status_code == 403
    assert api_user.post("/registries", REGISTRY).status_code == 403
    assert api_user.post("/registries/ping", {"id": 1}).status_code == 403
