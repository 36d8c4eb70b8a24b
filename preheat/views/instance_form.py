"""The New instance / Edit dialog: show it, test its connection, save it."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from ..crypto import SecretError
from ..state import current_state
from ..forms import InstanceForm
from ..htmx import CLOSE_DIALOG, INSTANCES_CHANGED, done, is_htmx, page_or_partial
from ..providers import PROVIDERS
from ..health import checks
from ..services import instances
from ..services.errors import Conflict, FieldError
from ..services.on_demand import Busy
from ..validation import check_vendor
from . import toasts


def register(bp) -> None:
    bp.add_url_rule("/distributions/new", "new_instance", new_instance,
                    methods=["GET", "POST"])
    bp.add_url_rule("/distributions/<int:instance_id>/edit", "edit_instance", edit_instance,
                    methods=["GET", "POST"])
    bp.add_url_rule("/distributions/test-connection", "test_connection", test_connection,
                    methods=["POST"])
    bp.add_url_rule("/distributions/<int:instance_id>/test-connection",
                    "test_saved_connection", test_connection, methods=["POST"])


def new_instance():
    """Show the New instance dialog, or create the instance it submits."""
    form = InstanceForm()
    state = current_state()
    saved = _submit(form, lambda data: instances.create(state.session, state.secret_box, data),
                    created=True)
    return saved or _dialog(form, None)


def edit_instance(instance_id: int):
    """Show the Edit dialog filled in, or save the changes it submits."""
    state = current_state()
    instance = instances.get(state.session, instance_id)
    form = InstanceForm(obj=instance, username=_stored_username(instance))
    form.vendor.data = instance.vendor

    def save(data):
        data.pop("vendor")
        return instances.update(state.session, state.secret_box, instance, data)

    return _submit(form, save, created=False) or _dialog(form, instance)


def _submit(form, save, *, created: bool):
    """Save a submitted, valid dialog; None when there is nothing to save (yet)."""
    if request.method != "POST":
        return None
    if not form.validate():
        return None
    try:
        saved = save(form.service_data())
    except (FieldError, Conflict) as error:
        form.add_error(error.field, error.message)
        return None
    return _saved(toasts.saved(saved.name, created=created))


def test_connection(instance_id: int | None = None):
    """Check the dialog's current values against the provider; save nothing."""
    form = InstanceForm()
    state = current_state()
    instance = instances.get(state.session, instance_id) if instance_id else None
    vendor = instance.vendor if instance else form.vendor.data
    try:
        check_vendor(vendor)
        target = instances.unsaved_target(state.secret_box, form.service_data(), instance,
                                          vendor)
    except (FieldError, SecretError) as error:
        return render_template("preheat/_test_result.html", result=None,
                               problem=getattr(error, "message", str(error)))
    try:
        with state.on_demand.slot():
            result = checks.test_connection(state.session, vendor, target, state.http,
                                            name=instance.name if instance else form.name.data,
                                            instance_id=instance_id)
    except Busy as busy:
        return render_template("preheat/_test_result.html", result=None, problem=busy.message)
    return render_template("preheat/_test_result.html", result=result, problem=None)


def _saved(message: str):
    if is_htmx():
        return done(INSTANCES_CHANGED, CLOSE_DIALOG, toast=message)
    return redirect(url_for("preheat.distributions"), 303)


def _dialog(form, instance):
    status = 422 if request.method == "POST" else 200
    return page_or_partial("preheat/instance_form.html", "preheat/_instance_dialog.html",
                           status=status, form=form, instance=instance,
                           providers=PROVIDERS)


def _stored_username(instance) -> str | None:
    try:
        return instances.credentials(current_state().secret_box, instance).username
    except SecretError:
        return None
