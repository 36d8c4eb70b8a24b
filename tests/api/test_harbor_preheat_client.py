"""Harbor's generated client (PreheatApi), unchanged, runs a policy end to end on a live server.

A real registry with pushed images, the Dragonfly stand-in, and every call
through harbor_client: provider instance, registry, project, policy,
Execute, executions, tasks, logs, stop, delete.
"""
from __future__ import annotations

import json
import time
from datetime import datetime

import pytest

from tests.accounts import ADMIN
from tests.executions.conftest import PAT, app_config, dragonfly, images  # noqa: F401

harbor_client = pytest.importorskip("harbor_client", reason="pip install -r requirements-dev.txt")
from harbor_client.rest import ApiException  # noqa: E402

FILTERS = json.dumps([{"type": "repository", "value": "app"}, {"type": "tag", "value": "1.*"}])
MANUAL = json.dumps({"type": "manual", "trigger_setting": {}})


@pytest.fixture
def client(live_server):
    config = harbor_client.Configuration()
    config.host = live_server + "/api/v2.0"
    config.username, config.password = ADMIN
    return harbor_client.ApiClient(config)


def set_up(client, registry_url: str, provider_url: str) -> harbor_client.PreheatApi:
    """A registry, project library on it, and the Dragonfly instance df, through the client."""
    harbor_client.RegistryApi(client).create_registry(harbor_client.Registry(
        name="hub", url=registry_url, type="docker-registry", insecure=False))
    registry_id = harbor_client.RegistryApi(client).list_registries(name="hub")[0].id
    harbor_client.ProjectApi(client).create_project(harbor_client.ProjectReq(
        project_name="library", registry_id=registry_id))
    preheat = harbor_client.PreheatApi(client)
    preheat.create_instance(harbor_client.Instance(
        name="df", vendor="dragonfly", endpoint=provider_url, auth_mode="OAUTH",
        auth_info={"token": PAT}, enabled=True, default=True, insecure=False))
    return preheat


def wait(preheat, name: str, execution_id: int, statuses, timeout: float = 15.0):
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        execution = preheat.get_execution("library", name, execution_id)
        if execution.status in statuses:
            return execution
        time.sleep(0.05)
    raise AssertionError(f"execution {execution_id} is still {execution.status}")


def executed(preheat, name: str) -> int:
    _, status, headers = preheat.manual_preheat_with_http_info(
        "library", name, harbor_client.PreheatPolicy(name=name))
    assert status == 201
    location = headers["Location"]
    assert location.startswith(f"/api/v2.0/projects/library/preheat/policies/{name}/executions/")
    return int(location.rsplit("/", 1)[1])


def test_a_policy_runs_end_to_end_through_harbors_client(client, images, dragonfly):
    digests = images(["1.0", "1.1", "2.0"])
    preheat = set_up(client, images.registry.url, dragonfly().url)
    providers = preheat.list_providers_under_project("library")
    assert [(p.provider, p.enabled, p.default) for p in providers] == [("df", True, True)]
    _, status, _ = preheat.create_policy_with_http_info("library", harbor_client.PreheatPolicy(
        name="warm", provider_id=providers[0].id, filters=FILTERS, trigger=MANUAL,
        enabled=True, scope="all_peers"))
    assert status == 201
    policy = preheat.get_policy("library", "warm")
    assert policy.provider_name == "df" and policy.scope == "all_peers"
    assert isinstance(policy.creation_time, datetime)
    assert [p.name for p in preheat.list_policies("library", page=1, page_size=10)] == ["warm"]

    execution_id = executed(preheat, "warm")
    execution = wait(preheat, "warm", execution_id, ("Success", "Error", "Stopped"))
    assert execution.status == "Success", execution.status_message
    assert execution.vendor_type == "P2P_PREHEAT" and execution.trigger == "manual"
    assert execution.metrics.task_count == 2 and execution.metrics.success_task_count == 2
    assert [e.id for e in preheat.list_executions("library", "warm")] == [execution_id]
    tasks = preheat.list_tasks("library", "warm", execution_id)
    assert [t.status for t in tasks] == ["Success", "Success"]
    raw = client.rest_client.GET(
        f"{client.configuration.host}/projects/library/preheat/policies/warm/executions/"
        f"{execution_id}/tasks", headers=client.default_headers | {
            "Authorization": client.configuration.get_basic_auth_token()})
    attrs = [task["extra_attrs"] for task in json.loads(raw.data)]
    assert [(a["artifact"], a["digest"]) for a in attrs] == [
        ("library/app:1.0", digests["1.0"]), ("library/app:1.1", digests["1.1"])]
    log, status, headers = preheat.get_preheat_log_with_http_info(
        "library", "warm", execution_id, tasks[0].id, _preload_content=False)
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert PAT not in log.data.decode()

    preheat.update_policy("library", "warm", harbor_client.PreheatPolicy(enabled=False))
    assert preheat.get_policy("library", "warm").enabled is False
    preheat.delete_policy("library", "warm")
    with pytest.raises(ApiException) as gone:
        preheat.get_policy("library", "warm")
    assert gone.value.status == 404


