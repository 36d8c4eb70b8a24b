"""A project's preheat policies, in Harbor's shapes: providers, list, create, read, update,
delete, and Execute."""
from __future__ import annotations

from flask import jsonify, request, url_for
from sqlalchemy import func, select

from ..engine import RunnerUnavailable
from ..executions import runs
from ..models import Instance, Policy
from ..services import policies, projects
from ..services.query import POLICIES as POLICY_LIST
from ..state import current_state
from . import query
from .errors import error_response
from .openapi import PAGING, Reply, created, operation
from .parameters import PolicyQuery
from .payload import json_object
from .policy_models import (Execution, PolicyBody, PolicyCreate, Policies, PreheatPolicy,
                            ProvidersUnderProject, ProviderUnderProject)
from .policy_payload import check, creation, named, policy_json, update
from .responses import Errors
from .routing import route
from .run_answers import execution_json

POLICIES = "/projects/<project_name>/preheat/policies"
POLICY = POLICIES + "/<preheat_policy_name>"
NOT_FOUND = {404: Reply("No such project or policy.", Errors)}
CONFLICT = {409: Reply("The project has another policy of this name.", Errors)}
EXAMPLE = {"name": "warm-app", "description": "Release tags of app", "provider_id": 1,
           "filters": '[{"type":"repository","value":"app"},{"type":"tag","value":"v1.*"}]',
           "trigger": '{"type":"manual","trigger_setting":{}}', "enabled": True,
           "extra_attrs": '{"scope":"all_peers","cluster_ids":[1]}'}


def register(bp) -> None:
    route(bp, "/projects/<project_name>/preheat/providers", "project_providers",
          GET=list_project_providers)
    route(bp, POLICIES, "policies", GET=list_policies, POST=create_policy)
    route(bp, POLICY, "policy", GET=get_policy, PUT=update_policy, POST=execute_policy,
          DELETE=delete_policy)


@operation("ListProvidersUnderProject", {200: Reply("The provider instances.",
                                                    ProvidersUnderProject), **NOT_FOUND},
           errors=(404,), description="Every provider instance; a policy may use the enabled"
                                      " ones.")
def list_project_providers(project_name: str):
    """List the provider instances a project's policies may preheat into."""
    session = current_state().session
    projects.get_by_name(session, project_name)
    rows = session.scalars(select(Instance).order_by(func.lower(Instance.name), Instance.id))
    return jsonify([ProviderUnderProject(id=row.id, provider=row.name, enabled=row.enabled,
                                         default=row.is_default).model_dump() for row in rows])


@operation("ListPolicies", {200: Reply("One page of the project's policies, by name unless"
                                       " sort says otherwise.", Policies, PAGING), **NOT_FOUND},
           query=PolicyQuery, errors=(400, 404))
def list_policies(project_name: str):
    """List a project's policies as `q`, `sort`, `page` and `page_size` ask, with paging headers."""
    session = current_state().session
    project = projects.get_by_name(session, project_name)
    return query.listed(session, POLICY_LIST, ".policies", policy_json,
                        where=(Policy.project_id == project.id,),
                        path_args={"project_name": project.name})


@operation("CreatePolicy", {201: created(PreheatPolicy, "The new policy's URL."),
                            **NOT_FOUND, **CONFLICT},
           body=PolicyCreate, errors=(404, 409), example=EXAMPLE,
           description="The provider instance must be enabled; its driver checks the options"
                       " (Dragonfly: scope, cluster_ids, platform).")
def create_policy(project_name: str):
    """Create a policy; answer 201 with it and its Location."""
    session = current_state().session
    project = projects.get_by_name(session, project_name)
    body = json_object()
    data = creation(body)
    with named("scope" in body):
        policy = policies.create(session, project, data)
    location = url_for(".policy", project_name=project.name, preheat_policy_name=policy.name)
    return jsonify(policy_json(policy)), 201, {"Location": location}


@operation("GetPolicy", {200: Reply("The policy.", PreheatPolicy), **NOT_FOUND}, errors=(404,))
def get_policy(project_name: str, preheat_policy_name: str):
    """Show one policy."""
    return jsonify(policy_json(find(project_name, preheat_policy_name)))


@operation("UpdatePolicy", {200: Reply("The policy as stored.", PreheatPolicy), **NOT_FOUND,
                            **CONFLICT},
           body=PolicyBody, errors=(404, 409), example={"enabled": False},
           description="Only the fields sent (and not null) change; filters, when sent, is the"
                       " whole filter list. scope alone changes only the options' scope.")
def update_policy(project_name: str, preheat_policy_name: str):
    """Change the fields the body gives."""
    policy = find(project_name, preheat_policy_name)
    body = json_object()
    data = update(body, policy)
    with named("scope" in body):
        policies.update(current_state().session, policy, data)
    return jsonify(policy_json(policy))


@operation("ManualPreheat", {201: created(Execution, "The new execution's URL."),
                             **NOT_FOUND},
           body=PolicyBody, body_required=False, errors=(404,), example={},
           description="Records a Pending execution and answers at once; the registry and the"
                       " provider are asked in the background. A run that cannot start"
                       " (policy or provider deactivated, provider unhealthy, registry"
                       " unreachable) ends as an Error execution saying why. A body is"
                       " optional, checked as a policy, and otherwise ignored.")
def execute_policy(project_name: str, preheat_policy_name: str):
    """Run a policy now: answer 201 with the new execution and its Location."""
    policy = find(project_name, preheat_policy_name)
    if request.get_data(cache=True).strip():
        check(json_object())
    state = current_state()
    try:  # nothing is recorded when the run could not be handed to the workers
        state.engine.check()
    except RunnerUnavailable as error:
        return error_response(503, f"{error} The execution was not started; try again"
                                   " once it is back.", headers={"Retry-After": "5"})
    execution = runs.start(state.session, policy)
    if state.executions is not None:
        state.executions.wake()
    location = url_for(".execution", project_name=policy.project.name,
                       preheat_policy_name=policy.name, execution_id=execution.id)
    return jsonify(execution_json(execution)), 201, {"Location": location}


@operation("DeletePolicy", {200: Reply("Deleted (no body), with its executions."),
                            **NOT_FOUND,
                            412: Reply("An execution of the policy is running; the message"
                                       " names it.", Errors)}, errors=(404, 412))
def delete_policy(project_name: str, preheat_policy_name: str):
    """Delete a policy and its executions, unless one is running (then 412)."""
    policies.delete(current_state().session, [find(project_name, preheat_policy_name)])
    return "", 200


def find(project_name: str, policy_name: str) -> Policy:
    """The project's policy of this name, or NotFound."""
    session = current_state().session
    return policies.get(session, projects.get_by_name(session, project_name), policy_name)

