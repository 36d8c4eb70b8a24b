"""A tag pushed to the real docker-registry runs the event-based policies it matches, once."""
import json
import time

import pytest
import requests

from preheat.models import AuditEntry, Task
from tests.accounts import ADMIN
from tests.events.conftest import envelope
from tests.executions.conftest import deactivate, wait_for
from tests.helpers import basic


def tasks_of(session, execution):
    return [(t.repository, t.tag, t.digest, t.status) for t in
            session.query(Task).filter_by(execution_id=execution.id).order_by(Task.id)]


def test_pushing_a_matching_tag_preheats_that_tag_only(notified, dragonfly, session):
    provider = dragonfly()
    policy = notified.policy(provider, tags="1.*")
    notified.push("0.9")  # in the same batch, but not a tag the policy wants
    digest = notified.push("1.0")
    notified.wait_for_events(2)
    [execution] = notified.executions(policy)
    execution = wait_for(session, execution.id)
    assert execution.status == "Success", execution.status_message
    assert execution.trigger == "event_based"
    assert tasks_of(session, execution) == [("library/app", "1.0", digest, "Success")]
    detail = json.loads(execution.trigger_detail)
    assert [(e["repository"], e["tag"], e["digest"]) for e in detail["events"]] == [
        ("library/app", "1.0", digest)]
    assert detail["events"][0]["time"]
    assert sorted(provider.book.submissions.values()) == [1]


def test_a_tag_the_filters_do_not_match_runs_nothing(notified, dragonfly):
    policy = notified.policy(dragonfly(), tags="1.*")
    notified.push("2.0")
    [event] = notified.wait_for_events(1)
    assert (event.tag, event.status, event.execution_id) == ("2.0", "ignored", None)
    assert "No event-based policy" in event.note
    assert notified.executions(policy) == []


def test_a_push_to_a_repository_no_project_covers_is_ignored(notified, dragonfly):
    policy = notified.policy(dragonfly())
    notified.push("1.0", repository="elsewhere/app")
    [event] = notified.wait_for_events(1)
    assert event.status == "ignored" and "No project covers elsewhere/app" in event.note
    assert notified.executions(policy) == []


def test_the_same_envelope_three_times_gives_one_execution(notified, dragonfly, session):
    policy = notified.policy(dragonfly())
    digest = notified.push("1.0", repository="library/other")  # lands before the webhook does
    notified.wait_for_events(1)
    first = notified.executions(policy)
    body = envelope(repository="library/app", tag="1.1", digest=digest, user="alice")
    answers = [notified.post(body) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["recorded"] for a in answers] == [1, 0, 0]
    assert [a.json()["duplicates"] for a in answers] == [0, 1, 1]
    notified.wait_for_events(2)
    executions = notified.executions(policy)
    assert len(executions) == len(first) + 1
    detail = json.loads(executions[-1].trigger_detail)
    assert detail["events"][0]["user"] == "alice"


@pytest.mark.parametrize("header", [None, "Bearer wrong-secret", "Basic YWRtaW46YWRtaW4="])
def test_a_wrong_or_missing_secret_is_refused_and_recorded_nowhere(notified, dragonfly,
                                                                   header):
    policy = notified.policy(dragonfly())
    answer = notified.post(envelope(), headers={"Authorization": header})
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["code"] == "UNAUTHORIZED"
    assert notified.events() == [] and notified.executions(policy) == []


def test_a_registry_that_is_not_ours_is_refused_like_a_wrong_secret(notified):
    other = notified.url.replace(f"/registries/{notified.registry.id}/", "/registries/999/")
    answer = requests.post(other, json=envelope(), timeout=5,
                           headers={"Authorization": f"Bearer {notified.secret}"})
    assert answer.status_code == 401 and notified.events() == []


def test_blob_pushes_pulls_deletes_and_pushes_by_digest_are_not_kept(notified):
    bodies = [envelope(media_type="application/octet-stream", tag=None),
              envelope(action="pull"), envelope(action="delete"), envelope(tag=None)]
    answers = [notified.post(body).json() for body in bodies]
    assert [a["ignored"] for a in answers] == [1, 1, 1, 1]
    assert notified.events() == []


