"""The policy dialog's trigger: a schedule checked as typed, saved, and shown in the grid."""
import html as entities
import re
from datetime import datetime

from preheat.models import Policy
from tests.executions.test_policy_pages import TAB, new_policy, setup, text  # noqa: F401

CHECK = f"{TAB}/schedule-check"


def plain(response, status: int = 200) -> str:
    return entities.unescape(text(response, status))


def test_a_typed_schedule_reads_in_words_with_its_next_three_run_times(admin, setup):
    setup()
    page = plain(admin.get(CHECK, query_string={"schedule": "0 0 2 * * *", "timezone": ""},
                           htmx=True))
    assert "Valid" in page and "At 02:00" in page
    times = re.findall(r'<time datetime="([^"]+)" data-preheat-local>', page)
    assert len(times) == 3
    moments = [datetime.fromisoformat(moment.replace("Z", "+00:00")) for moment in times]
    assert all((m.hour, m.minute) == (2, 0) for m in moments)
    assert [(b - a).days for a, b in zip(moments, moments[1:])] == [1, 1]
    assert page.count(" 02:00 UTC</td>") == 3


def test_a_schedule_in_a_time_zone_runs_at_that_zones_hour(admin, setup):
    setup()
    page = plain(admin.get(CHECK, query_string={"schedule": "0 9 * * 1-5",
                                                "timezone": "Asia/Tokyo"}, htmx=True))
    assert "Asia/Tokyo time" in page and "Monday through Friday" in page
    assert page.count(" 00:00 UTC</td>") == 3  # 09:00 in Tokyo is midnight UTC


def test_a_wrong_schedule_or_zone_is_refused_with_its_reason(admin, setup):
    setup()
    for schedule, zone, reason in [
            ("0 61 * * *", "UTC", "the hour field '61' is not one of 0-23"),
            ("30 0 2 * * *", "UTC", "seconds field (the first of six) must be 0, not '30'"),
            ("0 2 * *", "UTC", "5 or 6 fields, not 4"),
            ("0 2 * * *", "Moon/Base", "Unknown time zone 'Moon/Base'")]:
        page = plain(admin.get(CHECK, query_string={"schedule": schedule, "timezone": zone},
                               htmx=True))
        assert reason in page and "Valid" not in page, (schedule, page)


def test_choosing_scheduled_swaps_in_the_schedules_fields_and_manual_takes_them_away(
        admin, setup):
    setup()
    fields = f"{TAB}/trigger-fields"
    page = text(admin.get(fields, query_string={"trigger": "scheduled"}, htmx=True))
    assert 'id="preheat-field-schedule"' in page and 'list="preheat-timezones"' in page
    page = text(admin.get(fields, query_string={"trigger": "manual"}, htmx=True))
    assert "preheat-field-schedule" not in page and "Execute" in page
    dialog = text(admin.get(f"{TAB}/new", htmx=True))
    assert '<option value="Europe/Berlin">' in dialog
    assert '<option value="event_based">Event based</option>' in dialog


def test_saving_a_scheduled_policy_shows_its_next_run_in_the_grid(admin, setup, session):
    _, instance, _ = setup()
    response = new_policy(admin, instance.id, trigger="scheduled", schedule="0 0 2 * * *",
                          timezone="Europe/Berlin")
    assert response.status_code == 204, response.get_data(as_text=True)
    policy = session.query(Policy).one()
    assert (policy.trigger, policy.schedule, policy.timezone) == (
        "scheduled", "0 0 2 * * *", "Europe/Berlin")
    page = text(admin.get(TAB))
    assert "Scheduled <code>0 0 2 * * *</code>" in page and "Next run" in page
    stamp = policy.next_run_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f'<time datetime="{stamp}"' in page


def test_saving_six_fields_with_seconds_is_refused_saying_so(admin, setup, session):
    _, instance, _ = setup()
    page = plain(new_policy(admin, instance.id, trigger="scheduled", schedule="15 0 2 * * *",
                            timezone="UTC"), 422)
    assert "The seconds field (the first of six) must be 0, not '15'" in page
    assert 'id="preheat-field-schedule-error"' in page
    assert session.query(Policy).count() == 0


def test_an_unknown_zone_is_refused_on_the_time_zone_field(admin, setup, session):
    _, instance, _ = setup()
    page = plain(new_policy(admin, instance.id, trigger="scheduled", schedule="0 2 * * *",
                            timezone="Europe/Atlantis"), 422)
    assert 'id="preheat-field-timezone-error"' in page and "Unknown time zone" in page


def test_an_event_based_policy_is_saved_with_its_trigger(admin, setup, session):
    _, instance, _ = setup()
    assert new_policy(admin, instance.id, trigger="event_based").status_code == 204
    policy = session.query(Policy).one()
    assert (policy.trigger, policy.next_run_at) == ("event_based", None)
    assert ">Event based<" in text(admin.get(TAB))


def test_the_edit_dialog_shows_the_stored_schedule_and_saving_manual_clears_it(admin, setup,
                                                                               session):
    _, instance, _ = setup()
    new_policy(admin, instance.id, trigger="scheduled", schedule="*/30 * * * *",
               timezone="Asia/Tokyo")
    policy = session.query(Policy).one()
    dialog = text(admin.get(f"{TAB}/{policy.id}/edit", htmx=True))
    assert 'value="*/30 * * * *"' in dialog and 'value="Asia/Tokyo"' in dialog
    assert '<option selected value="scheduled">Scheduled</option>' in dialog
    response = admin.post(f"{TAB}/{policy.id}/edit", htmx=True, data={
        "instance_id": str(instance.id), "name": "warm", "repositories": "**", "tags": "**",
        "trigger": "manual", "enabled": "y"})
    assert response.status_code == 204, response.get_data(as_text=True)
    session.expire_all()
    assert (policy.trigger, policy.schedule, policy.next_run_at) == ("manual", None, None)
