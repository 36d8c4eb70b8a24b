"""Executions and tasks as Harbor's API shows them: counts per status, artifacts, peers.

Only what the engine recorded for people is read: statuses, messages, the
digest, the provider's job id and the per-peer results. The pull credential
is never stored, so no answer can carry it.
"""
from __future__ import annotations

import json

from ..executions import runs
from ..models import Execution as ExecutionRow
from ..models import Task as TaskRow
from ..services.browse import shown_name
from ..redaction import for_viewer
from ..state import current_state
from .policy_models import Execution, Metrics, Peer, Task, TaskAttrs


def executions_json(session, executions: list[ExecutionRow]) -> list[dict]:
    """Executions with their task counts, read in one query."""
    tallies = runs.counts(session, [execution.id for execution in executions])
    return [_execution(execution, tallies[execution.id]) for execution in executions]


def execution_json(execution: ExecutionRow) -> dict:
    """One execution with its task counts."""
    return executions_json(current_state().session, [execution])[0]


def _execution(execution: ExecutionRow, tally) -> dict:
    extra = _loaded(execution.trigger_detail, {})
    if execution.retry_of is not None:
        extra = {**extra, "retry_of": execution.retry_of}
    return Execution(
        id=execution.id,
        vendor_type="P2P_PREHEAT",
        vendor_id=execution.policy_id,
        status=execution.status,
        status_message=for_viewer(execution.status_message),
        metrics=Metrics(task_count=sum(tally.values()), success_task_count=tally["Success"],
                        error_task_count=tally["Error"], pending_task_count=tally["Pending"],
                        running_task_count=tally["Running"], scheduled_task_count=0,
                        stopped_task_count=tally["Stopped"]),
        trigger=execution.trigger,
        extra_attrs=extra if isinstance(extra, dict) else {},
        start_time=execution.start_time or execution.created_at,
        end_time=execution.end_time,
    ).model_dump(mode="json")


def task_json(task: TaskRow, project: str) -> dict:
    """One task: its artifact (project/repository:tag), job and peers."""
    peers = _loaded(task.peers, [])
    peers = peers if isinstance(peers, list) else []
    return Task(
        id=task.id,
        execution_id=task.execution_id,
        status=task.status,
        status_message=for_viewer(task.status_message),
        run_count=task.run_count or 0,
        extra_attrs=TaskAttrs(artifact=f"{shown_name(project, task.repository)}:{task.tag}",
                              digest=task.digest, kind="image",
                              provider_job_id=task.provider_job_id,
                              peers=[Peer(**_peer(peer)) for peer in peers
                                     if isinstance(peer, dict)]),
        creation_time=task.created_at,
        update_time=task.updated_at,
        start_time=task.start_time,
        end_time=task.end_time,
    ).model_dump(mode="json")


def _peer(peer: dict) -> dict:
    return {"cluster_id": peer.get("cluster_id"), "hostname": peer.get("hostname"),
            "ip": peer.get("ip"), "ok": bool(peer.get("ok")),
            "description": peer.get("description")}


def _loaded(text: str | None, empty):
    """The JSON the engine stored, or `empty` when there is none."""
    try:
        return json.loads(text) if text else empty
    except ValueError:
        return empty
