"""Checking many instances in the background: bounded, claimed, each result stored once."""
import threading
import time
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from app import create_app
from preheat.models import Instance
from preheat.health import claims
from tests.helpers import add_instances, failing_health_writes, release
from tests.providers import dragonfly as dragonfly_standin
from tests.providers.faults import blackhole, listener
from tests.providers.server import QuietHandler, serve

DENYLIST = "169.254.0.0/16, fe80::/10, 127.0.0.2/32"


@pytest.fixture
def app_config(app_config, request):
    """A 1 s timeout, 127.0.0.2 denylisted, and whatever a test parametrizes."""
    return {**app_config, "PREHEAT_HTTP_TIMEOUT": 1.0, "PREHEAT_ENDPOINT_DENYLIST": DENYLIST,
            **getattr(request, "param", {})}


def add(app, endpoints, vendor="dragonfly", token="good-token", name="p") -> list[int]:
    """Store one instance per endpoint, without checking them."""
    auth = {"auth_mode": "OAUTH", "auth_info": {"token": token}} if token else {}
    return add_instances(app, *({"vendor": vendor, "name": f"{name}-{number}", "endpoint": url,
                                 **auth} for number, url in enumerate(endpoints)))


def run(app, ids, requested_at=None) -> dict:
    """Check the instances in the background and wait for every result."""
    monitor = app.extensions["preheat"].health
    futures = monitor.submit(ids, requested_at=requested_at)
    assert monitor.wait_idle(15), "checks did not finish"
    return {instance_id: future.result() for instance_id, future in futures.items()}


def stored(session, instance_id) -> Instance:
    session.expire_all()
    return session.get(Instance, instance_id)


def timeout_sentence(url):
    return (f"Timed out after 1 s connecting to {url.removeprefix('http://')}: no answer (the"
            " host is down or a firewall drops the packets).")


def test_forty_blackholed_and_some_healthy_each_get_their_drivers_verdict(app, session, started):
    with ExitStack() as stack:
        dead = [stack.enter_context(blackhole()) for _ in range(40)]
        alive = [started(dragonfly_standin.serve, tokens={"good-token": "active"})
                 for _ in range(8)]
        dead_ids = add(app, dead, name="dead")
        alive_ids = add(app, [server.url for server in alive], name="alive")
        results = run(app, dead_ids + alive_ids)
        for instance_id, url in zip(dead_ids, dead):
            instance = stored(session, instance_id)
            assert instance.health_status == "unhealthy"
            assert instance.health_reason == results[instance_id].reason == timeout_sentence(url)
            assert instance.health_claimed_until is None
        for instance_id, server in zip(alive_ids, alive):
            assert stored(session, instance_id).health_status == "healthy"
            assert server.paths() == ["/healthy", "/oapi/v1/jobs?page=1&per_page=1"]


class CountingKraken(QuietHandler):
    """A slow Kraken that counts the checks it serves at once, across all its servers."""

    def do_GET(self):
        state = self.server.state
        with state["lock"]:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.2)
        with state["lock"]:
            state["now"] -= 1
        self.send_text(200, "OK")


@pytest.mark.parametrize("app_config", [{"PREHEAT_HEALTH_CONCURRENCY": 3}], indirect=True)
def test_the_pool_never_runs_more_checks_than_the_bound(app, started):
    state = {"lock": threading.Lock(), "now": 0, "most": 0}
    servers = [started(serve, CountingKraken, state) for _ in range(12)]
    ids = add(app, [server.url for server in servers], vendor="kraken", token=None)
    results = run(app, ids)
    assert all(result.ok for result in results.values())
    assert state["most"] == 3


def test_a_denylisted_endpoint_is_never_connected_to(app, session):
    with listener("127.0.0.2") as forbidden:
        port = forbidden.getsockname()[1]
        [instance_id] = add(app, [f"http://127.0.0.3:{port}"])
        # Saved before the denylist named its address (a save would refuse it now).
        session.execute(update(Instance).where(Instance.id == instance_id)
                        .values(endpoint=f"http://127.0.0.2:{port}"))
        session.commit()
        run(app, [instance_id])
        with pytest.raises(BlockingIOError):
            forbidden.accept()
    assert stored(session, instance_id).health_reason == (
        "Blocked: 127.0.0.2 resolves to 127.0.0.2, in the range 127.0.0.2/32 that"
        " PREHEAT_ENDPOINT_DENYLIST forbids.")


