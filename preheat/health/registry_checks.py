"""Checking a registry for a user (Test connection, the API's ping), recorded in the audit log."""
from __future__ import annotations

from sqlalchemy import update

from ..crypto import SecretError
from ..models import Registry
from ..providers import CheckResult
from ..registry import RegistryClient
from ..services import registries
from ..transport import HttpClient, Target
from .checks import audit_test, guarded, release_connection


def check_registry(target: Target, http: HttpClient) -> CheckResult:
    """GET /v2/ at `target` as the registry asks, and whether its catalog is readable."""
    return guarded(lambda: RegistryClient(http).check(target), target)


def test_registry(session, target: Target, http: HttpClient, name: str | None,
                  registry_id: int | None = None) -> CheckResult:
    """Check a (possibly unsaved) registry for a user, and record that they did."""
    release_connection(session)
    result = check_registry(target, http)
    audit_test(session, result, endpoint=target.endpoint, name=name, instance_id=registry_id,
               object_type="registry")
    session.commit()
    return result


def stored_target(box, registry: Registry) -> Target | CheckResult:
    """The target to check a stored registry at, or the result if its secrets cannot be read."""
    try:
        return registries.target(box, registry)
    except SecretError as exc:
        return CheckResult(False, f"Cannot check: {exc}.")


def record_health(session, registry_id: int, result: CheckResult) -> None:
    """Store `result` as the registry's latest health."""
    session.execute(update(Registry).where(Registry.id == registry_id).values(
        health_status=result.status, health_reason=result.reason,
        health_http_status=result.http_status, health_latency_ms=result.latency_ms,
        health_checked_at=result.checked_at))
    session.commit()
