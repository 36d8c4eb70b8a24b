"""POST /registries/ping against Debian's real docker-registry (htpasswd Basic auth)."""
import threading
import time

import pytest
import requests

from tests.accounts import ADMIN
from tests.api.conftest import error_of
from tests.helpers import basic
from tests.providers.faults import free_port, silent
from tests.registry.fixtures import PASSWORD, USER


def unsaved(running, user=USER, password=PASSWORD) -> dict:
    return {"type": "docker-registry", "url": running.url, "credential_type": "basic",
            "access_key": user, "access_secret": password, "insecure": False}


def stored(api, running) -> int:
    response = api.post("/registries", {
        "name": "hub", "url": running.url, "type": "docker-registry",
        "credential": {"type": "basic", "access_key": USER, "access_secret": PASSWORD}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_an_unsaved_registry_with_good_credentials_is_200(api, basic_registry):
    response = api.post("/registries/ping", unsaved(basic_registry))
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert result["status"] == "Healthy" and result["http_status"] == 200
    assert "the catalog is readable" in result["reason"]
    assert api.get("/registries").get_json() == []


@pytest.mark.parametrize("fields, reason", [
    ({"access_secret": "wrong-password"}, "the registry rejected the user name or password"),
    ({"access_key": "", "access_secret": ""}, "the registry asks for credentials, and none"
                                              " are configured"),
])
def test_an_unsaved_registry_that_refuses_is_400_saying_why(api, basic_registry, fields,
                                                             reason):
    response = api.post("/registries/ping", {**unsaved(basic_registry), **fields})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "BAD_REQUEST" and reason in error["message"], error


def test_what_is_not_a_registry_or_not_there_is_400_saying_so(api, dragonfly):
    response = api.post("/registries/ping", {"url": dragonfly.url})
    assert response.status_code == 400
    # The Dragonfly stand-in sends /v2/ to its own start page.
    assert "redirects are not followed" in error_of(response)["message"]
    response = api.post("/registries/ping", {"url": f"http://127.0.0.1:{free_port()}"})
    assert "Connection refused" in error_of(response)["message"]


def test_an_unsaved_ping_names_what_is_missing(api):
    assert error_of(api.post("/registries/ping", {}))["field"] == "url"
    response = api.post("/registries/ping", {"url": "http://r.example", "access_key": "a"})
    assert error_of(response)["field"] == "access_secret"
    response = api.post("/registries/ping", {"url": "http://r.example", "access_secret": "a"})
    assert error_of(response)["field"] == "access_key"


def test_a_stored_registry_is_checked_with_its_password_and_keeps_the_result(api,
                                                                            basic_registry):
    registry_id = stored(api, basic_registry)
    response = api.post("/registries/ping", {"id": registry_id})
    assert response.status_code == 200, response.get_json()
    assert api.get(f"/registries/{registry_id}").get_json()["status"] == "healthy"
    entry = api.get("/audit-logs?action=test_connection").get_json()[0]
    assert entry["object_type"] == "registry" and entry["object_name"] == "hub"
    assert entry["object_id"] == registry_id and entry["outcome"] == "success"
    assert entry["detail"].startswith(basic_registry.url)


def test_a_stored_registry_tried_with_other_fields_keeps_its_status(api, basic_registry):
    registry_id = stored(api, basic_registry)
    response = api.post("/registries/ping", {"id": registry_id, "access_secret": "wrong"})
    assert response.status_code == 400
    assert "rejected the user name or password" in error_of(response)["message"]
    assert api.get(f"/registries/{registry_id}").get_json()["status"] == "unknown"
    insecure = api.post("/registries/ping", {"id": registry_id, "insecure": True})
    assert insecure.status_code == 200, insecure.get_json()


def test_the_stored_password_goes_only_to_its_own_origin(api, basic_registry, started):
    from tests.providers import hostile
    attacker = started(hostile.serve, "message")
    registry_id = stored(api, basic_registry)
    response = api.post("/registries/ping", {"id": registry_id, "url": attacker.url})
    assert response.status_code == 400
    error = error_of(response)
    assert error["field"] == "access_secret" and "Type the password again" in error["message"]
    assert attacker.requests == []


def test_an_unknown_stored_registry_is_404(api):
    for registry_id in (999, 10**30, -1, 0):
        assert api.post("/registries/ping", {"id": registry_id}).status_code == 404


def test_the_password_comes_out_nowhere(api, basic_registry):
    registry_id = stored(api, basic_registry)
    answers = [api.post("/registries/ping", {"id": registry_id}),
               api.post("/registries/ping", unsaved(basic_registry)),
               api.post("/registries/ping", {**unsaved(basic_registry), "access_key": "bob"}),
               api.put(f"/registries/{registry_id}", {"description": "x", "access_secret": ""}),
               api.get(f"/registries/{registry_id}"), api.get("/registries"),
               api.get("/audit-logs?page_size=100"),
               api.post("/registries", {"name": "bad name", "url": basic_registry.url,
                                        "credential": {"access_key": USER,
                                                       "access_secret": PASSWORD}})]
    assert api.get("/audit-logs?page_size=100").get_json(), "nothing was audited"
    for answer in answers:
        assert PASSWORD not in answer.get_data(as_text=True), answer.request.path
        assert PASSWORD not in str(answer.headers)


class TestABoundOfOne:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "PREHEAT_TEST_CONCURRENCY": 1, "PREHEAT_HTTP_TIMEOUT": 1.0}

    def test_a_ping_beyond_the_bound_is_429_with_retry_after(self, live_server, api):
        ping = live_server + "/api/v2.0/registries/ping"
        auth = basic(*ADMIN)
        with silent() as endpoint:
            hanging = threading.Thread(target=requests.post, args=(ping,), kwargs={
                "json": {"url": endpoint}, "headers": auth})
            hanging.start()
            time.sleep(0.3)
            refused = requests.post(ping, json={"url": endpoint}, headers=auth)
            hanging.join()
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["errors"][0]["code"] == "TOO_MANY_REQUESTS"