def test_two_processes_checking_one_instance_record_one_result(app, app_config, session, tmp_path):
    """Each app here stands for a gunicorn worker process with its own monitor."""
    other = create_app(app_config, instance_path=str(tmp_path / "other"))
    try:
        with blackhole() as url:
            [instance_id] = add(app, [url])
            now = datetime.now(timezone.utc)
            mine = app.extensions["preheat"].health.submit([instance_id], requested_at=now)
            theirs = other.extensions["preheat"].health.submit([instance_id], requested_at=now)
            results = [mine[instance_id].result(10), theirs[instance_id].result(10)]
    finally:
        release(other)
    assert [r.reason if r else None for r in results].count(timeout_sentence(url)) == 1
    assert results.count(None) == 1
    assert stored(session, instance_id).health_reason == timeout_sentence(url)


def test_a_result_newer_than_the_request_is_not_checked_again(app, session, dragonfly):
    [instance_id] = add(app, [dragonfly.url])
    session.execute(update(Instance).values(health_checked_at=datetime.now(timezone.utc)))
    session.commit()
    earlier = datetime.now(timezone.utc) - timedelta(seconds=10)
    assert run(app, [instance_id], requested_at=earlier) == {instance_id: None}
    assert dragonfly.requests == []


@pytest.mark.parametrize("returning", [True, False], ids=["one statement", "row by row"])
def test_a_batch_claim_takes_only_enabled_unclaimed_instances_without_newer_results(
        app, session, monkeypatch, returning):
    ids = add(app, [f"http://127.0.0.1:{port}" for port in (9, 10, 11, 12)])
    now = datetime.now(timezone.utc)
    for instance_id, values in zip(ids[1:], [
            {"health_claimed_until": now + timedelta(seconds=60)},
            {"health_checked_at": now + timedelta(seconds=1)},
            {"enabled": False}]):
        session.execute(update(Instance).where(Instance.id == instance_id).values(**values))
    session.commit()
    monkeypatch.setattr(session.get_bind().dialect, "update_returning", returning)
    won, until = claims.claim_many(session, reversed(ids), now, lease=30)
    assert won == [ids[0]]
    assert stored(session, ids[0]).health_claimed_until == until
    assert claims.claim_many(session, ids, now, lease=30)[0] == []


def test_a_timeout_for_an_instance_edited_during_its_check_is_dropped(app, session):
    with blackhole() as url:
        [instance_id] = add(app, [url])
        monitor = app.extensions["preheat"].health
        futures = monitor.submit([instance_id])
        assert monitor.is_running(instance_id)
        until = time.monotonic() + 0.8
        while stored(session, instance_id).health_claimed_until is None:
            assert time.monotonic() < until, "the instance was not claimed"
            time.sleep(0.01)
        time.sleep(0.3)  # the check has read the instance, and waits out its 1 s connect
        session.execute(update(Instance).where(Instance.id == instance_id)
                        .values(endpoint="http://127.0.0.1:9"))
        session.commit()
        assert futures[instance_id].result(5).reason == timeout_sentence(url)
    instance = stored(session, instance_id)
    assert instance.health_status == "unknown" and instance.health_claimed_until is None
    assert not monitor.is_running(instance_id)


def test_shutdown_cancels_queued_checks(app):
    with blackhole() as url:
        ids = add(app, [url])
        monitor = app.extensions["preheat"].health
        futures = monitor.submit(ids)
        time.sleep(0.2)
        monitor.shutdown()
        assert monitor.wait_idle(3)  # the running check ends within its 1 s timeout
        assert all(future.cancelled() for future in futures.values())


def test_deactivated_instances_are_never_checked(app, session, dragonfly):
    [instance_id] = add(app, [dragonfly.url])
    session.execute(update(Instance).values(enabled=False))
    session.commit()
    assert run(app, [instance_id]) == {instance_id: None}
    assert dragonfly.requests == []
    assert session.scalar(select(Instance.health_status)) == "unknown"


def test_a_failing_write_of_a_timeout_is_logged_without_credentials(app, session, caplog):
    with blackhole() as url:
        [instance_id] = add(app, [url], token="canary-token-31")
        ciphertext = stored(session, instance_id).auth_secret
        with failing_health_writes(app):
            assert run(app, [instance_id]) == {instance_id: None}
    assert f"checking the health of instance {instance_id} failed" in caplog.text
    assert ciphertext not in caplog.text and "canary-token-31" not in caplog.text