def test_stop_and_the_refusals_through_harbors_client(client, images, dragonfly):
    images(["1.0", "1.1"])
    preheat = set_up(client, images.registry.url, dragonfly(delay=3600).url)
    provider_id = preheat.list_providers_under_project("library")[0].id
    policy = harbor_client.PreheatPolicy(name="slow", provider_id=provider_id, trigger=MANUAL)
    preheat.create_policy("library", policy)
    with pytest.raises(ApiException) as duplicate:
        preheat.create_policy("library", policy)
    assert duplicate.value.status == 409
    with pytest.raises(ApiException) as bad:
        preheat.create_policy("library", harbor_client.PreheatPolicy(
            name="bad", provider_id=provider_id, filters="[{"))
    assert bad.value.status == 400 and json.loads(bad.value.body)["errors"][0]["field"] == \
        "filters"

    execution_id = executed(preheat, "slow")
    wait(preheat, "slow", execution_id, ("Running",))
    with pytest.raises(ApiException) as running:
        preheat.delete_policy("library", "slow")
    assert running.value.status == 412 and f"execution {execution_id}" in running.value.body
    preheat.stop_execution("library", "slow", execution_id,
                           harbor_client.Execution(status="Stopped"))
    assert preheat.get_execution("library", "slow", execution_id).status == "Stopped"
    assert {t.status for t in preheat.list_tasks("library", "slow", execution_id)} == \
        {"Stopped"}
    preheat.delete_policy("library", "slow")


def test_harbors_client_lists_policies_with_q_sort_and_page(client, images, dragonfly):
    preheat = set_up(client, images.registry.url, dragonfly().url)
    provider_id = preheat.list_providers_under_project("library")[0].id
    for name in ("warm-a", "warm-b", "cold"):
        preheat.create_policy("library", harbor_client.PreheatPolicy(
            name=name, provider_id=provider_id, filters=FILTERS, trigger=MANUAL, enabled=True))
    policies, status, headers = preheat.list_policies_with_http_info(
        "library", q="name=~warm", sort="-name", page=1, page_size=1)
    assert status == 200 and [p.name for p in policies] == ["warm-b"]
    assert headers["X-Total-Count"] == "2" and 'rel="next"' in headers["Link"]
    assert [p.name for p in preheat.list_policies("library", q="name=~warm", sort="-name",
                                                  page=2, page_size=1)] == ["warm-a"]
    assert [p.name for p in preheat.list_policies("library", q="name=cold")] == ["cold"]
    with pytest.raises(ApiException) as bad:
        preheat.list_policies("library", q="colour=red")
    assert bad.value.status == 400 and json.loads(bad.value.body)["errors"][0]["field"] == "q"
