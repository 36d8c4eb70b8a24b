"""Registries in the background health checks: the same engine and claims as instances."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from preheat.health import claims
from preheat.health import checks
from preheat.models import AuditEntry, Registry
from preheat.providers import CheckResult
from preheat.services import registries
from tests.registry.fixtures import PASSWORD, USER


@pytest.fixture
def box(app):
    return app.extensions["preheat"].secret_box


def add(session, box, running, name, password=PASSWORD):
    return registries.create(session, box, {
        "name": name, "url": running.url, "auth_mode": "BASIC",
        "auth_info": {"username": USER, "password": password}}).id


def checked(app, session, ids) -> dict[int, Registry]:
    health = app.extensions["preheat"].registry_health
    futures = health.submit(ids)
    assert health.wait_idle(15), "registry checks did not finish"
    assert all(future.result() is not None for future in futures.values())
    session.expire_all()
    return {row.id: row for row in session.scalars(select(Registry))}


def test_registries_are_checked_in_the_background_with_their_stored_credentials(
        app, session, box, basic_registry):
    good = add(session, box, basic_registry, "good")
    rows = checked(app, session, [good])
    assert rows[good].health_status == "healthy"
    assert "catalog is readable" in rows[good].health_reason


def test_a_rejected_password_is_stored_as_the_reason_never_the_password(
        app, session, box, basic_registry):
    wrong = add(session, box, basic_registry, "wrong", password="not-" + PASSWORD)
    row = checked(app, session, [wrong])[wrong]
    assert row.health_status == "unhealthy"
    assert "rejected the user name or password" in row.health_reason
    assert PASSWORD not in row.health_reason


def test_a_result_for_a_registry_edited_during_its_check_is_dropped(session, box,
                                                                     basic_registry):
    registry_id = add(session, box, basic_registry, "edited")
    row = session.get(Registry, registry_id)
    before = claims.Claims.snapshot(row)
    registries.update(session, box, row, {"url": "http://elsewhere.example:5000",
                                          "auth_mode": "NONE"})
    result = CheckResult(True, "fine", 200, 3, datetime.now(timezone.utc))
    assert not claims.REGISTRIES.record(session, registry_id, result, before)
    assert claims.REGISTRIES.record(session, registry_id, result,
                                    claims.Claims.snapshot(row))


def test_background_checks_of_registries_are_not_audited_but_tests_are(
        app, session, box, basic_registry):
    registry_id = add(session, box, basic_registry, "audited")
    checked(app, session, [registry_id])
    state = app.extensions["preheat"]
    with app.test_request_context():
        result = checks.test_registry(session, state.registries,
                               registries.target(box, session.get(Registry, registry_id)),
                               name="audited", registry_id=registry_id)
    assert result.ok
    entries = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "test_connection")).all()
    assert [(e.object_type, e.object_name, e.outcome) for e in entries] == [
        ("registry", "audited", "success")]
