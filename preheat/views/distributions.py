"""The Distributions page: the instance table, its status badges and refresh."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, render_template, request

from ..htmx import page_or_partial
from ..services import audit, health, instances
from ..services.pages import PAGE_SIZES, instance_page

MAX_STATUS_POLLS = 30


def register(bp) -> None:
    bp.add_url_rule("/", "index", list_instances)
    bp.add_url_rule("/distributions", "distributions", list_instances)
    bp.add_url_rule("/distributions/refresh", "refresh", refresh, methods=["POST"])
    bp.add_url_rule("/distributions/<int:instance_id>/status", "status", status)
    bp.add_url_rule("/distributions/<int:instance_id>/check", "check", check_now,
                    methods=["POST"])


def list_instances():
    """Show the instance table; stale health is refreshed in the background."""
    audit.prune(_state().db.session)
    page = _current_page()
    stale = [i.id for i in page.items if health.is_stale(i, _ttl())]
    _state().health.submit(stale)
    return _table(page, pending=set(stale))


def refresh():
    """Re-check every enabled instance on the page, then show the table."""
    page = _current_page()
    checked = [i.id for i in page.items if i.enabled]
    _state().health.submit(checked)
    return _table(page, pending=set(checked))


def status(instance_id: int):
    """One status badge; while a check runs, the badge asks again shortly."""
    instance = instances.get(_state().db.session, instance_id)
    polls = request.args.get("poll", 0, type=int) + 1
    pending = _state().health.is_running(instance_id)
    if not pending and health.is_stale(instance, _ttl()) and polls < MAX_STATUS_POLLS:
        _state().health.submit([instance_id])
        pending = True
    return render_template("preheat/_status.html", instance=instance, pending=pending,
                           polls=polls, now=datetime.now(timezone.utc))


def check_now(instance_id: int):
    """Start a check of one instance now and show its pending badge."""
    instance = instances.get(_state().db.session, instance_id)
    if instance.enabled:
        _state().health.submit([instance_id])
    return render_template("preheat/_status.html", instance=instance,
                           pending=instance.enabled, polls=0,
                           now=datetime.now(timezone.utc))


def _current_page():
    size = request.values.get("page_size", type=int)
    if size not in PAGE_SIZES:
        size = current_app.config["PREHEAT_PAGE_SIZE"]
    return instance_page(_state().db.session, request.values.get("q", "").strip()[:128],
                         request.values.get("page", 1, type=int), size)


def _table(page, pending):
    query = request.values.get("q", "").strip()[:128]
    return page_or_partial("preheat/distributions.html", "preheat/_instances.html",
                           page=page, q=query, pending=pending, page_sizes=PAGE_SIZES,
                           now=datetime.now(timezone.utc))


def _ttl() -> float:
    return float(current_app.config["PREHEAT_HEALTH_TTL"])


def _state():
    return current_app.extensions["preheat"]
