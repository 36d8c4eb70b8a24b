"""The contract Harbor's own API tests check, on our API."""
from sqlalchemy import select

from preheat.models import Instance, Policy
from tests.api.conftest import INSTANCE, error_of
from tests.helpers import project_id

SECRET = "canary-secret-7f3a"


def test_create_answers_201_with_the_location_of_the_new_instance(api):
    response = api.post("/instances", INSTANCE)
    assert response.status_code == 201
    assert response.headers["Location"] == "/api/v2.0/p2p/preheat/instances/df-prod"
    assert response.get_json()["name"] == "df-prod"


def test_get_by_name_shows_every_field_but_auth_info(api):
    api.create(description="Main manager", auth_mode="OAUTH", auth_info={"token": SECRET})
    response = api.get("/instances/df-prod")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"id", "name", "description", "vendor", "endpoint", "auth_mode",
                         "status", "enabled", "default", "insecure", "setup_timestamp"}
    assert body["description"] == "Main manager" and body["auth_mode"] == "OAUTH"
    assert body["vendor"] == "dragonfly" and body["endpoint"] == "http://df.example:8080"
    assert body["enabled"] is True and body["default"] is False and body["insecure"] is False
    assert body["status"] == "Unknown" and isinstance(body["setup_timestamp"], int)


def test_get_by_name_ignores_case(api):
    api.create()
    assert api.get("/instances/DF-Prod").get_json()["name"] == "df-prod"


def test_unknown_name_is_404(api):
    response = api.get("/instances/nothing-here")
    assert response.status_code == 404
    assert error_of(response)["code"] == "NOT_FOUND"


def test_put_with_a_new_name_renames_the_instance(api):
    created = api.create()
    response = api.put("/instances/df-prod", {**created, "name": "df-renamed"})
    assert response.status_code == 200
    assert response.get_json()["name"] == "df-renamed"
    assert api.get("/instances/df-renamed").get_json()["id"] == created["id"]
    assert api.get("/instances/df-prod").status_code == 404


def test_duplicate_name_is_409_naming_the_field(api):
    api.create()
    response = api.post("/instances", {**INSTANCE, "name": "DF-PROD",
                                       "endpoint": "http://other.example"})
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "CONFLICT" and error["field"] == "name"
    assert "already exists" in error["message"]


def test_duplicate_endpoint_is_409_even_when_spelt_differently(api):
    api.create()
    response = api.post("/instances", {**INSTANCE, "name": "other",
                                       "endpoint": "HTTP://DF.example:8080/"})
    assert response.status_code == 409
    assert error_of(response)["field"] == "endpoint"


def test_non_sysadmin_is_403_on_every_endpoint(api_user):
    for method, url in [("GET", "/providers"), ("GET", "/instances"),
                        ("POST", "/instances"), ("GET", "/instances/x"),
                        ("PUT", "/instances/x"), ("PATCH", "/instances/x"),
                        ("DELETE", "/instances/x"), ("POST", "/instances/ping"),
                        ("GET", "/instances/x/health")]:
        response = api_user.request(method, url, json={})
        assert response.status_code == 403, (method, url)
        assert error_of(response)["code"] == "FORBIDDEN"


def test_anonymous_is_401_with_a_basic_challenge(api_anonymous):
    for method, url in [("GET", "/instances"), ("POST", "/instances"),
                        ("DELETE", "/instances/x"), ("POST", "/instances/ping")]:
        response = api_anonymous.request(method, url, json=INSTANCE)
        assert response.status_code == 401, (method, url)
        assert response.headers["WWW-Authenticate"].startswith("Basic")
        assert error_of(response)["code"] == "UNAUTHORIZED"


def test_deleting_an_instance_a_policy_uses_is_412_naming_the_policy(api, session):
    created = api.create()
    session.add(Policy(project_id=project_id(session), name="nightly-images", instance_id=created["id"]))
    session.commit()
    response = api.delete("/instances/df-prod")
    assert response.status_code == 412
    error = error_of(response)
    assert error["code"] == "PRECONDITION" and "nightly-images" in error["message"]
    assert api.get("/instances/df-prod").status_code == 200


def test_deleting_a_free_instance_is_200_and_it_is_gone(api, session):
    api.create()
    response = api.delete("/instances/df-prod")
    assert response.status_code == 200 and response.get_data() == b""
    assert session.scalar(select(Instance)) is None
    assert api.get("/instances/df-prod").status_code == 404


def test_auth_info_is_in_no_response(api):
    """Not in create, get, list, put, patch or error answers."""
    responses = [api.post("/instances", {**INSTANCE, "auth_mode": "BASIC",
                                         "auth_info": {"username": "ops", "password": SECRET}})]
    responses.append(api.get("/instances/df-prod"))
    responses.append(api.get("/instances"))
    responses.append(api.put("/instances/df-prod", {**INSTANCE, "auth_mode": "BASIC",
                                                    "auth_info": {"password": SECRET}}))
    responses.append(api.patch("/instances/df-prod", {"auth_info": {"password": SECRET}}))
    responses.append(api.post("/instances", {**INSTANCE, "auth_mode": "OAUTH",
                                             "auth_info": {"token": SECRET + "\x01"}}))
    responses.append(api.patch("/instances/df-prod", {"auth_info": {"password": 7}}))
    responses.append(api.post("/instances/ping", {"vendor": "dragonfly", "endpoint": "http://x",
                                                  "auth_mode": "OAUTH",
                                                  "auth_info": {"token": SECRET}}))
    for response in responses:
        text = response.get_data(as_text=True)
        assert SECRET not in text and "auth_info\":" not in text.replace(" ", ""), text
        body = response.get_json()
        items = body if isinstance(body, list) else [body]
        assert all("auth_info" not in item for item in items if "errors" not in item)
    assert [r.status_code for r in responses] == [201, 200, 200, 200, 200, 400, 400, 400]


def test_ui_and_api_see_the_same_instances(api, admin):
    api.create(name="made-by-api")
    assert "made-by-api" in admin.get("/distributions").get_data(as_text=True)
    admin.post("/distributions/new", {"vendor": "kraken", "name": "made-in-ui",
                                      "endpoint": "http://kraken.example", "auth_mode": "NONE"})
    names = [item["name"] for item in api.get("/instances").get_json()]
    assert names == ["made-by-api", "made-in-ui"]


def test_providers_lists_dragonfly_and_kraken_with_metadata(api):
    response = api.get("/providers")
    assert response.status_code == 200
    providers = {p["id"]: p for p in response.get_json()}
    assert set(providers) == {"dragonfly", "kraken"}
    for provider in providers.values():
        assert set(provider) == {"id", "name", "icon", "maintainers", "version", "source"}
        assert provider["name"] and provider["version"] and provider["maintainers"]
    assert providers["dragonfly"]["name"] == "Dragonfly"
    assert providers["kraken"]["name"] == "Kraken"
