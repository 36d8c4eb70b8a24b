"""The New registry / Edit dialog: show it, test its connection, save it."""
from __future__ import annotations

from flask import render_template, request

from ..crypto import SecretError
from ..forms import RegistryForm
from ..health import checks
from ..htmx import page_or_partial
from ..services import registries
from ..state import current_state
from . import dialogs, tested
from .kinds import REGISTRY


def register(bp) -> None:
    bp.add_url_rule("/registries/new", "new_registry", new_registry, methods=["GET", "POST"])
    bp.add_url_rule("/registries/<int:registry_id>/edit", "edit_registry", edit_registry,
                    methods=["GET", "POST"])
    bp.add_url_rule("/registries/test-connection", "test_registry", test_connection,
                    methods=["POST"])
    bp.add_url_rule("/registries/<int:registry_id>/test-connection", "test_saved_registry",
                    test_connection, methods=["POST"])
    bp.add_url_rule("/registries/public-url-warning", "public_url_warning", public_url_warning)


def new_registry():
    """Show the New registry dialog, or create the registry it submits."""
    form = RegistryForm()
    state = current_state()
    saved = dialogs.submit(form, lambda data: _start_health(registries.create(
        state.session, state.secret_box, data)), REGISTRY, created=True)
    return saved or _dialog(form, None)


def edit_registry(registry_id: int):
    """Show the Edit dialog filled in, or save the changes it submits."""
    state = current_state()
    registry = registries.get(state.session, registry_id)
    form = RegistryForm(obj=registry, username=_stored_username(registry))
    saved = dialogs.submit(form, lambda data: _start_health(registries.update(
        state.session, state.secret_box, registry, data)), REGISTRY, created=False)
    return saved or _dialog(form, registry)


def test_connection(registry_id: int | None = None):
    """Check the dialog's current values against the registry; save nothing."""
    form = RegistryForm()
    state = current_state()
    registry = registries.get(state.session, registry_id) if registry_id else None
    name = registry.name if registry else form.name.data
    return dialogs.test_result(
        lambda: registries.unsaved(state.secret_box, form.service_data(), registry),
        lambda target: checks.run_test(
            state.session, lambda: checks.check_registry(state.registries, target), target,
            name=name, object_id=registry_id, object_type="registry"),
        extra=lambda target, result: {"tested": tested.token(target, result)},
        latency=False)  # the registry's reason says it already


def _start_health(registry):
    """Keep the dialog's Test connection result as the health of what was saved, if it fits."""
    state = current_state()
    try:
        target = registries.target(state.secret_box, registry)
    except SecretError:
        return registry
    result = tested.result_for(target, request.form.get("tested"))
    if result is not None:
        tested.record(registry, result)
        state.session.commit()
    return registry


def public_url_warning():
    """The warning under "URL as providers reach it", for the address typed so far."""
    return render_template("preheat/_public_url_warning.html",
                           warning=_warning(request.args.get("public_url", "")[:1024]))


def _warning(url: str) -> str | None:
    return registries.public_url_warning(url.strip()) if url.strip() else None


def _dialog(form, registry):
    return page_or_partial("preheat/registry_form.html", "preheat/_registry_dialog.html",
                           status=dialogs.status_of(), form=form, registry=registry,
                           warning=_warning(form.public_url.data or ""))


def _stored_username(registry) -> str | None:
    try:
        return registries.credentials(current_state().secret_box, registry).username
    except SecretError:
        return None
