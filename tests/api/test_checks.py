"""Ping and health against the Dragonfly and Kraken stand-ins."""
from tests.api.conftest import error_of
from tests.providers.faults import free_port


def test_ping_of_an_unsaved_healthy_instance_is_200_with_the_result(api, dragonfly):
    response = api.post("/instances/ping", {"vendor": "dragonfly", "endpoint": dragonfly.url})
    assert response.status_code == 200
    result = response.get_json()
    assert result["status"] == "Healthy" and result["http_status"] == 200
    assert result["reason"] and isinstance(result["latency_ms"], int)
    assert isinstance(result["checked_at"], int)
    assert dragonfly.requests[-1][:2] == ("GET", "/healthy")
    assert api.get("/instances").get_json() == []


def test_ping_of_kraken(api, kraken):
    response = api.post("/instances/ping", {"vendor": "kraken", "endpoint": kraken.url})
    assert response.status_code == 200
    assert kraken.requests[-1][:2] == ("GET", "/health")


def test_ping_of_an_unreachable_instance_is_400_saying_why(api):
    response = api.post("/instances/ping", {"vendor": "dragonfly",
                                            "endpoint": f"http://127.0.0.1:{free_port()}"})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "BAD_REQUEST" and "Connection refused" in error["message"]


def test_ping_by_id_checks_the_stored_instance_and_keeps_the_result(api, dragonfly):
    created = api.create(endpoint=dragonfly.url, auth_mode="OAUTH",
                         auth_info={"token": "good-token"})
    response = api.post("/instances/ping", {"id": created["id"], "endpoint": "http://ignored"})
    assert response.status_code == 200 and response.get_json()["status"] == "Healthy"
    assert dragonfly.requests[-1][2]["Authorization"] == "Bearer good-token"
    assert api.get("/instances/df-prod").get_json()["status"] == "Healthy"


def test_ping_by_an_unknown_id_is_404(api):
    assert api.post("/instances/ping", {"id": 999}).status_code == 404
    assert api.post("/instances/ping", {"id": 10**30}).status_code == 404
    assert api.post("/instances/ping", {"id": -1}).status_code == 404


def test_ping_of_an_unsaved_instance_names_what_is_missing(api):
    response = api.post("/instances/ping", {"endpoint": "http://df.example"})
    assert response.status_code == 400 and error_of(response)["field"] == "vendor"
    response = api.post("/instances/ping", {"vendor": "kraken"})
    assert response.status_code == 400 and error_of(response)["field"] == "endpoint"
    response = api.post("/instances/ping", {"vendor": "kraken", "endpoint": "http://k",
                                            "auth_mode": "BASIC"})
    assert error_of(response)["field"] == "auth_info.username"


def test_health_is_the_stored_result_until_refreshed(api, dragonfly):
    api.create(endpoint=dragonfly.url)
    stored = api.get("/instances/df-prod/health")
    assert stored.status_code == 200
    assert stored.get_json() == {"status": "Unknown", "reason": None, "http_status": None,
                                 "latency_ms": None, "checked_at": None}
    refreshed = api.post("/instances/df-prod/health")
    assert refreshed.status_code == 200
    assert refreshed.get_json()["status"] == "Healthy"
    assert api.get("/instances/df-prod/health").get_json() == refreshed.get_json()


def test_refresh_of_a_dead_provider_is_200_with_unhealthy_and_the_reason(api):
    api.create(endpoint=f"http://127.0.0.1:{free_port()}")
    response = api.post("/instances/df-prod/health")
    assert response.status_code == 200
    result = response.get_json()
    assert result["status"] == "Unhealthy" and "Connection refused" in result["reason"]
    assert api.get("/instances/df-prod").get_json()["status"] == "Unhealthy"


def test_health_of_an_unknown_instance_is_404_and_a_bad_flag_400(api):
    assert api.get("/instances/nothing/health").status_code == 404
    assert api.post("/instances/nothing/health").status_code == 404
    api.create()
    response = api.get("/instances/df-prod/health?refresh=yes")
    assert response.status_code == 400 and error_of(response)["field"] == "refresh"


def test_ping_by_id_is_in_the_audit_log_as_a_test_of_the_saved_instance(api, dragonfly):
    created = api.create(endpoint=dragonfly.url)
    api.post("/instances/ping", {"id": created["id"]})
    entry = api.get("/audit-logs?action=test_connection").get_json()[0]
    assert entry["object_name"] == "df-prod" and entry["outcome"] == "success"
    assert entry["detail"].startswith(dragonfly.url)


def test_refresh_of_a_deactivated_instance_is_409_and_checks_nothing(api, dragonfly):
    api.create(endpoint=dragonfly.url, enabled=False)
    response = api.post("/instances/df-prod/health")
    assert response.status_code == 409 and "deactivated" in error_of(response)["message"]
    assert dragonfly.requests == []
    assert api.get("/instances/df-prod/health").get_json()["status"] == "Unknown"
