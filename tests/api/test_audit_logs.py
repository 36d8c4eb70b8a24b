"""GET /audit-logs: the audit trail over the API, filtered and paged."""
import pytest

from tests.api.conftest import INSTANCE, error_of


def test_api_changes_are_in_the_audit_log_with_the_api_user(api):
    api.create(name="df-api")
    api.patch("/instances/df-api", {"description": "changed"})
    api.delete("/instances/df-api")
    response = api.get("/audit-logs")
    entries = response.get_json()
    assert [(e["action"], e["outcome"], e["object_name"]) for e in entries] == [
        ("delete", "success", "df-api"), ("update", "success", "df-api"),
        ("create", "success", "df-api")]
    assert {e["username"] for e in entries} == {"admin"}
    assert 'description: (empty) -> "changed"' in entries[1]["detail"]
    assert response.headers["X-Total-Count"] == "3"


def test_filters_and_paging(api):
    for number in range(12):
        api.create(name=f"node{number}", endpoint=f"http://node{number}.example")
    api.post("/instances", {"vendor": "kraken", "name": "node0", "endpoint": "http://x"})
    failures = api.get("/audit-logs?outcome=failure").get_json()
    assert [(e["action"], e["object_name"]) for e in failures] == [("create", "node0")]
    page = api.get("/audit-logs?action=create&instance=NODE&page_size=5&page=2")
    assert len(page.get_json()) == 5 and page.headers["X-Total-Count"] == "13"
    assert 'rel="prev"' in page.headers["Link"] and 'rel="next"' in page.headers["Link"]
    assert "action=create" in page.headers["Link"]


@pytest.mark.parametrize("query, field", [("action=drop", "action"), ("outcome=maybe", "outcome"),
                                          ("page=0", "page"), ("user=%00", "user")])
def test_bad_filters_are_400_naming_the_parameter(api, query, field):
    response = api.get(f"/audit-logs?{query}")
    assert response.status_code == 400 and error_of(response)["field"] == field


def test_only_sysadmins_read_the_audit_log(api_user, api_anonymous):
    assert api_user.get("/audit-logs").status_code == 403
    assert api_anonymous.get("/audit-logs").status_code == 401


def test_invalid_payloads_are_answered_not_logged_but_conflicts_are(api):
    api.create(name="df-api")
    assert api.post("/instances", {**INSTANCE, "name": "-bad-"}).status_code == 400
    assert api.patch("/instances/df-api", {"endpoint": "ftp://x"}).status_code == 400
    assert api.post("/instances", {**INSTANCE, "name": "DF-API"}).status_code == 409
    entries = api.get("/audit-logs").get_json()
    assert [(e["action"], e["outcome"], e["object_name"]) for e in entries] == [
        ("create", "failure", "DF-API"), ("create", "success", "df-api")]
    assert [e["count"] for e in entries] == [1, 1]


def test_changed_values_read_as_a_person_writes_them(api):
    api.create(name="df-api", description="first")
    api.patch("/instances/df-api", {"description": None, "enabled": False, "insecure": True})
    detail = api.get("/audit-logs?action=update").get_json()[0]["detail"]
    assert detail == ('description: "first" -> (empty); enabled: yes -> no; insecure: no -> yes'
                      '; certificate verification skipped')
