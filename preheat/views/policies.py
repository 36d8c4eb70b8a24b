"""A project's P2P Preheat tab: its policies, and their Actions (Execute, Enable, Delete)."""
from __future__ import annotations

from typing import NamedTuple

from flask import abort, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..engine import RunnerUnavailable
from ..executions import runs
from ..htmx import CLOSE_DIALOG, EXECUTIONS_CHANGED, done, is_htmx
from ..models import Policy
from ..services import policies, projects
from ..services.pages import contains, paginate
from ..state import current_state
from . import actions, executions, listing, policy_form, toasts
from .kinds import POLICY
from .presenters import format_datetime, iso_utc, provider_name, trigger_label

COLUMNS = (
    ("Name", "name", ""),
    ("Enabled", "enabled", ""),
    ("Provider", None, ""),
    ("Filters", None, ""),
    ("Trigger", None, ""),
    ("Next run", "next_run_at", "preheat-nowrap"),
    ("Creation time", "created_at", "preheat-nowrap"),
    ("Description", None, ""),
)
SORTS = {"name": func.lower(Policy.name), "enabled": Policy.enabled,
         "created_at": Policy.created_at, "next_run_at": Policy.next_run_at}
TABLE = listing.Table("preheat.policies", listing.Listing(Policy, (), Policy.__table__, SORTS,
                                                          Policy.name, SORTS["name"], Policy.id),
                      COLUMNS, "preheat/project_preheat.html", "preheat/_policies.html",
                      "P2P Preheat")
ACTIONS = "/projects/<name>/preheat/actions"


class PolicyRow(NamedTuple):
    """One row of the policy table, each value as the row shows it."""

    id: int
    name: str
    enabled: bool
    provider: str
    provider_kind: str
    repositories: str
    tags: str
    trigger: str
    schedule: str
    next_run_iso: str
    next_run_text: str
    created_iso: str
    created_text: str
    description: str


def register(bp) -> None:
    bp.add_url_rule("/projects/<name>/preheat", "policies", list_policies)
    bp.add_url_rule(ACTIONS + "/edit", "edit_selected_policy", edit_selected)
    bp.add_url_rule(ACTIONS + "/<any(execute, delete, deactivate):action>/confirm",
                    "confirm_policy_action", confirm_action)
    bp.add_url_rule(ACTIONS + "/<any(execute, enable, deactivate, delete):action>",
                    "run_policy_action", run_action, methods=["POST"])
    policy_form.register(bp)
    executions.register(bp)


def list_policies(name: str):
    """Show the project's policies, filtered by name, with its executions below."""
    session = current_state().session
    project = projects.get_by_name(session, name)
    q, number, size = listing.requested()
    query = select(Policy).where(Policy.project_id == project.id).options(
        selectinload(Policy.instance))
    if q:
        query = query.where(contains(Policy.name, q))
    sort = listing.current_sort(TABLE)
    page = paginate(session, query, TABLE.listing.order(sort), number or 1, size)
    return listing.render(TABLE, page, rows(page.items), {"name": project.name},
                          project=project, registry=project.image_registry, preheat_tab="preheat",
                          **executions.grid_context(project))


def rows(items) -> list[PolicyRow]:
    """The rows for the policies `items`."""
    return [PolicyRow(p.id, p.name, p.enabled, p.instance.name, provider_name(p.instance.vendor),
                      p.repositories, p.tags, trigger_label(p.trigger), p.schedule or "",
                      iso_utc(p.next_run_at), format_datetime(p.next_run_at),
                      p.created_at.isoformat(), format_datetime(p.created_at),
                      p.description or "") for p in items]


def edit_selected(name: str):
    """Open the Edit dialog for the one selected policy."""
    return policy_form.edit_policy(name, actions.one_selected_id(POLICY))


def confirm_action(name: str, action: str):
    """Ask to confirm an execute, delete or deactivate, naming the policies."""
    return actions.confirmation(POLICY, action, _selected(name),
                                url_for("preheat.run_policy_action", name=name, action=action))


def run_action(name: str, action: str):
    """Execute, enable, deactivate or delete the selected policies."""
    chosen = _selected(name)
    back = url_for("preheat.policies", name=name)
    session = current_state().session
    if action == "delete":
        return actions.run_delete(POLICY, url_for("preheat.run_policy_action", name=name,
                                                  action=action), back, chosen)
    names = [policy.name for policy in chosen]
    if action == "execute":
        try:  # nothing is recorded when the runs could not be handed to the workers
            current_state().engine.check()
        except RunnerUnavailable as error:
            return actions.confirmation(
                POLICY, action, chosen, url_for("preheat.run_policy_action", name=name,
                                                action=action),
                error=f"{error} Nothing was started; try again once it is back."), 409
        for policy in chosen:
            runs.start(session, policy)
        current_state().executions.wake()
        if is_htmx():
            return done(EXECUTIONS_CHANGED, CLOSE_DIALOG,
                        toast=toasts.applied(action, names, _EXECUTIONS))
        return actions.finished(POLICY, action, names, back)
    policies.set_enabled(session, chosen, action == "enable")
    return actions.finished(POLICY, action, names, back)


class _Words(NamedTuple):
    one: str
    many: str


_EXECUTIONS = _Words("execution of policy", "executions of policies")


def _selected(name: str) -> list[Policy]:
    """The selected policies, which must all be of project `name`."""
    project = projects.get_by_name(current_state().session, name)
    chosen = actions.selected(POLICY)
    if any(policy.project_id != project.id for policy in chosen):
        abort(404, f"Project {project.name} has no such policy; refresh the list.")
    return chosen
