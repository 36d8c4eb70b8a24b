"""The Registries page (Administration > Registries): the table and its Actions."""
from __future__ import annotations

from flask import url_for

from ..services.registry_pages import REGISTRIES
from ..state import current_state
from . import actions, listing, registry_form, registry_webhook, status
from .kinds import REGISTRY
from .registry_table import REGISTRY_COLUMNS, registry_rows

TABLE = listing.Table("preheat.registries", REGISTRIES, REGISTRY_COLUMNS,
                      "preheat/registries.html", "preheat/_registries.html", "Registries")


def register(bp) -> None:
    bp.add_url_rule("/registries", "registries", list_registries)
    bp.add_url_rule("/registries/refresh", "refresh_registries", refresh, methods=["POST"])
    bp.add_url_rule("/registries/actions/edit", "edit_selected_registry", edit_selected)
    bp.add_url_rule("/registries/actions/delete/confirm", "confirm_registry_delete",
                    confirm_delete)
    bp.add_url_rule("/registries/actions/delete", "delete_registries", delete, methods=["POST"])
    registry_form.register(bp)
    registry_webhook.register(bp)


def list_registries():
    """Show the registry table at once; stale health is re-checked in the background."""
    page = listing.current_page(TABLE)
    return _table(page, *status.check_page(status.REGISTRY, page.items))


def refresh():
    """Re-check every registry on the page; rows update as results arrive."""
    page = listing.current_page(TABLE)
    return _table(page, *status.check_page(status.REGISTRY, page.items, everything=True))


def _table(page, submitted, now):
    pending = status.pending_ids(page.items, submitted, now, status.REGISTRY)
    rows = registry_rows(page.items, current_state().secret_box, pending, now)
    return listing.render(TABLE, page, rows, poll=status.Poll.start(pending, now),
                          kind=status.REGISTRY)


def edit_selected():
    """Open the Edit dialog for the one selected registry."""
    return registry_form.edit_registry(actions.one_selected_id(REGISTRY))


def confirm_delete():
    """Ask to confirm deleting the selected registries, naming the projects that keep some."""
    return actions.confirmation(REGISTRY, "delete", actions.selected(REGISTRY),
                                url_for("preheat.delete_registries"))


def delete():
    """Delete the selected registries; refused, naming them, while projects use one."""
    return actions.run_delete(REGISTRY, url_for("preheat.delete_registries"))
