"""GET /metrics: Prometheus's text, for a sysadmin or the metrics token, moved by real work."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from preheat.models import AuditEntry
from preheat.services import instances, projects, registries, webhooks
from tests.accounts import ADMIN
from tests.events.conftest import envelope
from tests.executions.conftest import (FAST, PAT, box, dragonfly, images,  # noqa: F401
                                       policy, run_to_end)
from tests.helpers import basic

TOKEN = "metrics-token-canary-7Hq2"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app_config(app_config):
    return {**app_config, **FAST, "PREHEAT_METRICS_TOKEN": TOKEN}


def scrape(client, headers=None) -> dict:
    """{(sample name, sorted labels): value} of one scrape, which must succeed."""
    response = client.get("/metrics", headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain; version=0.0.4")
    return samples(response.get_data(as_text=True))


def samples(text: str) -> dict:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(scraped: dict, name: str, **labels) -> float:
    return scraped.get((name, tuple(sorted(labels.items()))), 0.0)


def by_token(token=TOKEN) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_sysadmin_scrapes_the_metrics_in_prometheus_text(admin):
    scraped = scrape(admin.http)
    assert value(scraped, "preheat_tasks_pending") == 0
    assert value(scraped, "preheat_jobs_queued") == 0
    assert ("preheat_instances", (("provider", "dragonfly"), ("status", "healthy"))) in scraped
    assert ("preheat_executions", (("status", "Running"),)) in scraped


def test_the_metrics_token_scrapes_without_a_session(anonymous):
    body = anonymous.http.get("/metrics", headers=by_token()).get_data(as_text=True)
    assert "preheat_tasks{" in body and TOKEN not in body


@pytest.mark.parametrize("headers", [{}, by_token("wrong"), by_token(TOKEN + "x"),
                                     {"Authorization": TOKEN}, basic(*ADMIN)],
                         ids=["none", "wrong", "longer", "no-scheme", "basic"])
def test_no_token_or_another_is_a_401_asking_for_the_bearer_token(anonymous, headers):
    refused = anonymous.http.get("/metrics", headers=headers)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert "preheat_" not in refused.get_data(as_text=True)


def test_a_wrong_token_is_audited_from_its_address(anonymous, session):
    anonymous.http.get("/metrics", headers=by_token("wrong"))
    entry = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "metrics")).one()
    assert entry.action == "access_denied" and "not the metrics token" in entry.detail
    assert "wrong" not in entry.detail.replace("not the metrics token", "")


def test_a_signed_in_user_who_is_no_sysadmin_is_refused_with_403(user):
    assert user.http.get("/metrics").status_code == 403


def test_without_a_configured_token_no_bearer_token_is_accepted(app, anonymous, admin):
    app.config["PREHEAT_METRICS_TOKEN"] = None
    assert anonymous.http.get("/metrics", headers=by_token()).status_code == 401
    assert anonymous.http.get("/metrics", headers=by_token("")).status_code == 401
    assert admin.http.get("/metrics").status_code == 200


def test_instances_are_counted_by_provider_and_the_health_their_checks_found(
        app, session, box, dragonfly):
    before = scrape(app.test_client(), by_token())
    healthy = instances.create(session, box, {"vendor": "dragonfly", "name": "up",
                                              "endpoint": dragonfly().url,
                                              "auth_mode": "OAUTH", "auth_info": {"token": PAT}})
    dead = instances.create(session, box, {"vendor": "dragonfly", "name": "down",
                                           "endpoint": "http://127.0.0.1:9"})
    instances.create(session, box, {"vendor": "kraken", "name": "off", "enabled": False,
                                    "endpoint": "http://127.0.0.1:10"})
    instances.create(session, box, {"vendor": "kraken", "name": "new",
                                    "endpoint": "http://127.0.0.1:11"})
    health = app.extensions["preheat"].health
    with app.app_context():
        assert health.check_now(healthy.id, 10) and health.check_now(dead.id, 10)
    scraped = scrape(app.test_client(), by_token())
    counted = {(provider, status): value(scraped, "preheat_instances", provider=provider,
                                         status=status)
               for provider in ("dragonfly", "kraken")
               for status in ("healthy", "unhealthy", "unknown", "deactivated")}
    assert {key: number for key, number in counted.items() if number} == {
        ("dragonfly", "healthy"): 1, ("dragonfly", "unhealthy"): 1,
        ("kraken", "deactivated"): 1, ("kraken", "unknown"): 1}
    checks = "preheat_health_check_seconds_count"
    assert value(scraped, checks, kind="instance") - value(before, checks, kind="instance") == 2


def test_an_execution_moves_the_submission_counter_and_the_task_gauges(
        app, session, images, dragonfly, policy):
    images(["1.0", "1.1", "2.0"])
    before = scrape(app.test_client(), by_token())
    execution = run_to_end(app, session, policy(dragonfly()))
    assert execution.status == "Success", execution.status_message
    scraped = scrape(app.test_client(), by_token())

    def moved(name, **labels):
        return value(scraped, name, **labels) - value(before, name, **labels)
    assert moved("preheat_submissions_total", instance="df") == 3
    assert moved("preheat_submission_rate_limited_total", instance="df") == 0
    assert value(scraped, "preheat_tasks", status="Success") == 3
    assert value(scraped, "preheat_executions", status="Success") == 1
    assert value(scraped, "preheat_tasks_pending") == 0
    assert moved("preheat_job_poll_seconds_count", provider="dragonfly") >= 3


def test_a_providers_429_answers_are_counted_per_instance(app, session, images, dragonfly,
                                                          policy):
    images(["1.0", "1.1", "1.2"])
    provider = dragonfly(rate=1, burst=1, fetch=False)
    before = scrape(app.test_client(), by_token())
    execution = run_to_end(app, session, policy(provider), timeout=30)
    assert execution.status == "Success", execution.status_message
    scraped = scrape(app.test_client(), by_token())
    limited = value(scraped, "preheat_submission_rate_limited_total", instance="df") - \
        value(before, "preheat_submission_rate_limited_total", instance="df")
    sent = value(scraped, "preheat_submissions_total", instance="df") - \
        value(before, "preheat_submissions_total", instance="df")
    assert limited == provider.book.refusals > 0
    assert sent == 3 + limited


def test_a_webhook_envelope_sent_twice_is_recorded_once_then_counted_a_duplicate(
        app, session, box):
    registry = registries.create(session, box, {"name": "hub", "url": "http://127.0.0.1:9"})
    projects.create(session, "library", registry)
    secret = webhooks.generate(session, box, registry)
    client = app.test_client()
    url = f"/api/v2.0/registries/{registry.id}/events"
    before = scrape(client, by_token())
    body = envelope()
    for _ in range(2):
        answer = client.post(url, json=body,
                             headers={"Authorization": webhooks.header_value(secret)})
        assert answer.status_code == 200
    assert client.post(url, json=body, headers=by_token("wrong")).status_code == 401
    scraped = scrape(client, by_token())

    def moved(name, **labels):
        return value(scraped, name, **labels) - value(before, name, **labels)
    assert moved("preheat_webhook_events_total", outcome="recorded") == 1
    assert moved("preheat_webhook_events_total", outcome="duplicate") == 1
    assert moved("preheat_webhook_events_total", outcome="ignored") == 0
    assert moved("preheat_webhook_refused_total") == 1
    assert value(scraped, "preheat_webhook_events_pending") in (0, 1)


COUNT_IN_A_PROCESS = """
from preheat import metrics
metrics.submitted("far-away", rate_limited=True)
with metrics.timed(metrics.JOB_POLL_SECONDS, "far-away"):
    pass
"""


def test_with_a_multiprocess_folder_one_scrape_sums_every_process(app, monkeypatch,
                                                                 tmp_path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", COUNT_IN_A_PROCESS], env=env, check=True,
                       cwd=ROOT, timeout=60)
    assert len(list(folder.glob("counter_*.db"))) == 2, "one file per process"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    scraped = scrape(app.test_client(), by_token())
    assert value(scraped, "preheat_submissions_total", instance="far-away") == 2
    assert value(scraped, "preheat_submission_rate_limited_total", instance="far-away") == 2
    assert value(scraped, "preheat_job_poll_seconds_count", provider="far-away") == 2
    assert value(scraped, "preheat_tasks", status="Pending") == 0, "the database's too"
