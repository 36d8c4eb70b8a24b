"""The Actions menu: Edit, Enable, Deactivate and Delete on selected rows."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..state import current_state
from ..htmx import CLOSE_DIALOG, INSTANCES_CHANGED, done, is_htmx
from ..models import Instance
from ..services import instances
from ..services.errors import InUse
from . import toasts
from .instance_form import edit_instance

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
    return _confirmation(action, _selected())


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
        # Someone put one to use since the confirmation: ask again, as things are now.
        session.expire_all()
        return _confirmation(action, _selected(), error=error.message), 409
    if is_htmx():
        return done(INSTANCES_CHANGED, CLOSE_DIALOG, toast=toasts.applied(action, names))
    return redirect(url_for("preheat.distributions"), 303)


def _confirmation(action: str, selected: list[Instance], error: str | None = None):
    """The confirmation; a delete offers only the instances no policy uses."""
    uses = {i.id: instances.used_by(i.name, [p.name for p in i.policies])
            for i in selected if i.policies}
    blocked = [i for i in selected if i.id in uses] if action == "delete" else []
    return render_template("preheat/_confirm.html", action=action, uses=uses, blocked=blocked,
                           instances=[i for i in selected if i not in blocked], error=error,
                           blocking_policies=sum(len(i.policies) for i in blocked))


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
                            .options(selectinload(Instance.policies))
                            .order_by(Instance.name_key, Instance.id)).all()
    if len(found) != len(ids):
        abort(404, "One of the selected instances no longer exists; refresh the list.")
    return list(found)
