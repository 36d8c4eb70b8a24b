"""Structured log lines: an execution's start and end, provider failures, refused webhooks."""
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from preheat.logs import as_text
from preheat.models import Policy
from preheat.services import instances, projects, registries, webhooks
from preheat.transport import Credentials
from tests.events.conftest import envelope
from tests.executions.conftest import (FAST, PAT, box, dragonfly, images,  # noqa: F401
                                       policy, run_to_end)
from tests.registry.fixtures import pusher_for
from tests.registry.server import start_registry
from tests.test_secret_canaries import hostile_canary

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app_config(app_config, request):
    return {**app_config, **FAST, **getattr(request, "param", {})}


@pytest.fixture
def lines(caplog):
    """lines(event): the records of `event` logged so far on the "preheat" logger."""
    caplog.set_level(logging.DEBUG)

    def of(event):
        return [record for record in caplog.records
                if getattr(record, "preheat_event", None) == event]
    return of


def only(records):
    assert len(records) == 1, [record.getMessage() for record in records]
    return records[0]


def test_a_value_with_a_space_quote_or_equals_sign_is_quoted():
    assert as_text("x.y", {"a": 1, "b": "two words", "c": 'say "hi"', "d": "k=v", "e": ""}) == \
        'event=x.y a=1 b="two words" c="say \\"hi\\"" d="k=v" e=""'


def test_an_execution_logs_its_start_and_its_end_once_with_its_fields(
        app, session, images, dragonfly, policy, lines):
    images(["1.0", "1.1"])
    execution = run_to_end(app, session, policy(dragonfly()))
    assert execution.status == "Success", execution.status_message
    start = only(lines("execution.start"))
    assert start.name == "preheat" and start.levelno == logging.INFO
    assert start.preheat_fields == {"execution": execution.id, "policy": "warm",
                                    "project": "library", "trigger": "manual", "tasks": 2}
    assert start.getMessage() == (f"event=execution.start execution={execution.id} policy=warm"
                                  " project=library trigger=manual tasks=2")
    end = only(lines("execution.end"))
    fields = end.preheat_fields
    assert {key: fields[key] for key in ("execution", "policy", "project", "trigger", "status",
                                         "tasks", "succeeded", "failed", "stopped")} == {
        "execution": execution.id, "policy": "warm", "project": "library",
        "trigger": "manual", "status": "Success", "tasks": 2, "succeeded": 2, "failed": 0,
        "stopped": 0}
    assert 0 <= fields["seconds"] < 15
    assert 'message="2 of 2 tasks succeeded."' in end.getMessage()


def test_an_execution_that_cannot_start_logs_its_end_as_a_warning_saying_why(
        app, session, images, dragonfly, policy, lines):
    images(["1.0"])
    row = policy(dragonfly())
    instances.set_enabled(session, [row.instance], False)
    execution = run_to_end(app, session, row)
    assert execution.status == "Error"
    end = only(lines("execution.end"))
    assert end.levelno == logging.WARNING and end.preheat_fields["status"] == "Error"
    assert "df is deactivated" in end.preheat_fields["message"]
    assert not lines("execution.start")


@pytest.mark.parametrize("app_config", [{"PREHEAT_LOG_FORMAT": "json"}], indirect=True)
def test_with_the_json_format_every_line_is_one_json_object(
        app, session, images, dragonfly, policy, lines, caplog):
    images(["1.0"])
    execution = run_to_end(app, session, policy(dragonfly()))
    ours = [record for record in caplog.records if hasattr(record, "preheat_event")]
    assert {record.preheat_event for record in ours} >= {"execution.start", "execution.end"}
    for record in ours:
        parsed = json.loads(record.getMessage())
        assert parsed == {"event": record.preheat_event, **record.preheat_fields}
    assert json.loads(only(lines("execution.end")).getMessage())["execution"] == execution.id


def test_the_environment_chooses_json_when_the_app_does_not(
        app, monkeypatch, session, box, lines):
    monkeypatch.setenv("PREHEAT_LOG_FORMAT", "json")
    app.test_client().post("/api/v2.0/registries/999/events", json={"events": []})
    assert json.loads(only(lines("webhook.refused")).getMessage())["registry"] == "unknown"


def test_a_providers_429_logs_a_provider_failure_naming_the_instance(
        app, session, images, dragonfly, policy, lines):
    images(["1.0", "1.1", "1.2"])
    provider = dragonfly(rate=1, burst=1, fetch=False)
    assert run_to_end(app, session, policy(provider), timeout=30).status == "Success"
    failures = lines("provider.failure")
    assert len(failures) == provider.book.refusals > 0
    fields = failures[0].preheat_fields
    assert failures[0].levelno == logging.WARNING
    assert (fields["instance"], fields["during"], fields["http_status"], fields["retry"]) == \
        ("df", "submit", 429, True)
    assert "rate limit" in fields["reason"]


