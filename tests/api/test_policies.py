"""The policy resource in Harbor's shapes: providers, CRUD, errors naming fields, Execute."""
from __future__ import annotations

import json

import pytest

from preheat.executions import runs
from preheat.models import Execution, Policy
from preheat.services import instances
from tests.api.conftest import error_of
from tests.helpers import add_instances, add_projects, add_registries

POLICIES = "/projects/library/preheat/policies"
FILTERS = json.dumps([{"type": "repository", "value": "app"}, {"type": "tag", "value": "v1.*"}])


@pytest.fixture
def provider_ids(app):
    """Dragonfly df (the default) and Kraken kr, enabled; project library on a registry."""
    ids = add_instances(app, {"vendor": "dragonfly", "name": "df",
                              "endpoint": "http://127.0.0.1:9", "default": True},
                        {"vendor": "kraken", "name": "kr", "endpoint": "http://127.0.0.1:8"})
    add_projects(app, *add_registries(app, {"name": "hub", "url": "http://127.0.0.1:7"}),
                 "library")
    return ids


def new_policy(api, provider_id, **fields):
    body = {"name": "warm", "provider_id": provider_id, "filters": FILTERS,
            "trigger": '{"type":"manual","trigger_setting":{}}', **fields}
    response = api.post(POLICIES, body)
    assert response.status_code == 201, response.get_json()
    return response


def test_providers_under_a_project(api, provider_ids):
    listed = api.get("/projects/library/preheat/providers").get_json()
    assert listed == [{"id": provider_ids[0], "provider": "df", "enabled": True, "default": True},
                      {"id": provider_ids[1], "provider": "kr", "enabled": True,
                       "default": False}]
    assert api.get("/projects/nothing/preheat/providers").status_code == 404


def test_create_read_list_update_delete(api, provider_ids):
    created = new_policy(api, provider_ids[0], description="Release tags",
                         extra_attrs='{"scope":"all_peers","cluster_ids":[1]}')
    assert created.headers["Location"] == "/api/v2.0" + POLICIES + "/warm"
    policy = api.get(POLICIES + "/warm").get_json()
    assert policy == {**created.get_json(), "update_time": policy["update_time"]}
    assert policy["provider_id"] == provider_ids[0] and policy["provider_name"] == "df"
    assert json.loads(policy["filters"]) == json.loads(FILTERS)
    assert json.loads(policy["trigger"]) == {"type": "manual", "trigger_setting": {}}
    assert json.loads(policy["extra_attrs"]) == {"scope": "all_peers", "cluster_ids": [1],
                                                 "platform": ""}
    assert policy["scope"] == "all_peers" and policy["enabled"] is True
    assert policy["creation_time"].endswith("Z") or "+00:00" in policy["creation_time"]
    listed = api.get(POLICIES + "?page=1&page_size=1")
    assert listed.headers["X-Total-Count"] == "1" and [p["name"] for p in listed.get_json()] \
        == ["warm"]
    changed = api.put(POLICIES + "/WARM", {"enabled": False, "scope": "single_peer",
                                            "description": "Changed"})
    assert changed.status_code == 200, changed.get_json()
    after = changed.get_json()
    assert after["enabled"] is False and after["description"] == "Changed"
    assert json.loads(after["extra_attrs"]) == {"scope": "single_seed_peer",
                                                "cluster_ids": [1], "platform": ""}
    assert after["filters"] == policy["filters"]
    assert api.delete(POLICIES + "/warm").status_code == 200
    assert api.get(POLICIES + "/warm").status_code == 404


def test_a_duplicate_name_is_a_409(api, provider_ids):
    new_policy(api, provider_ids[0])
    response = api.post(POLICIES, {"name": "WARM", "provider_id": provider_ids[1]})
    assert response.status_code == 409 and error_of(response)["field"] == "name"


