"""Executions and tasks through the API, against a real registry and the Dragonfly stand-in."""
from __future__ import annotations

import pytest

from tests.api.conftest import error_of
from tests.executions.conftest import (PAT, app_config, box, dragonfly, images,  # noqa: F401
                                       policy, wait_for)

WARM = "/projects/library/preheat/policies/warm"


def execute(api) -> tuple[int, str]:
    started = api.post(WARM)
    assert started.status_code == 201, started.get_json()
    return started.get_json()["id"], started.headers["Location"]


def test_an_execution_its_tasks_and_their_logs(app, session, api, images, dragonfly, policy):
    digests = images(["1.0", "1.1", "2.0"])
    policy(dragonfly(), tags="1.*")
    execution_id, location = execute(api)
    assert wait_for(session, execution_id).status == "Success"
    execution = api.get(location).get_json()
    assert execution["status"] == "Success" and execution["end_time"]
    assert execution["metrics"] == {"task_count": 2, "success_task_count": 2,
                                    "error_task_count": 0, "pending_task_count": 0,
                                    "running_task_count": 0, "scheduled_task_count": 0,
                                    "stopped_task_count": 0}
    listed = api.get(WARM + "/executions")
    assert listed.headers["X-Total-Count"] == "1"
    assert listed.get_json() == [execution]
    tasks = api.get(location + "/tasks?page_size=1")
    assert tasks.headers["X-Total-Count"] == "2" and 'rel="next"' in tasks.headers["Link"]
    first = tasks.get_json()[0]
    attrs = first["extra_attrs"]
    assert attrs["artifact"] == "library/app:1.0" and attrs["digest"] == digests["1.0"]
    assert attrs["kind"] == "image" and attrs["provider_job_id"]
    assert attrs["peers"] and all(peer["ok"] for peer in attrs["peers"])
    assert first["status"] == "Success" and first["run_count"] >= 1
    log = api.get(f"{location}/tasks/{first['id']}/logs")
    assert log.status_code == 200 and log.mimetype == "text/plain"
    assert log.get_data(as_text=True)
    for answer in (execution, tasks.get_json(), log.get_data(as_text=True)):
        assert PAT not in str(answer)


def test_stop_with_patch(app, session, api, images, dragonfly, policy):
    images(["1.0", "1.1"])
    policy(dragonfly(delay=3600))
    execution_id, location = execute(api)
    wait_for(session, execution_id, statuses=("Running",))
    for body, field in (({"status": "Running"}, "status"), ({}, "status"),
                        ({"status": "Stopped", "id": 1}, "id")):
        refused = api.patch(location, body)
        assert refused.status_code == 400 and error_of(refused)["field"] == field, body
    stopped = api.patch(location, {"status": "Stopped"})
    assert stopped.status_code == 200 and stopped.get_json()["status"] == "Stopped"
    assert api.patch(location, {"status": "Stopped"}).status_code == 200
    tasks = api.get(location + "/tasks").get_json()
    assert {task["status"] for task in tasks} == {"Stopped"}


def test_stopping_an_ended_execution_is_a_409(app, session, api, images, dragonfly, policy):
    images(["2.0"])
    policy(dragonfly(), tags="1.*")
    execution_id, location = execute(api)
    assert wait_for(session, execution_id).status == "Success"
    refused = api.patch(location, {"status": "Stopped"})
    assert refused.status_code == 409 and "already ended" in error_of(refused)["message"]


@pytest.mark.parametrize("suffix", ["/executions/999", "/executions/abc", "/executions/0/tasks",
                                    "/executions/{id}/tasks/999/logs",
                                    "/executions/{id}/tasks/x/logs"])
def test_unknown_executions_and_tasks_are_404(app, session, api, images, dragonfly, policy,
                                              suffix):
    images(["2.0"])
    policy(dragonfly(), tags="1.*")
    execution_id, _ = execute(api)
    response = api.get(WARM + suffix.format(id=execution_id))
    assert response.status_code == 404 and error_of(response)["code"] == "NOT_FOUND"
