"""The New policy / Edit dialog: its provider's own fields, a live preview, and saving."""
from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from ..browsing import current_browser
from ..forms import PolicyForm
from ..htmx import page_or_partial
from ..models import Instance, Policy
from ..policies.filters import parse
from ..policies.schedule import zone_names
from ..providers import get_provider
from ..services import policies, projects
from ..services.errors import NotFound
from ..services.preview import preview
from ..state import current_state
from ..validation import FieldError
from . import dialogs, policy_trigger
from .kinds import POLICY

OPTION_PREFIX = "option-"


def register(bp) -> None:
    bp.add_url_rule("/projects/<name>/preheat/new", "new_policy", new_policy,
                    methods=["GET", "POST"])
    bp.add_url_rule("/projects/<name>/preheat/<int:policy_id>/edit", "edit_policy",
                    edit_policy, methods=["GET", "POST"])
    bp.add_url_rule("/projects/<name>/preheat/provider-fields", "policy_provider_fields",
                    provider_fields)
    bp.add_url_rule("/projects/<name>/preheat/preview", "policy_preview", show_preview)
    policy_trigger.register(bp)


def new_policy(name: str):
    """Show the New policy dialog, the default instance chosen, or create what it submits."""
    session = current_state().session
    project = projects.get_by_name(session, name)
    form = PolicyForm(options=_submitted_options())
    choices = _enabled_instances()
    form.instance_id.choices = [(i.id, i.name) for i in choices]
    if request.method == "GET":
        default = next((i for i in choices if i.is_default), choices[0] if choices else None)
        form.instance_id.data = default.id if default else None
    saved = dialogs.submit(form, lambda data: policies.create(session, project, data), POLICY,
                           created=True)
    return saved or _dialog(form, project, None, choices)


def edit_policy(name: str, policy_id: int):
    """Show the Edit dialog filled in, or save the changes it submits."""
    session = current_state().session
    project = projects.get_by_name(session, name)
    policy = session.get(Policy, policy_id)
    if policy is None or policy.project_id != project.id:
        raise NotFound(f"Project {project.name} has no policy with id {policy_id}.")
    options = _submitted_options() if request.method == "POST" else policies.options_of(policy)
    form = PolicyForm(obj=policy, options=options)
    choices = _enabled_instances(policy.instance)
    form.instance_id.choices = [(i.id, i.name) for i in choices]
    saved = dialogs.submit(form, lambda data: policies.update(session, policy, data), POLICY,
                           created=False)
    return saved or _dialog(form, project, policy, choices)


def provider_fields(name: str):
    """The chosen provider's own fields, for the dialog to swap in when the provider changes."""
    session = current_state().session
    projects.get_by_name(session, name)
    instance = session.get(Instance, request.args.get("instance_id", 0, type=int))
    return render_template("preheat/_policy_options.html", fields=_fields_of(instance),
                           values=_submitted_options(request.args), errors={})


def show_preview(name: str):
    """What the typed filters match in the registry now, or why it could not be read."""
    state = current_state()
    project = projects.get_by_name(state.session, name)
    try:
        filters = (parse("repositories", request.args.get("repositories")),
                   parse("tags", request.args.get("tags")))
    except FieldError as error:
        return render_template("preheat/_policy_preview.html", result=None,
                               problem=error.message)
    result = preview(state.artifacts, current_browser(), project.name, *filters)
    return render_template("preheat/_policy_preview.html", result=result,
                           problem=result.problem)


def _enabled_instances(current: Instance | None = None) -> list[Instance]:
    """The instances a policy may preheat into; an edited policy's own is kept in the list."""
    found = list(current_state().session.scalars(
        select(Instance).where(Instance.enabled.is_(True))
        .order_by(Instance.name_key, Instance.id)))
    if current is not None and current not in found:
        found.insert(0, current)
    return found


def _fields_of(instance: Instance | None) -> tuple:
    return get_provider(instance.vendor).options if instance is not None else ()


def _submitted_options(values=None) -> dict:
    values = request.form if values is None else values
    return {key.removeprefix(OPTION_PREFIX): value for key, value in values.items()
            if key.startswith(OPTION_PREFIX)}


def _dialog(form, project, policy, choices):
    chosen = next((i for i in choices if i.id == form.instance_id.data), None)
    return page_or_partial("preheat/policy_form.html", "preheat/_policy_dialog.html",
                           status=dialogs.status_of(), form=form, project=project,
                           policy=policy, has_instances=bool(choices),
                           fields=_fields_of(chosen), values=form.options,
                           errors=form.option_errors, zones=zone_names())
