"""The `task.submit` and `task.poll` jobs: one task through the provider's driver.

A task is claimed before either job runs (the engine's lease on
`claimed_until`), and its outcome is stored only while the claim is still
this process's and the task still in the status the job found, so a task
stopped or taken over meanwhile is never overwritten, and none is submitted
twice: a submission whose answer was lost ends as Error rather than being
sent again, since the provider may hold the job. That includes a submission
under way when its process died: `start_time` is set on a Pending task just
before it is sent, so the process that takes the task over knows.

The sending mark renews the claim for a whole lease, so a job that began
late (queued behind others) still has the lease for the provider's answer.
A job may be delivered twice (a Celery worker killed before it acknowledged
the task): a job whose claim is no longer the task's, which includes a claim
renewed by its own earlier delivery's sending mark, gives way at once.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from .. import metrics
from ..engine import Lease
from ..logs import log_event
from ..models import Execution, Policy, Task, utcnow
from ..providers import PreheatRequest, ProgressError, SubmitError, get_provider
from ..registry import RegistryError
from ..services.credentials import target as credential_target
from ..sources import unreadable
from ..state import current_state
from . import runs
from .settings import Settings

LEASE = Lease(Task.claimed_until)
RETRY_CAP = 60.0
# A registry too slow or unreachable for a moment is read again this many times
# (after 1, 2 and 4 s) before the task ends as an Error saying why.
REGISTRY_RETRIES = 3
# A slot further off than this was not handed out by this dispatcher's pace.
MAX_SLOT_WAIT = 10.0
MAY_EXIST = (" The job may exist on the provider, so it was not submitted again;"
             " check the provider, then retry the failed tasks if it does not.")
INTERRUPTED = "The process submitting it stopped before the provider's answer was stored."


def claim(session, status: str, limit: int, lease: float, instance_id: int | None = None):
    """Claim up to `limit` due tasks in `status` of running executions for `lease`
    seconds; (ids, until)."""
    now = utcnow()
    query = (select(Task.id).join(Execution, Task.execution_id == Execution.id)
             .where(Task.status == status, Execution.status == "Running",
                    LEASE.free(now), (Task.due_at.is_(None)) | (Task.due_at <= now))
             .order_by(Task.id).limit(limit))
    if instance_id is not None:
        query = query.join(Policy, Execution.policy_id == Policy.id).where(
            Policy.instance_id == instance_id)
    ids = list(session.scalars(query))
    session.commit()
    if not ids:
        return [], now
    return LEASE.claim(session, ids, lease, Task.status == status)


@dataclass
class _Context:
    """A claimed task with what its job needs, read once."""

    task: Task
    instance_id: int
    instance_name: str
    provider: object
    instance_target: object
    project: str
    options: dict


def submit(task_id: int, claimed_until: str, send_at: float | None = None) -> str | None:
    """The job: submit one claimed Pending task, not before `send_at` (wall-clock
    seconds, its slot in the provider's pace); its new status, or None."""
    state = current_state()
    session = state.session
    until = datetime.fromisoformat(claimed_until)
    context = _load(state, session, task_id, "Pending", until)
    if context is None:
        return None
    task = context.task
    repository, tag, run_count = task.repository, task.tag, task.run_count
    interrupted = task.start_time is not None
    settings = _settings()
    # A pushed tag's task holds the digest its push named: that image, even if the tag moved.
    reference = task.digest or tag
    session.commit()  # no connection held while the registry and the provider answer
    if interrupted:
        return _end(session, task_id, until, "Pending", "Error", INTERRUPTED + MAY_EXIST)
    source = state.artifacts
    try:
        artifact = source.artifact(context.project, repository, reference)
        refused = context.provider.accepts(artifact.media_type)
        if refused:
            return _end(session, task_id, until, "Pending", "Error", refused)
        pull = source.pull_credential(context.project, repository,
                                      min_lifetime=settings.job_deadline)
        url = source.manifest_url(context.project, repository, artifact.digest)
    except RegistryError as error:
        if error.transient and run_count < REGISTRY_RETRIES:
            return _retry_later(session, task_id, until, unreadable(error),
                                float(2 ** run_count), {})
        return _end(session, task_id, until, "Pending", "Error", unreadable(error))
    request = PreheatRequest(repository, tag, artifact.digest, artifact.media_type, url,
                             pull.header, context.options, timeout=settings.job_deadline)
    notes = {"digest": artifact.digest, "media_type": artifact.media_type}
    _wait_for_slot(send_at)
    until = _sending(session, task_id, until, settings.work_lease)
    if until is None:
        return None
    try:
        submission = context.provider.submit(context.instance_target, state.http, request)
    except SubmitError as error:
        metrics.submitted(context.instance_name, rate_limited=error.http_status == 429)
        _provider_failed(context, task_id, "submit", error)
        if error.http_status == 429:
            state.executions.pacer.slow_down(session, context.instance_id)
            wait = error.retry_after or 1.0
            return _retry_later(session, task_id, until, error.reason, wait, notes)
        if error.retry:
            wait = error.retry_after or min(2.0 ** run_count, RETRY_CAP)
            return _retry_later(session, task_id, until, error.reason, wait, notes)
        reason = error.reason
        if error.maybe_submitted:
            reason += MAY_EXIST
        return _end(session, task_id, until, "Pending", "Error", reason, notes)
    metrics.submitted(context.instance_name)
    state.executions.pacer.accepted(session, context.instance_id)
    if pull.note:
        notes["log"] = pull.note
    if not context.provider.confirms:
        return _end(session, task_id, until, "Pending", "Success", submission.message,
                    {**notes, "provider_job_id": submission.job_id})
    return _running(session, task_id, until, submission, settings, notes)


def poll(task_id: int, claimed_until: str) -> str | None:
    """The job: ask the provider how a Running task's job is doing; its new status, or None."""
    state = current_state()
    session = state.session
    until = datetime.fromisoformat(claimed_until)
    context = _load(state, session, task_id, "Running", until)
    if context is None:
        return None
    task = context.task
    job_id, started, interval = task.provider_job_id, task.start_time, task.poll_interval
    settings = _settings()
    session.commit()
    if started is not None and utcnow() - started > timedelta(seconds=settings.job_deadline):
        return _end(session, task_id, until, "Running", "Error",
                    f"Gave up after {settings.job_deadline:g} s: the provider's job {job_id}"
                    " had not ended.")
    try:
        with metrics.timed(metrics.JOB_POLL_SECONDS, context.provider.id):
            progress = context.provider.progress(context.instance_target, state.http, job_id)
    except ProgressError as error:
        _provider_failed(context, task_id, "poll", error)
        if not error.retry:
            return _end(session, task_id, until, "Running", "Error", error.reason)
        return _poll_later(session, task_id, until, interval, settings, error.reason)
    if not progress.done:
        return _poll_later(session, task_id, until, interval, settings, None)
    peers = [{"cluster_id": p.cluster_id, "hostname": p.hostname, "ip": p.ip, "ok": p.ok,
              "description": p.description} for p in progress.peers]
    status = "Success" if progress.state == "success" else "Error"
    return _end(session, task_id, until, "Running", status, progress.message,
                {"peers": json.dumps(peers)})


def _provider_failed(context: _Context, task_id: int, during: str, error) -> None:
    log_event("provider.failure", logging.WARNING, instance=context.instance_name,
              during=during, task=task_id, reason=error.reason, http_status=error.http_status,
              retry=error.retry)


def _settings() -> Settings:
    return Settings.from_config(current_app.config)


def _load(state, session, task_id: int, status: str, until: datetime) -> _Context | None:
    """The task as its job needs it; None when it is not in `status` under this claim."""
    task = session.get(Task, task_id)
    if task is None or task.status != status or task.claimed_until != until:
        session.commit()
        return None
    policy = task.execution.policy
    instance = policy.instance
    return _Context(task, instance.id, instance.name, get_provider(instance.vendor),
                    credential_target(state.secret_box, instance), policy.project.name,
                    json.loads(policy.options or "{}"))


def _store(session, task_id: int, until: datetime, status: str, values: dict,
           log: str | None) -> bool:
    """Write `values` if the task is still ours and in `status`; end the claim."""
    now = utcnow()
    values = {**values, "updated_at": now, "claimed_until": None}
    if log:
        values["log"] = func.coalesce(Task.log, "") + f"{now:%Y-%m-%dT%H:%M:%SZ} {log}\n"
    stored = session.execute(update(Task).where(
        Task.id == task_id, Task.status == status, Task.claimed_until == until)
        .values(values)).rowcount == 1
    session.commit()
    return stored


def _end(session, task_id, until, status, new_status, message, extra=None) -> str | None:
    extra = dict(extra or {})
    note = extra.pop("log", None)
    values = {"status": new_status, "status_message": message, "end_time": utcnow(),
              "start_time": func.coalesce(Task.start_time, utcnow()), "due_at": None, **extra}
    log = f"{new_status}: {message}" + (f" ({note})" if note else "")
    if not _store(session, task_id, until, status, values, log):
        return None
    execution_id = session.scalar(select(Task.execution_id).where(Task.id == task_id))
    runs.finish_if_done(session, execution_id)
    return new_status


def _wait_for_slot(send_at: float | None) -> None:
    """Sleep until the submission's slot; the registry was read meanwhile."""
    if send_at is not None:
        time.sleep(min(max(0.0, send_at - time.time()), MAX_SLOT_WAIT))


def _sending(session, task_id: int, until: datetime, lease: float) -> datetime | None:
    """Mark the claimed task as being sent (its start time) and renew its claim for a
    whole lease from now, so a job that began late still has the lease for the
    provider's answer; the new claim, or None if the task is not ours."""
    now = utcnow()
    renewed = now + timedelta(seconds=lease)
    marked = session.execute(update(Task).where(
        Task.id == task_id, Task.status == "Pending", Task.claimed_until == until)
        .values(start_time=now, claimed_until=renewed)).rowcount == 1
    session.commit()
    return renewed if marked else None


def _retry_later(session, task_id, until, reason, wait: float, notes) -> str | None:
    # Not sent, or turned away: no job was created, so no start time.
    values = {"due_at": utcnow() + timedelta(seconds=wait), "run_count": Task.run_count + 1,
              "start_time": None,
              "status_message": f"{reason} Trying again in {wait:g} s.", **notes}
    return "Pending" if _store(session, task_id, until, "Pending", values,
                               f"not submitted: {reason} Trying again in {wait:g} s.") else None


def _running(session, task_id, until, submission, settings: Settings, notes) -> str | None:
    now = utcnow()
    extra = dict(notes)
    note = extra.pop("log", None)
    values = {"status": "Running", "provider_job_id": submission.job_id,
              "status_message": submission.message, "start_time": now,
              "run_count": Task.run_count + 1, "poll_interval": settings.poll_interval,
              "due_at": now + timedelta(seconds=settings.poll_interval), **extra}
    log = f"submitted: provider job {submission.job_id}" + (f"; {note}" if note else "")
    return "Running" if _store(session, task_id, until, "Pending", values, log) else None


def _poll_later(session, task_id, until, interval, settings: Settings, problem) -> str | None:
    wait = min(max(interval or settings.poll_interval, settings.poll_interval) * 2,
               settings.poll_max_interval)
    values = {"due_at": utcnow() + timedelta(seconds=wait), "poll_interval": wait}
    if problem:
        values["status_message"] = f"{problem} Asking again in {wait:g} s."
    stored = _store(session, task_id, until, "Running", values,
                    f"progress unknown: {problem}" if problem else None)
    return "Running" if stored else None
