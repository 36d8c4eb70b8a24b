"""A project's executions: the grid that follows them while they run, Stop and Retry failed."""
from __future__ import annotations

from typing import NamedTuple

from flask import redirect, render_template, request, url_for
from sqlalchemy import select

from ..engine import RunnerUnavailable
from ..executions import runs
from ..htmx import CLOSE_DIALOG, EXECUTIONS_CHANGED, done, is_htmx
from ..models import Execution, Policy, Project, utcnow
from ..services import projects
from ..services.errors import Conflict, NotFound
from ..services.pages import paginate
from ..redaction import for_viewer
from ..state import current_state
from . import tasks
from .presenters import format_datetime, trigger_text

PAGE_SIZE = 15
# How often the grid asks again while an execution is pending or running, and while
# nothing runs but a policy of the project may start by itself (a push, a schedule).
POLL_SECONDS = 2
IDLE_POLL_SECONDS = 5
TONES = {"Success": "ok", "Error": "bad", "Stopped": "off", "Pending": "unknown",
         "Running": "unknown"}


class ExecutionRow(NamedTuple):
    """One row of the executions grid, each value as the row shows it."""

    id: int
    policy: str
    status: str
    tone: str
    message: str
    trigger: str
    start_text: str
    duration: str
    success_rate: str
    running: bool
    retryable: bool
    tasks_url: str


def register(bp) -> None:
    base = "/projects/<name>/preheat/executions"
    bp.add_url_rule(base, "executions", show_executions)
    bp.add_url_rule(base + "/<int:execution_id>/stop/confirm", "confirm_stop", confirm_stop)
    bp.add_url_rule(base + "/<int:execution_id>/stop", "stop_execution", stop_execution,
                    methods=["POST"])
    bp.add_url_rule(base + "/<int:execution_id>/retry", "retry_execution", retry_execution,
                    methods=["POST"])
    tasks.register(bp, base)


def show_executions(name: str):
    """The executions grid alone: what the page polls while something runs."""
    project = projects.get_by_name(current_state().session, name)
    return render_template("preheat/_executions.html", project=project, **grid_context(project))


def grid_context(project: Project) -> dict:
    """The newest executions of the project's policies, and whether to ask again."""
    session = current_state().session
    number = max(1, request.args.get("executions_page", 1, type=int) or 1)
    query = select(Execution).join(Policy).where(Policy.project_id == project.id)
    page = paginate(session, query, [Execution.id.desc()], number, PAGE_SIZE)
    found = rows(session, project, page.items)
    return {"execution_rows": found, "execution_page": page,
            "executions_url": lambda page: url_for("preheat.executions", name=project.name,
                                                   executions_page=page),
            "poll_seconds": POLL_SECONDS if any(row.running for row in found) else
            IDLE_POLL_SECONDS if _starts_by_itself(session, project) else None}


def _starts_by_itself(session, project: Project) -> bool:
    """Whether an enabled policy of the project runs without anyone clicking Execute."""
    return session.scalar(select(Policy.id).where(
        Policy.project_id == project.id, Policy.enabled.is_(True),
        Policy.trigger != "manual").limit(1)) is not None


def rows(session, project: Project, items) -> list[ExecutionRow]:
    """The rows for the executions `items`, with their task counts."""
    tally = runs.counts(session, [execution.id for execution in items])
    now = utcnow()
    result = []
    for execution in items:
        counted = tally[execution.id]
        total = sum(counted.values())
        result.append(ExecutionRow(
            execution.id, execution.policy.name, execution.status,
            TONES.get(execution.status, "unknown"), for_viewer(execution.status_message),
            trigger_text(execution.trigger, execution.trigger_detail),
            format_datetime(execution.start_time),
            duration(execution.start_time, execution.end_time, now),
            f"{counted['Success']}/{total}", execution.status in runs.WAITING,
            execution.status == "Error" and counted["Error"] > 0,
            url_for("preheat.execution_tasks", name=project.name, execution_id=execution.id)))
    return result


def duration(start, end, now) -> str:
    """'1m 05s', or '' before it started; a running one counts up to now."""
    if start is None:
        return ""
    seconds = max(0, int(((end or now) - start).total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {seconds:02d}s" if minutes \
        else f"{seconds}s"


def confirm_stop(name: str, execution_id: int):
    """Ask to confirm stopping an execution."""
    execution = execution_of(name, execution_id)
    return render_template("preheat/_stop_confirm.html", execution=execution,
                           run_url=url_for("preheat.stop_execution", name=name,
                                           execution_id=execution.id))


def stop_execution(name: str, execution_id: int):
    """Stop an execution: nothing more is submitted, running tasks end as Stopped."""
    execution = execution_of(name, execution_id)
    stopped = runs.stop(current_state().session, execution)
    message = f"Execution {execution_id} stopped." if stopped else \
        f"Execution {execution_id} had already ended."
    return _finished(name, message)


def retry_execution(name: str, execution_id: int):
    """Start a new execution of only the failed tasks of an ended one."""
    state = current_state()
    execution = execution_of(name, execution_id)
    try:  # nothing is recorded when the run could not be handed to the workers
        state.engine.check()
    except RunnerUnavailable as error:
        return done(EXECUTIONS_CHANGED, status=409,
                    toast=f"{error} Nothing was started; try again once it is back.")
    try:
        retry = runs.retry_failed(state.session, execution)
    except Conflict as error:
        # The grid comes back as things are now; the toast says why nothing started.
        return done(EXECUTIONS_CHANGED, status=409, toast=error.message)
    state.executions.wake()
    return _finished(name, f"Execution {retry.id} started: it retries the failed tasks of"
                           f" execution {execution_id}.")


def execution_of(name: str, execution_id: int) -> Execution:
    """Execution `execution_id` of a policy of project `name`, or NotFound."""
    session = current_state().session
    project = projects.get_by_name(session, name)
    execution = session.get(Execution, execution_id)
    if execution is None or execution.policy.project_id != project.id:
        raise NotFound(f"Project {project.name} has no execution {execution_id}.")
    return execution


def _finished(name: str, message: str):
    if is_htmx():
        return done(EXECUTIONS_CHANGED, CLOSE_DIALOG, toast=message)
    return redirect(url_for("preheat.policies", name=name), 303)