@pytest.mark.parametrize("fields, field", [
    ({"filters": "[{"}, "filters"),
    ({"filters": '{"type": "tag"}'}, "filters"),
    ({"filters": '[{"type": "tag", "value": "a/b"}]'}, "filters"),
    ({"filters": '[{"type": "label", "value": "gold"}]'}, "filters"),
    ({"filters": '[{"type": "repository", "value": "{a"}]'}, "filters"),
    ({"trigger": '{"type": "weekly"}'}, "trigger"),
    ({"trigger": '{"type": "scheduled", "trigger_setting": {"cron": "0 61 * * *"}}'},
     "trigger"),
    ({"trigger": '{"type": "scheduled", "trigger_setting": {"cron": "7 0 2 * * *"}}'},
     "trigger"),
    ({"trigger": '{"type": "scheduled", "trigger_setting": {}}'}, "trigger"),
    ({"trigger": '{"type": "scheduled", "trigger_setting": {"cron": "0 2 * * *",'
                 ' "timezone": "Nowhere/Land"}}'}, "trigger"),
    ({"trigger": '{"type": "scheduled", "trigger_setting": {"cron": 5}}'}, "trigger"),
    ({"trigger": "manual"}, "trigger"),
    ({"extra_attrs": "[1]"}, "extra_attrs"),
    ({"extra_attrs": '{"cluster_ids": ["x"]}'}, "extra_attrs.cluster_ids"),
    ({"extra_attrs": '{"colour": "red"}'}, "extra_attrs.colour"),
    ({"scope": "everyone"}, "scope"),
    ({"provider_id": 999}, "provider_id"),
    ({"provider_id": 2**40}, "provider_id"),
    ({"provider_id": "1"}, "provider_id"),
    ({"name": "bad name"}, "name"),
    ({"colour": "red"}, "colour"),
])
def test_invalid_fields_are_named(api, provider_ids, fields, field):
    body = {"name": "warm", "provider_id": provider_ids[0], **fields}
    response = api.post(POLICIES, body)
    assert response.status_code == 400, response.get_json()
    assert error_of(response)["field"] == field, error_of(response)


def test_missing_fields_and_a_deactivated_provider(app, api, provider_ids):
    assert error_of(api.post(POLICIES, {"name": "warm"}))["field"] == "provider_id"
    assert error_of(api.post(POLICIES, {"provider_id": 1}))["field"] == "name"
    with app.app_context():
        state = app.extensions["preheat"]
        session = state.db.session
        instances.set_enabled(session, [instances.get(session, provider_ids[1])], False)
    refused = api.post(POLICIES, {"name": "warm", "provider_id": provider_ids[1]})
    assert refused.status_code == 400 and error_of(refused)["field"] == "provider_id"
    assert "deactivated" in error_of(refused)["message"]
    scoped = api.post(POLICIES, {"name": "k", "provider_id": provider_ids[0], "scope": "x"})
    assert error_of(scoped)["field"] == "scope"


def test_kraken_takes_no_options(api, provider_ids):
    response = api.post(POLICIES, {"name": "warm", "provider_id": provider_ids[1],
                                   "extra_attrs": '{"scope": "all_peers"}'})
    assert response.status_code == 400 and error_of(response)["field"] == "extra_attrs.scope"
    policy = new_policy(api, provider_ids[1]).get_json()
    assert policy["extra_attrs"] == "{}" and policy["scope"] is None


def test_unknown_project_and_policy_are_404(api, provider_ids):
    for method, url in (("GET", "/projects/nothing/preheat/policies"),
                        ("GET", POLICIES + "/nothing"), ("PUT", POLICIES + "/nothing"),
                        ("POST", POLICIES + "/nothing"), ("DELETE", POLICIES + "/nothing")):
        response = api.request(method, url, {} if method == "PUT" else None)
        assert response.status_code == 404, (method, url, response.get_json())
        assert error_of(response)["code"] == "NOT_FOUND"


def test_execute_answers_at_once_with_the_executions_url(app, api, provider_ids):
    new_policy(api, provider_ids[0])
    started = api.post(POLICIES + "/warm")
    assert started.status_code == 201, started.get_json()
    execution = started.get_json()
    assert started.headers["Location"] == \
        f"/api/v2.0{POLICIES}/warm/executions/{execution['id']}"
    assert execution["vendor_type"] == "P2P_PREHEAT" and execution["trigger"] == "manual"
    assert execution["status"] == "Pending" and execution["metrics"]["task_count"] == 0
    with_body = api.post(POLICIES + "/warm", {"name": "warm"})
    assert with_body.status_code == 201
    bad = api.post(POLICIES + "/warm", {"colour": "red"})
    assert bad.status_code == 400 and error_of(bad)["field"] == "colour"


def test_delete_while_an_execution_runs_is_a_412(app, api, provider_ids):
    new_policy(api, provider_ids[0])
    with app.app_context():
        session = app.extensions["preheat"].db.session
        policy = session.query(Policy).one()
        execution = runs.start(session, policy)  # not woken: it stays Pending
        execution_id = execution.id
    refused = api.delete(POLICIES + "/warm")
    assert refused.status_code == 412, refused.get_json()
    assert f"execution {execution_id}" in error_of(refused)["message"]
    with app.app_context():
        session = app.extensions["preheat"].db.session
        runs.stop(session, session.get(Execution, execution_id))
    assert api.delete(POLICIES + "/warm").status_code == 200
