"""One health check: run by a provider's driver or the registry client, for the background
or for a user."""
from __future__ import annotations

import logging
import traceback
from dataclasses import replace

from .. import metrics
from ..crypto import SecretError
from ..models import Instance
from ..providers import CheckResult, get_provider
from ..registry import RegistryCheck
from ..services import audit
from ..services.credentials import target as credential_target
from ..transport import HttpClient, Target, secrets_of
from ..transport.untrusted import echoes

log = logging.getLogger(__name__)


def check(vendor: str, target: Target, http: HttpClient) -> CheckResult:
    """Run the provider's health check against `target`; never raises."""
    provider = get_provider(vendor)
    if provider is None:
        return CheckResult(False, f"Unknown provider {vendor!r}.")
    with metrics.timed(metrics.HEALTH_CHECK_SECONDS, "instance"):
        return guarded(lambda: provider.check_health(target, http), target)


def check_registry(client, target: Target) -> RegistryCheck:
    """Check that `target` is a registry its credentials may read; never raises."""
    with metrics.timed(metrics.HEALTH_CHECK_SECONDS, "registry"):
        return guarded(lambda: client.check(target), target)


def guarded(run, target: Target) -> CheckResult:
    """The result of `run()`, or a plain failure: never an exception, never the credentials."""
    try:
        result = run()
    except Exception as exc:  # a driver bug must not become a 500 or a dead worker
        # Where it failed, but not the exception's text: it may quote the answer.
        log.error("health check of %s failed unexpectedly: %s\n%s", target.endpoint,
                  type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)))
        return CheckResult(False, "The check failed unexpectedly; see the server log.")
    # The drivers never repeat an answer that echoes the credentials; this is the
    # last line of defence before a reason is shown, stored and audited.
    if echoes(result.reason, secrets_of(target.credentials), pieces=False):
        return replace(result, ok=False, reason=f"The {target.peer}'s answer repeated the"
                                                " credentials it was sent, so it is not shown.")
    return result


def test_connection(session, vendor: str, target: Target, http: HttpClient, *,
                    name: str | None, instance_id: int | None = None) -> CheckResult:
    """Check a (possibly unsaved) instance for a user, and record that they did."""
    return run_test(session, lambda: check(vendor, target, http), target, name=name,
                    object_id=instance_id)


def run_test(session, probe, target: Target, *, name: str | None,
             object_id: int | None = None, object_type: str = "instance") -> CheckResult:
    """Run `probe()` for a user, off the database connection, and record that they did."""
    release_connection(session)
    result = probe()
    audit_test(session, result, endpoint=target.endpoint, name=name, instance_id=object_id,
               object_type=object_type)
    session.commit()
    return result


def test_registry(session, client, target: Target, *, name: str | None,
                  registry_id: int | None = None) -> CheckResult:
    """Check a (possibly unsaved) registry for a user, and record that they did."""
    return run_test(session, lambda: check_registry(client, target), target, name=name,
                    object_id=registry_id, object_type="registry")


def audit_test(session, result: CheckResult, *, endpoint: str, name: str | None,
               instance_id: int | None, object_type: str = "instance") -> None:
    """Record in the audit log that a user tested a connection, and what it answered."""
    audit.record(session, "test_connection", name=name, object_id=instance_id,
                 outcome="success" if result.ok else "failure",
                 detail=f"{endpoint}: {result.reason}", object_type=object_type)


def check_instance(box, instance: Instance, http: HttpClient, session=None) -> CheckResult:
    """Check a stored instance with its stored credentials.

    With `session`, its database connection is given back before the check
    waits on the network (the instance's attributes expire and reload after).
    """
    vendor, target = instance.vendor, prepare(box, instance)
    if isinstance(target, CheckResult):
        return target
    if session is not None:
        release_connection(session)
    return check(vendor, target, http)


def release_connection(session) -> None:
    """End the session's transaction, so no pooled connection waits on the network with us.

    A request that held one through a check of a dead provider kept it for the
    whole timeout: a burst of them emptied the pool and stalled every page.
    """
    session.commit()


def prepare(box, instance: Instance) -> Target | CheckResult:
    """The target to check a stored row at, or the result if its secrets cannot be read."""
    try:
        return credential_target(box, instance)
    except SecretError as exc:
        return CheckResult(False, f"Cannot check: {exc}.")