def test_a_failed_health_check_logs_the_instance_and_the_reason(app, session, box, lines):
    dead = instances.create(session, box, {"vendor": "dragonfly", "name": "down",
                                           "endpoint": "http://127.0.0.1:9"})
    with app.app_context():
        assert app.extensions["preheat"].health.check_now(dead.id, 10)
    failure = only(lines("health.failure"))
    assert failure.preheat_fields["kind"] == "instance"
    assert failure.preheat_fields["name"] == "down" and failure.preheat_fields["reason"]


def test_a_refused_webhook_logs_the_registry_the_reason_and_the_address(
        app, session, box, lines):
    registry = registries.create(session, box, {"name": "hub", "url": "http://127.0.0.1:9"})
    client = app.test_client()
    url = f"/api/v2.0/registries/{registry.id}/events"
    client.post(url, json={"events": []}, headers={"Authorization": "Bearer nope"})
    webhooks.generate(session, box, registry)
    client.post(url, json={"events": []}, headers={"Authorization": "Bearer nope"})
    client.post(url, json={"events": []})
    client.post("/api/v2.0/registries/zzz/events", json={"events": []})
    refused = [record.preheat_fields for record in lines("webhook.refused")]
    assert [(r["registry"], r["reason"]) for r in refused] == [
        (registry.id, "the registry has no webhook secret yet"),
        (registry.id, "not the registry's webhook secret"),
        (registry.id, "no Authorization header"), ("unknown", "no such registry")]
    assert {r["remote"] for r in refused} == {"127.0.0.1"}


def test_no_password_token_or_webhook_secret_is_ever_logged(
        app, session, box, registry_binary, tmp_path, dragonfly, caplog):
    caplog.set_level(logging.DEBUG)
    password, token, wrong = hostile_canary(), f"pat-{hostile_canary()}", hostile_canary()
    hub = start_registry(tmp_path / "hub", users={"alice": password})
    try:
        pusher = pusher_for(hub, Credentials.basic("alice", password))
        for tag in ("1.0", "1.1"):
            pusher.image("library/app", tag)
        registry = registries.create(session, box, {
            "name": "hub", "url": hub.url, "auth_mode": "BASIC",
            "auth_info": {"username": "alice", "password": password}})
        project = projects.create(session, "library", registry)
        secret = webhooks.generate(session, box, registry)
        provider = dragonfly(rate=1, burst=1)  # a 429, for a provider.failure line
        provider.state["tokens"][token] = "active"
        instance = instances.create(session, box, {
            "vendor": "dragonfly", "name": "df", "endpoint": provider.url,
            "auth_mode": "OAUTH", "auth_info": {"token": token}})
        row = Policy(name="warm", project=project, instance=instance)
        session.add(row)
        session.commit()
        execution = run_to_end(app, session, row, timeout=30)
        assert execution.status == "Success", execution.status_message
        client = app.test_client()
        url = f"/api/v2.0/registries/{registry.id}/events"
        for value in (webhooks.header_value(secret), f"Bearer {wrong}"):
            client.post(url, json=envelope(), headers={"Authorization": value})
    finally:
        hub.stop()
    events = {getattr(record, "preheat_event", None) for record in caplog.records}
    assert {"execution.start", "execution.end", "provider.failure", "webhook.refused"} <= events
    logged = caplog.text + "".join(str(getattr(record, "preheat_fields", ""))
                                   for record in caplog.records)
    for name, canary in {"registry password": password, "provider token": token,
                         "webhook secret": secret, "refused secret": wrong}.items():
        assert canary not in logged, f"the {name} was logged"


def test_lines_go_through_the_hosts_own_handlers_and_formatter(app):
    assert logging.getLogger("preheat").handlers == [], "Preheat adds no handler of its own"
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(logging.Formatter("HOST %(levelname)s %(name)s | %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        app.test_client().post("/api/v2.0/registries/7/events", json={"events": []})
    finally:
        root.removeHandler(handler)
    assert written.getvalue().splitlines() == [
        'HOST WARNING preheat | event=webhook.refused registry=unknown reason="no such registry"'
        " remote=127.0.0.1"]


SHOW_A_LINE = """
import logging, sys, tempfile
from app import create_app
from preheat.logs import log_event
folder = tempfile.mkdtemp()
create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/x.db"}, instance_path=folder)
log_event("try.it", shown="yes")
logging.getLogger("preheat.health").debug("not at INFO")
"""


def test_the_standalone_app_writes_the_lines_to_stderr_when_logging_is_not_configured(tmp_path):
    ran = subprocess.run([sys.executable, "-c", SHOW_A_LINE], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr.count("INFO preheat: event=try.it shown=yes") == 1, ran.stderr
    assert "not at INFO" not in ran.stderr
