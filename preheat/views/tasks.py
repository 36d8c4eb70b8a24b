"""An execution's tasks, paged and filtered by status; a task's peers and its log."""
from __future__ import annotations

import json
from typing import NamedTuple

from flask import request, url_for
from sqlalchemy import select

from ..htmx import page_or_partial
from ..models import STATUSES, Task
from ..services.errors import NotFound
from ..services.pages import paginate
from ..redaction import for_viewer
from ..state import current_state
from . import executions
from .presenters import format_datetime

PAGE_SIZE = 25


class Peer(NamedTuple):
    """One peer's result for a task: where it is and whether it got the image."""

    cluster_id: str
    hostname: str
    ip: str
    ok: bool
    description: str


def register(bp, base: str) -> None:
    bp.add_url_rule(base + "/<int:execution_id>", "execution_tasks", show_tasks)
    bp.add_url_rule(base + "/<int:execution_id>/tasks/<int:task_id>", "execution_task",
                    show_task)


def show_tasks(name: str, execution_id: int):
    """Show an execution's tasks, paged, only those in one status when asked."""
    session = current_state().session
    execution = executions.execution_of(name, execution_id)
    status = request.args.get("status") if request.args.get("status") in STATUSES else ""
    query = select(Task).where(Task.execution_id == execution.id)
    if status:
        query = query.where(Task.status == status)
    page = paginate(session, query, [Task.id.asc()],
                    max(1, request.args.get("page", 1, type=int) or 1), PAGE_SIZE)
    row = executions.rows(session, execution.policy.project, [execution])[0]
    return page_or_partial("preheat/execution.html", "preheat/_tasks.html",
                           project=execution.policy.project, execution=execution, row=row,
                           page=page, task_status=status, statuses=STATUSES,
                           task_url=lambda task: url_for("preheat.execution_task", name=name,
                                                         execution_id=execution.id,
                                                         task_id=task.id),
                           poll_seconds=executions.POLL_SECONDS if row.running else None,
                           pages_url=lambda **query: url_for(
                               "preheat.execution_tasks", name=name,
                               execution_id=execution.id, **query),
                           pushes=pushes_of(execution),
                           preheat_title=f"Execution {execution.id}")


def pushes_of(execution) -> dict | None:
    """The pushes that started an event-based execution, as its page lists them."""
    if execution.trigger != "event_based" or not execution.trigger_detail:
        return None
    try:
        detail = json.loads(execution.trigger_detail)
    except ValueError:
        return None
    events = [event for event in detail.get("events", []) if isinstance(event, dict)]
    return {"events": events, "total": detail.get("events_total", len(events))}


def show_task(name: str, execution_id: int, task_id: int):
    """Show one task: its artifact, job, status, the peers (failed first) and its log."""
    execution = executions.execution_of(name, execution_id)
    task = current_state().session.get(Task, task_id)
    if task is None or task.execution_id != execution.id:
        raise NotFound(f"Execution {execution.id} has no task {task_id}.")
    return page_or_partial("preheat/task.html", "preheat/_task.html",
                           project=execution.policy.project, execution=execution, task=task,
                           artifact=artifact(task), peers=peers_of(task),
                           log_lines=for_viewer(task.log).splitlines(),
                           start_text=format_datetime(task.start_time),
                           end_text=format_datetime(task.end_time),
                           preheat_title=f"Task {task.id} of execution {execution.id}")


def artifact(task: Task) -> str:
    """`project/repository:tag` as the registry names it."""
    return f"{task.repository}:{task.tag}"


def peers_of(task: Task) -> list[Peer]:
    """The task's peers, failed ones first, each with its reason."""
    try:
        found = json.loads(task.peers or "[]")
    except ValueError:
        found = []
    result = [Peer(str(peer.get("cluster_id") or ""), str(peer.get("hostname") or ""),
                   str(peer.get("ip") or ""), bool(peer.get("ok")),
                   str(peer.get("description") or "")) for peer in found if isinstance(peer, dict)]
    return sorted(result, key=lambda peer: (peer.ok, peer.hostname))
