"""Policies in the service layer: rules, the driver's options, uniqueness per project, delete."""
import json

import pytest
from sqlalchemy import select

from preheat.models import AuditEntry, Execution, Policy
from preheat.services import instances, policies, projects, registries
from preheat.services.errors import Conflict, FieldError, InUse


@pytest.fixture
def box(app):
    return app.extensions["preheat"].secret_box


@pytest.fixture
def setup(session, box):
    registry = registries.create(session, box, {"name": "hub", "url": "http://hub.example"})
    library = projects.create(session, "library", registry)
    team = projects.create(session, "team", registry)
    dragonfly = instances.create(session, box, {"vendor": "dragonfly", "name": "df",
                                                "endpoint": "http://df.example"})
    kraken = instances.create(session, box, {"vendor": "kraken", "name": "kr",
                                             "endpoint": "http://kr.example"})
    return library, team, dragonfly, kraken


def test_a_policy_keeps_its_filters_and_the_drivers_options(session, setup):
    library, _, dragonfly, _ = setup
    policy = policies.create(session, library, {
        "name": "warm", "instance_id": dragonfly.id, "repositories": "app/**", "tags": "1.*",
        "options": {"scope": "all_peers", "cluster_ids": "1, 2"}})
    assert (policy.repositories, policy.tags, policy.trigger) == ("app/**", "1.*", "manual")
    assert json.loads(policy.options)["scope"] == "all_peers"
    assert json.loads(policy.options)["cluster_ids"] == [1, 2]


def test_the_drivers_option_errors_name_their_field(session, setup):
    library, _, dragonfly, kraken = setup
    with pytest.raises(FieldError) as bad_cluster:
        policies.create(session, library, {"name": "a", "instance_id": dragonfly.id,
                                           "options": {"cluster_ids": "one"}})
    with pytest.raises(FieldError, match="Kraken takes no option named scope"):
        policies.create(session, library, {"name": "b", "instance_id": kraken.id,
                                           "options": {"scope": "all_peers"}})
    assert bad_cluster.value.field == "cluster_ids"


def test_names_are_unique_within_a_project_only(session, setup):
    library, team, dragonfly, _ = setup
    policies.create(session, library, {"name": "warm", "instance_id": dragonfly.id})
    policies.create(session, team, {"name": "warm", "instance_id": dragonfly.id})
    with pytest.raises(Conflict) as error:
        policies.create(session, library, {"name": "WARM", "instance_id": dragonfly.id})
    assert error.value.field == "name"


@pytest.mark.parametrize("data, field, message", [
    ({"tags": "a,,b"}, "tags", "empty alternative"),
    ({"trigger": "weekly"}, "trigger", "manual, scheduled or event_based"),
    ({"trigger": "scheduled"}, "schedule", "needs a cron expression"),
    ({"trigger": "scheduled", "schedule": "5 0 2 * * *"}, "schedule", "seconds field"),
    ({"trigger": "scheduled", "schedule": "0 2 * * *", "timezone": "Mars/Olympus"},
     "timezone", "Unknown time zone"),
    ({"name": "-bad"}, "name", "letters, digits"),
    ({"instance_id": 999}, "instance_id", "No provider instance")])
def test_bad_fields_say_why(session, setup, data, field, message):
    library, _, dragonfly, _ = setup
    with pytest.raises(FieldError, match=message) as error:
        policies.create(session, library, {"name": "warm", "instance_id": dragonfly.id, **data})
    assert error.value.field == field


def test_a_deactivated_instance_cannot_be_chosen(session, setup):
    library, _, dragonfly, _ = setup
    instances.set_enabled(session, [dragonfly], False)
    with pytest.raises(FieldError, match="df is deactivated"):
        policies.create(session, library, {"name": "warm", "instance_id": dragonfly.id})


def test_changes_are_audited_as_policy_changes(session, setup):
    library, _, dragonfly, _ = setup
    policy = policies.create(session, library, {"name": "warm", "instance_id": dragonfly.id})
    policies.update(session, policy, {"tags": "2.*"})
    policies.set_enabled(session, [policy], False)
    entries = [(e.action, e.detail) for e in session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "policy").order_by(AuditEntry.id))]
    assert [action for action, _ in entries] == ["create", "update", "deactivate"]
    assert 'tags: "**" -> "2.*"' in entries[1][1]


def test_a_policy_with_a_running_execution_cannot_be_deleted(session, setup):
    library, _, dragonfly, _ = setup
    policy = policies.create(session, library, {"name": "warm", "instance_id": dragonfly.id})
    session.add(Execution(policy=policy, status="Running"))
    session.commit()
    with pytest.raises(InUse, match=r"warm \(execution \d+\)\. Stop it first"):
        policies.delete(session, [policy])
    policy.executions[0].status = "Success"
    session.commit()
    policies.delete(session, [policy])
    assert session.scalar(select(Policy.id)) is None
    assert session.scalar(select(Execution.id)) is None
