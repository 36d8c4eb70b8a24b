"""A policy's executions and their tasks, in Harbor's shapes: list, read, stop, task logs."""
from __future__ import annotations

from flask import Response, jsonify
from ..executions import runs
from ..models import Execution, Task
from ..services.errors import NotFound
from ..services.query import EXECUTIONS as EXECUTION_LIST
from ..services.query import TASKS
from ..redaction import for_viewer
from ..state import current_state
from . import query
from .errors import ApiError
from .openapi import PAGING, Reply, operation
from .parameters import ExecutionQuery, TaskQuery, whole_id
from .payload import json_object, validated
from .invalid import Shape
from .policies import POLICY, find
from .policy_models import Execution as ExecutionAnswer
from .policy_models import Executions, ExecutionStop, Tasks
from .responses import Errors
from .routing import route
from .run_answers import execution_json, executions_json, task_json

EXECUTIONS = POLICY + "/executions"
EXECUTION = EXECUTIONS + "/<execution_id>"
NOT_FOUND = {404: Reply("No such project, policy, execution or task.", Errors)}
STOP = Shape("execution stop", tuple(ExecutionStop.model_fields), read_only=(),
             object_hint="Must be an object.")


def register(bp) -> None:
    route(bp, EXECUTIONS, "executions", GET=list_executions)
    route(bp, EXECUTION, "execution", GET=get_execution, PATCH=stop_execution)
    route(bp, EXECUTION + "/tasks", "tasks", GET=list_tasks)
    route(bp, EXECUTION + "/tasks/<task_id>/logs", "task_log", GET=get_task_log)


@operation("ListExecutions", {200: Reply("One page of the policy's executions, newest first"
                                         " unless sort says otherwise.", Executions, PAGING),
                               **NOT_FOUND}, query=ExecutionQuery, errors=(400, 404))
def list_executions(project_name: str, preheat_policy_name: str):
    """List a policy's executions with their task counts, with paging headers."""
    policy = find(project_name, preheat_policy_name)
    session = current_state().session
    return query.listed(session, EXECUTION_LIST, ".executions",
                        lambda rows: executions_json(session, rows),
                        where=(Execution.policy_id == policy.id,), whole_page=True,
                        path_args={"project_name": policy.project.name,
                                   "preheat_policy_name": policy.name})


@operation("GetExecution", {200: Reply("The execution.", ExecutionAnswer), **NOT_FOUND},
           errors=(404,))
def get_execution(project_name: str, preheat_policy_name: str, execution_id: str):
    """Show one execution with its task counts."""
    return jsonify(execution_json(find_execution(project_name, preheat_policy_name,
                                                 execution_id)))


@operation("StopExecution", {200: Reply("Stopped (or it was already): the execution.",
                                        ExecutionAnswer), **NOT_FOUND,
                             409: Reply("It has already ended with another status.", Errors)},
           body=ExecutionStop, errors=(404, 409), example={"status": "Stopped"},
           description='{"status": "Stopped"} stops it: pending tasks are never submitted,'
                       " running ones are no longer followed, and all end as Stopped.")
def stop_execution(project_name: str, preheat_policy_name: str, execution_id: str):
    """Stop an execution."""
    execution = find_execution(project_name, preheat_policy_name, execution_id)
    validated(ExecutionStop, json_object(), "send {\"status\": \"Stopped\"}.", STOP)
    state = current_state()
    if runs.stop(state.session, execution):
        if state.executions is not None:
            state.executions.wake()
    else:
        state.session.refresh(execution)
        if execution.status != "Stopped":
            raise ApiError(409, f"Execution {execution.id} has already ended:"
                                f" {execution.status}.", "status")
    return jsonify(execution_json(execution))


@operation("ListTasks", {200: Reply("One page of the execution's tasks, in the order they were"
                                    " created unless sort says otherwise.", Tasks, PAGING),
                         **NOT_FOUND}, query=TaskQuery, errors=(400, 404))
def list_tasks(project_name: str, preheat_policy_name: str, execution_id: str):
    """List an execution's tasks (q=status=Error: the failed ones), with paging headers."""
    execution = find_execution(project_name, preheat_policy_name, execution_id)
    project = execution.policy.project.name
    return query.listed(current_state().session, TASKS, ".tasks",
                        lambda task: task_json(task, project),
                        where=(Task.execution_id == execution.id,),
                        path_args={"project_name": project,
                                   "preheat_policy_name": execution.policy.name,
                                   "execution_id": execution.id})


@operation("GetPreheatLog", {200: Reply("The task's log, one line per event.", text=True),
                             **NOT_FOUND}, errors=(404,))
def get_task_log(project_name: str, preheat_policy_name: str, execution_id: str,
                 task_id: str):
    """Show a task's log as plain text."""
    execution = find_execution(project_name, preheat_policy_name, execution_id)
    task = current_state().session.get(Task, whole_id(task_id, "Task"))
    if task is None or task.execution_id != execution.id:
        raise NotFound(f"Execution {execution.id} has no task {task_id}.")
    text = for_viewer(task.log)
    return Response(text + ("\n" if text and not text.endswith("\n") else ""),
                    mimetype="text/plain")


def find_execution(project_name: str, policy_name: str, execution_id: str) -> Execution:
    """The policy's execution with this id, or NotFound."""
    policy = find(project_name, policy_name)
    execution = current_state().session.get(Execution, whole_id(execution_id, "Execution"))
    if execution is None or execution.policy_id != policy.id:
        raise NotFound(f"Policy {policy.name} has no execution {execution_id}.")
    return execution
