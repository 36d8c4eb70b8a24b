"""A registry's webhook: where it sends its notifications, the block to paste, a new secret."""
from __future__ import annotations

from flask import render_template, url_for

from ..htmx import page_or_partial
from ..services import registries, webhooks
from ..state import current_state
from . import actions
from .kinds import REGISTRY


def register(bp) -> None:
    bp.add_url_rule("/registries/<int:registry_id>/webhook", "registry_webhook", show)
    bp.add_url_rule("/registries/actions/webhook", "webhook_of_selected_registry",
                    show_selected)
    bp.add_url_rule("/registries/<int:registry_id>/webhook/confirm",
                    "confirm_webhook_secret", confirm)
    bp.add_url_rule("/registries/<int:registry_id>/webhook/secret", "generate_webhook_secret",
                    generate, methods=["POST"])


def show(registry_id: int):
    """Show the webhook's URL and the notifications block, the secret only as its last four."""
    return _panel(registries.get(current_state().session, registry_id), None)


def show_selected():
    """Open the webhook of the one selected registry."""
    return show(actions.one_selected_id(REGISTRY))


def confirm(registry_id: int):
    """Ask before generating a new secret: the registry's current one stops working."""
    registry = registries.get(current_state().session, registry_id)
    return render_template("preheat/_webhook_confirm.html", registry=registry)


def generate(registry_id: int):
    """Generate a new webhook secret (audited) and show it, this once."""
    state = current_state()
    registry = registries.get(state.session, registry_id)
    return _panel(registry, webhooks.generate(state.session, state.secret_box, registry))


def _panel(registry, secret: str | None):
    url = url_for("preheat_api.registry_events", id=registry.id, _external=True)
    response = page_or_partial(
        "preheat/registry_webhook.html", "preheat/_registry_webhook.html", registry=registry,
        url=url, secret=secret, yaml=webhooks.notifications_yaml(url, secret),
        header=webhooks.HEADER)
    response.headers["Cache-Control"] = "no-store"  # it may hold the secret, shown once
    return response
