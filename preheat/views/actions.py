"""The Actions menu: Edit, Enable, Deactivate and Delete on selected rows."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from sqlalchemy import select

from ..extension import current_state
from ..htmx import CLOSE_DIALOG, INSTANCES_CHANGED, done, is_htmx
from ..models import Instance
from ..services import instances
from ..services.errors import InUse
from . import toasts
from .instance_form import edit_instance

CONFIRMED_ACTIONS = ("delete", "deactivate")
MAX_SELECTION = 100


def register(bp) -> None:
    bp.add_url_rule("/distributions/actions/edit", "edit_selected", edit_selected)
    bp.add_url_rule("/distributions/actions/<any(delete, deactivate):action>/confirm",
                    "confirm_action", confirm_action)
    bp.add_url_rule("/distributions/actions/<any(enable, deactivate, delete):action>",
                    "run_action", run_action, methods=["POST"])


def edit_selected():
    """Open the Edit dialog for the one selected instance."""
    ids = _selected_ids()
    if len(ids) != 1:
        abort(400, "Select exactly one instance to edit.")
    return edit_instance(ids[0])


def confirm_action(action: str):
    """Ask to confirm a delete or deactivate, naming the instances."""
    selected = _selected()
    return render_template("preheat/_confirm.html", action=action, instances=selected,
                           error=None)


def run_action(action: str):
    """Enable, deactivate or delete the selected instances."""
    selected = _selected()
    names = [instance.name for instance in selected]  # unreadable once deleted
    session = current_state().session
    try:
        if action == "delete":
            instances.delete(session, selected)
        else:
            instances.set_enabled(session, selected, action == "enable")
    except InUse as error:
        return render_template("preheat/_confirm.html", action=action, instances=selected,
                               error=error.message), 409
    if is_htmx():
        return done(INSTANCES_CHANGED, CLOSE_DIALOG, toast=toasts.applied(action, names))
    return redirect(url_for("preheat.distributions"), 303)


def _selected_ids() -> list[int]:
    ids = request.values.getlist("instance", type=int)
    if not ids:
        abort(400, "Select at least one instance first.")
    if len(ids) > MAX_SELECTION:
        abort(400, f"Select at most {MAX_SELECTION} instances at a time.")
    return list(dict.fromkeys(ids))


def _selected() -> list[Instance]:
    ids = _selected_ids()
    session = current_state().session
    found = session.scalars(select(Instance).where(Instance.id.in_(ids))
                            .order_by(Instance.name)).all()
    if len(found) != len(ids):
        abort(404, "One of the selected instances no longer exists; refresh the list.")
    return list(found)
