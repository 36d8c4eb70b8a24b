"""The dialog's notes on the chosen provider: supported auth modes, odd endpoints."""
from __future__ import annotations

from flask import render_template, request

from .presenters import provider_hints


def register(bp) -> None:
    bp.add_url_rule("/distributions/provider-hints", "provider_hints", show_provider_hints)


def show_provider_hints():
    """Render the notes for the provider, auth mode and endpoint in the query."""
    hints = provider_hints(request.args.get("vendor", ""), request.args.get("auth_mode", ""),
                           request.args.get("endpoint", "")[:1024])
    return render_template("preheat/_provider_hints.html", hints=hints)
