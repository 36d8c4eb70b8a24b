"""The New instance / Edit dialog: show it, test its connection, save it."""
from __future__ import annotations

from ..crypto import SecretError
from ..forms import InstanceForm
from ..health import checks
from ..htmx import page_or_partial
from ..providers import PROVIDERS
from ..services import instances
from ..state import current_state
from ..validation import check_vendor
from . import dialogs
from .kinds import INSTANCE


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
    saved = dialogs.submit(form, lambda data: instances.create(state.session, state.secret_box,
                                                               data), INSTANCE, created=True)
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

    return dialogs.submit(form, save, INSTANCE, created=False) or _dialog(form, instance)


def test_connection(instance_id: int | None = None):
    """Check the dialog's current values against the provider; save nothing."""
    form = InstanceForm()
    state = current_state()
    instance = instances.get(state.session, instance_id) if instance_id else None
    vendor = instance.vendor if instance else form.vendor.data

    def make_target():
        check_vendor(vendor)
        return instances.unsaved_target(state.secret_box, form.service_data(), instance, vendor)

    return dialogs.test_result(make_target, lambda target: checks.test_connection(
        state.session, vendor, target, state.http,
        name=instance.name if instance else form.name.data, instance_id=instance_id))


def _dialog(form, instance):
    return page_or_partial("preheat/instance_form.html", "preheat/_instance_dialog.html",
                           status=dialogs.status_of(), form=form, instance=instance,
                           providers=PROVIDERS)


def _stored_username(instance) -> str | None:
    try:
        return instances.credentials(current_state().secret_box, instance).username
    except SecretError:
        return None
