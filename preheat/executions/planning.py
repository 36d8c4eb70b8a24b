"""The `execution.plan` job: can the run start, and which image tags does it preheat?

A run that cannot start is recorded as an Error execution saying why: the
policy or its provider instance deactivated, the provider unhealthy (checked
now), the project's images unreadable (its artifact source, by default its
registry, unreachable or refusing). A source too slow or unreachable for a
moment is read again after 1, 2 and 4 s, as a task's reads are, the Pending
execution saying so meanwhile. The tasks are created in one transaction
with the execution's move to Running, so a process that dies while planning
leaves a Pending execution that another plans again.
"""
from __future__ import annotations

import json
import time
from datetime import datetime

from flask import current_app
from sqlalchemy import insert, select, update

from ..engine import Lease
from ..health import checks, claims
from ..logs import log_event
from ..models import Execution, Task, utcnow
from ..policies.filters import parse, relative_name
from ..registry import RegistryError
from ..sources import unreadable
from ..state import current_state
from . import runs
from .work import REGISTRY_RETRIES

LEASE = Lease(Execution.claimed_until)
# Planning lists a catalog and the tags of each matching repository.
PLAN_LEASE = 600.0


def claim(session, execution_ids) -> tuple[list[int], datetime]:
    """Claim Pending executions to plan; the ids won and until when."""
    return LEASE.claim(session, execution_ids, PLAN_LEASE, Execution.status == "Pending")


def plan(execution_id: int, claimed_until: str) -> int | None:
    """The job: plan one claimed execution; the number of tasks created, or None."""
    state = current_state()
    session = state.session
    execution = session.get(Execution, execution_id)
    if execution is None or execution.status != "Pending":
        return None
    # The policy's oldest ended executions make room for this one.
    runs.prune(session, execution.policy_id,
               int(current_app.config["PREHEAT_EXECUTION_RETENTION"]))
    problem = _cannot_start(state, session, execution)
    if problem:
        runs.fail(session, execution_id, problem)
        return None
    for attempt in range(REGISTRY_RETRIES + 1):
        try:
            wanted = _artifacts(state, session, execution)
            break
        except RegistryError as error:
            if not error.transient or attempt == REGISTRY_RETRIES:
                runs.fail(session, execution_id, unreadable(error))
                return None
            if not _waiting(session, execution_id, unreadable(error), 2 ** attempt):
                return None  # stopped meanwhile
    return _create_tasks(session, execution, wanted, datetime.fromisoformat(claimed_until))


def _waiting(session, execution_id: int, reason: str, wait: int) -> bool:
    """Say on the Pending execution why it waits, then wait; False if it is no longer Pending."""
    pending = session.execute(update(Execution).where(
        Execution.id == execution_id, Execution.status == "Pending")
        .values(status_message=f"{reason} Trying again in {wait} s.")).rowcount == 1
    session.commit()
    if pending:
        time.sleep(wait)
    return pending


def _cannot_start(state, session, execution: Execution) -> str | None:
    """Why the execution cannot run, or None."""
    policy = execution.policy
    instance = policy.instance
    if not policy.enabled:
        return f"The policy {policy.name} is deactivated."
    if not instance.enabled:
        return (f"The provider instance {instance.name} is deactivated; enable it in"
                " Distributions, or choose another provider for the policy.")
    instance_id, name = instance.id, instance.name
    result = checks.check_instance(state.secret_box, instance, state.http, session)
    claims.INSTANCES.record(session, instance_id, result)
    if not result.ok:
        return f"The provider instance {name} is unhealthy: {result.reason}"
    return None


def _artifacts(state, session, execution: Execution) -> list[tuple[str, str, str | None]]:
    """The (repository, tag, digest or None) to preheat, in order, as the project's artifact
    source has them; raise RegistryError."""
    detail = json.loads(execution.trigger_detail or "{}")
    if execution.retry_of is not None:
        return [(task.repository, task.tag, None) for task in session.scalars(
            select(Task).where(Task.execution_id == execution.retry_of, Task.status == "Error")
            .order_by(Task.id))]
    policy = execution.policy
    project = policy.project.name
    repositories, tags = parse("repositories", policy.repositories), parse("tags", policy.tags)
    checks.release_connection(session)
    source = state.artifacts
    if "artifacts" in detail:
        # Pushed tags, with the digests their pushes named: the source needs only to answer.
        source.check(project)
        return [(item["repository"], item["tag"], item.get("digest"))
                for item in detail["artifacts"]]
    wanted = []
    for repository in source.repositories(project):
        if repositories.matches(relative_name(project, repository)):
            wanted += [(repository, tag, None) for tag in source.tags(project, repository)
                       if tags.matches(tag)]
    return wanted


def _create_tasks(session, execution: Execution, wanted, claimed_until: datetime) -> int | None:
    now = utcnow()
    execution_id = execution.id  # read before the commit expires it
    started_log = {"execution": execution_id, "policy": execution.policy.name,
                   "project": execution.policy.project.name, "trigger": execution.trigger,
                   "tasks": len(wanted)}
    started = session.execute(
        Execution.__table__.update().where(Execution.id == execution_id,
                                           Execution.status == "Pending",
                                           Execution.claimed_until == claimed_until)
        .values(status="Running", start_time=now, claimed_until=None,
                status_message=None)).rowcount == 1
    if not started:  # stopped meanwhile, or another process took the claim over
        session.rollback()
        return None
    if wanted:
        session.execute(insert(Task), [
            {"execution_id": execution_id, "repository": repository, "tag": tag,
             "digest": digest, "status": "Pending", "run_count": 0, "created_at": now,
             "updated_at": now}
            for repository, tag, digest in wanted])
    log_event("execution.start", **started_log)
    session.commit()
    if not wanted:
        runs.finish_if_done(session, execution_id)
    return len(wanted)
