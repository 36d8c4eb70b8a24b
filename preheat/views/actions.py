"""The Actions menu: Edit, Enable, Deactivate and Delete on selected rows, for each table."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..htmx import CLOSE_DIALOG, done, is_htmx
from ..services import instances
from ..services.errors import Conflict, InUse
from ..state import current_state
from . import toasts
from .instance_form import edit_instance
from .kinds import INSTANCE, Kind

MAX_SELECTION = 100


def register(bp) -> None:
    bp.add_url_rule("/distributions/actions/edit", "edit_selected", edit_selected)
    bp.add_url_rule("/distributions/actions/<any(delete, deactivate):action>/confirm",
                    "confirm_action", confirm_action)
    bp.add_url_rule("/distributions/actions/<any(enable, deactivate, delete):action>",
                    "run_action", run_action, methods=["POST"])
    bp.add_url_rule("/distributions/actions/default", "set_default", set_default,
                    methods=["POST"])


def edit_selected():
    """Open the Edit dialog for the one selected instance."""
    return edit_instance(one_selected_id(INSTANCE))


def confirm_action(action: str):
    """Ask to confirm a delete or deactivate, naming the instances."""
    return confirmation(INSTANCE, action, selected(INSTANCE),
                        url_for("preheat.run_action", action=action))


def run_action(action: str):
    """Enable, deactivate or delete the selected instances."""
    if action == "delete":
        return run_delete(INSTANCE, url_for("preheat.run_action", action=action))
    chosen = selected(INSTANCE)
    instances.set_enabled(current_state().session, chosen, action == "enable")
    return finished(INSTANCE, action, [instance.name for instance in chosen])


def set_default():
    """Make the one selected, enabled instance the default; the old default stops being it."""
    instance = selected(INSTANCE)[0] if len(selected_ids(INSTANCE)) == 1 else None
    if instance is None:
        abort(400, "Select exactly one instance to make it the default.")
    if not instance.enabled:
        abort(400, f"Instance {instance.name} is deactivated: enable it before making it the"
                   " default.")
    state = current_state()
    try:
        instances.update(state.session, state.secret_box, instance, {"default": True})
    except Conflict as error:
        abort(409, error.message)
    if is_htmx():
        return done(INSTANCE.changed, toast=f"Instance {instance.name} is now the default.")
    return redirect(url_for(INSTANCE.list_endpoint), 303)


def run_delete(kind: Kind, run_url: str, back: str | None = None, chosen: list | None = None):
    """Delete the selected rows, or ask again, as things are now, when one is in use.

    `back` is where a request without htmx goes afterwards (the table's page).
    """
    again = chosen is None
    chosen = selected(kind) if again else chosen
    names = [row.name for row in chosen]  # unreadable once deleted
    session = current_state().session
    try:
        kind.delete(session, chosen)
    except InUse as error:
        # Someone put one to use since the confirmation.
        session.expire_all()
        return confirmation(kind, "delete", selected(kind) if again else chosen, run_url,
                            error=error.message), 409
    return finished(kind, "delete", names, back)


def finished(kind: Kind, action: str, names: list[str], back: str | None = None):
    """Tell the page it is done: refresh the table, close the dialog, say what was done."""
    if is_htmx():
        return done(kind.changed, CLOSE_DIALOG, toast=toasts.applied(action, names, kind))
    return redirect(back or url_for(kind.list_endpoint), 303)


def confirmation(kind: Kind, action: str, chosen: list, run_url: str,
                 error: str | None = None):
    """The confirmation; a delete offers only the rows nothing else uses."""
    blocking = {row.id: kind.blockers(row) for row in chosen}
    uses = {row.id: kind.used_by(row.name, blocking[row.id]) for row in chosen
            if blocking[row.id]}
    blocked = [row for row in chosen if row.id in uses] if action == "delete" else []
    return render_template("preheat/_confirm.html", kind=kind, action=action, uses=uses,
                           blocked=blocked, items=[row for row in chosen if row not in blocked],
                           error=error, run_url=run_url,
                           blocking_count=sum(len(blocking[row.id]) for row in blocked))


def selected_ids(kind: Kind) -> list[int]:
    """The ids of the rows the request names, once each; 400 for none or too many."""
    ids = request.values.getlist(kind.param, type=int)
    if not ids:
        abort(400, f"Select at least one {kind.one} first.")
    if len(ids) > MAX_SELECTION:
        abort(400, f"Select at most {MAX_SELECTION} {kind.many} at a time.")
    return list(dict.fromkeys(ids))


def one_selected_id(kind: Kind) -> int:
    """The one selected row's id, for Edit; 400 otherwise."""
    ids = selected_ids(kind)
    if len(ids) != 1:
        abort(400, f"Select exactly one {kind.one} to edit.")
    return ids[0]


def selected(kind: Kind) -> list:
    """The selected rows, in name order; 404 when one was deleted meanwhile."""
    ids = selected_ids(kind)
    model = kind.model
    found = current_state().session.scalars(
        select(model).where(model.id.in_(ids))
        .options(*(selectinload(load) for load in kind.loads)).order_by(*kind.order)).all()
    if len(found) != len(ids):
        abort(404, f"One of the selected {kind.many} no longer exists; refresh the list.")
    return list(found)
