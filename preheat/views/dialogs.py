"""What every New / Edit dialog does the same way: save, answer, and test a connection."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from ..crypto import SecretError
from ..htmx import CLOSE_DIALOG, done, is_htmx
from ..services.errors import Conflict, FieldError
from ..services.on_demand import Busy
from ..state import current_state
from . import toasts


def submit(form, save, kind, *, created: bool):
    """Save a submitted, valid dialog; None when there is nothing to save (yet).

    `save(data)` gets the form's service data; a FieldError or Conflict it
    raises is shown next to its field.
    """
    if request.method != "POST" or not form.validate():
        return None
    try:
        saved = save(form.service_data())
    except (FieldError, Conflict) as error:
        form.add_error(error.field, error.message)
        return None
    message = toasts.saved(saved.name, created=created, noun=kind.one)
    if is_htmx():
        return done(kind.changed, CLOSE_DIALOG, toast=message)
    return redirect(url_for(kind.list_endpoint), 303)


def test_result(make_target, test, template: str = "preheat/_test_result.html", extra=None,
                **context):
    """Test a connection for the dialog: `test(target)` runs in an on-demand slot.

    `make_target()` validates just what the test needs; what it refuses, a
    secret that cannot be opened, or every slot taken, is said instead of a
    result. `extra(target, result)` adds to what the template is given.
    """
    state = current_state()
    try:
        target = make_target()
    except (FieldError, SecretError) as error:
        return render_template(template, result=None, **context,
                               problem=getattr(error, "message", str(error)))
    try:
        with state.on_demand.slot():
            result = test(target)
    except Busy as busy:
        return render_template(template, result=None, problem=busy.message, **context)
    if extra is not None:
        context.update(extra(target, result))
    return render_template(template, result=result, problem=None, **context)


def status_of() -> int:
    """A dialog shown again after a POST was refused: 422, so htmx swaps it in anyway."""
    return 422 if request.method == "POST" else 200
