"""A policy's trigger through the API, in Harbor's shapes: manual, scheduled, event based."""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.api.conftest import error_of
from tests.api.test_policies import POLICIES, new_policy, provider_ids  # noqa: F401


def trigger_of(api, name="warm") -> dict:
    return json.loads(api.get(f"{POLICIES}/{name}").get_json()["trigger"])


def test_a_scheduled_trigger_is_stored_and_shown_with_its_next_run_time(api, provider_ids):
    new_policy(api, provider_ids[0], trigger=json.dumps(
        {"type": "scheduled", "trigger_setting": {"cron": "0 0 2 * * *"}}))
    trigger = trigger_of(api)
    assert trigger["type"] == "scheduled"
    setting = trigger["trigger_setting"]
    assert (setting["cron"], setting["timezone"]) == ("0 0 2 * * *", "UTC")
    next_time = datetime.fromisoformat(setting["next_scheduled_time"])
    assert (next_time.hour, next_time.minute, next_time.utcoffset().total_seconds()) == (2, 0, 0)


def test_a_schedules_time_zone_moves_its_next_run_time(api, provider_ids):
    new_policy(api, provider_ids[0])
    response = api.put(f"{POLICIES}/warm", {"trigger": json.dumps(
        {"type": "scheduled", "trigger_setting": {"cron": "30 6 * * *",
                                                  "timezone": "America/New_York"}})})
    assert response.status_code == 200, response.get_json()
    setting = json.loads(response.get_json()["trigger"])["trigger_setting"]
    local = datetime.fromisoformat(setting["next_scheduled_time"]).astimezone(
        ZoneInfo("America/New_York"))
    assert (local.hour, local.minute, setting["timezone"]) == (6, 30, "America/New_York")


def test_event_based_and_back_to_manual(api, provider_ids):
    new_policy(api, provider_ids[0], trigger='{"type": "scheduled", "trigger_setting":'
                                             ' {"cron": "*/5 * * * *"}}')
    response = api.put(f"{POLICIES}/warm", {"trigger": '{"type": "event_based"}'})
    assert response.status_code == 200
    assert trigger_of(api) == {"type": "event_based", "trigger_setting": {}}
    api.put(f"{POLICIES}/warm", {"trigger": '{"type": "manual", "trigger_setting": {}}'})
    assert trigger_of(api) == {"type": "manual", "trigger_setting": {}}


def test_a_bad_cron_is_a_400_naming_trigger_with_the_reason(api, provider_ids):
    for cron, reason in [("15 0 2 * * *", "seconds field"), ("0 2 * *", "5 or 6 fields"),
                         ("0 2 31 2 *", "never matches a date")]:
        response = api.post(POLICIES, {"name": "warm", "provider_id": provider_ids[0],
                                       "trigger": json.dumps({"type": "scheduled",
                                                              "trigger_setting":
                                                                  {"cron": cron}})})
        assert response.status_code == 400
        error = error_of(response)
        assert error["field"] == "trigger" and reason in error["message"], error