@pytest.mark.parametrize("app_config", [{"PREHEAT_EVENT_BATCH_SECONDS": 2.5}], indirect=True)
def test_a_burst_of_twenty_pushes_makes_one_execution_of_twenty_tasks(notified, dragonfly,
                                                                      session):
    policy = notified.policy(dragonfly())
    digests = {f"1.{n}": notified.push(f"1.{n}") for n in range(20)}
    notified.wait_for_events(20, timeout=30)
    [execution] = notified.executions(policy)
    execution = wait_for(session, execution.id, timeout=30)
    assert execution.status == "Success", execution.status_message
    assert sorted((tag, digest) for _, tag, digest, _ in tasks_of(session, execution)) == \
        sorted(digests.items())


def test_a_tag_pushed_twice_in_a_batch_is_one_task_with_the_newest_digest(notified, dragonfly,
                                                                          session):
    policy = notified.policy(dragonfly())
    old = notified.post(envelope(tag="1.0", digest="sha256:" + "b" * 64)).json()
    new_digest = notified.push("1.0")
    assert old["recorded"] == 1
    notified.wait_for_events(2)
    [execution] = notified.executions(policy)
    execution = wait_for(session, execution.id)
    assert [(tag, digest) for _, tag, digest, _ in tasks_of(session, execution)] == [
        ("1.0", new_digest)]


def test_a_deactivated_policy_leaves_an_audit_line_and_no_execution(notified, dragonfly,
                                                                   session):
    policy = notified.policy(dragonfly(), enabled=False)
    notified.push("1.0")
    notified.wait_for_events(1)
    assert notified.executions(policy) == []
    entry = session.query(AuditEntry).filter_by(object_type="policy", outcome="failure").one()
    assert "library/app:1.0" in entry.detail and "deactivated" in entry.detail


def test_a_deactivated_provider_leaves_an_error_execution_saying_why(notified, dragonfly,
                                                                     session):
    policy = notified.policy(dragonfly())
    deactivate(session, policy.instance)
    notified.push("1.0")
    notified.wait_for_events(1)
    [execution] = notified.executions(policy)
    execution = wait_for(session, execution.id)
    assert execution.status == "Error"
    assert "provider instance df-warm is deactivated" in execution.status_message


def test_an_unreachable_registry_leaves_an_error_execution_saying_why(notified, dragonfly,
                                                                      session):
    policy = notified.policy(dragonfly())
    notified.push("1.0")
    until = time.monotonic() + 10
    while not notified.events() and time.monotonic() < until:
        time.sleep(0.02)
    notified.running.stop()  # gone before the batch is planned
    notified.wait_for_events(1)
    [execution] = notified.executions(policy)
    execution = wait_for(session, execution.id)
    assert execution.status == "Error"
    assert "registry hub could not be read" in execution.status_message


def test_the_execution_page_and_api_name_the_push_that_started_it(notified, dragonfly, session,
                                                                   admin):
    policy = notified.policy(dragonfly())
    digest = notified.push("1.0")
    notified.wait_for_events(1)
    [execution] = notified.executions(policy)
    page = admin.get(f"/projects/library/preheat/executions/{execution.id}")
    text = page.get_data(as_text=True)
    assert "Started by 1 push" in text and "library/app:1.0" in text and digest in text
    grid = admin.get("/projects/library/preheat/executions", htmx=True).get_data(as_text=True)
    assert "Event based" in grid and 'data-preheat-polling="true"' in grid
    api = admin.http.get(f"/api/v2.0/projects/library/preheat/policies/warm/executions/"
                         f"{execution.id}", headers=basic(*ADMIN)).get_json()
    assert api["trigger"] == "event_based"
    assert [(e["tag"], e["digest"]) for e in api["extra_attrs"]["events"]] == [("1.0", digest)]
