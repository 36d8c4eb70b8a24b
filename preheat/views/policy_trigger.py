"""The policy dialog's trigger block: the schedule's fields, and the schedule checked as typed."""
from __future__ import annotations

from flask import render_template, request

from ..forms import PolicyForm
from ..models import utcnow
from ..policies.schedule import check_cron, check_zone
from ..services import projects
from ..state import current_state
from ..validation import FieldError
from .presenters import iso_utc

SHOWN_RUNS = 3


def register(bp) -> None:
    bp.add_url_rule("/projects/<name>/preheat/trigger-fields", "policy_trigger_fields",
                    trigger_fields)
    bp.add_url_rule("/projects/<name>/preheat/schedule-check", "policy_schedule_check",
                    schedule_check)


def trigger_fields(name: str):
    """The chosen trigger's own fields, for the dialog to swap in when the trigger changes."""
    project = projects.get_by_name(current_state().session, name)
    form = PolicyForm(request.args)
    return render_template("preheat/_policy_trigger.html", form=form, project=project)


def schedule_check(name: str):
    """Whether the typed schedule is valid, what it means, and its next run times."""
    projects.get_by_name(current_state().session, name)
    return render_template("preheat/_schedule_check.html", **checked(
        request.args.get("schedule"), request.args.get("timezone")))


def checked(schedule, zone) -> dict:
    """The check's outcome as the template shows it: a problem, or words and run times."""
    if not str(schedule or "").strip():
        return {"problem": None, "empty": True}
    try:
        cron = check_cron(schedule)
        zone = check_zone(zone)
    except FieldError as error:
        return {"problem": error.message, "field": error.field}
    runs = cron.after(utcnow(), zone, SHOWN_RUNS)
    return {"problem": None, "words": cron.words(), "zone": zone,
            "runs": [(iso_utc(run), run.strftime("%a %Y-%m-%d %H:%M UTC")) for run in runs]}
