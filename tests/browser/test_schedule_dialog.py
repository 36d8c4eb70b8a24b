"""A scheduled policy made in Chromium: its run times as it is typed, wrong ones refused."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from preheat.models import Policy
from preheat.services import projects, registries
from tests.accounts import ADMIN
from tests.browser.test_preheat_flow import TAB, add_instance, dialog
from tests.browser_fixtures import log_in, open_tab
from tests.executions.conftest import app_config, box, dragonfly, images  # noqa: F401


def retype(field, value: str) -> None:
    field.fill("")
    field.press_sequentially(value)


def test_a_scheduled_policy_shows_its_next_runs_as_typed_and_refuses_wrong_ones(
        browser, live_server, session, box, images, dragonfly):
    images(["1.0"])
    registry = registries.create(session, box, {"name": "hub", "url": images.registry.url})
    projects.create(session, "library", registry)
    add_instance(session, box, dragonfly(), "df")
    with open_tab(browser, live_server, timezone_id="Asia/Tokyo") as page:
        log_in(page, *ADMIN)
        page.wait_for_url("**/distributions")
        page.goto(TAB)
        page.get_by_role("button", name="New policy").click()
        form = dialog(page)
        form.get_by_label("Name").fill("nightly")
        expect(form.get_by_label("Cron expression")).to_have_count(0)
        form.get_by_label("Trigger").select_option("Scheduled")
        cron = form.get_by_label("Cron expression")
        check = form.locator("#preheat-schedule-check")
        retype(cron, "0 0 2 * * *")
        expect(check).to_contain_text("Valid: At 02:00")
        rows = check.locator("tbody tr")
        expect(rows).to_have_count(3)
        expect(check.locator("thead")).to_contain_text("Your time (Asia/Tokyo)")
        for number in range(3):  # 02:00 UTC is 11:00 in Tokyo
            expect(rows.nth(number).locator("td").nth(0)).to_have_text(
                re.compile(r"11:00.*GMT\+9"))
            expect(rows.nth(number).locator("td").nth(1)).to_have_text(
                re.compile(r"\d{4}-\d\d-\d\d 02:00 UTC$"))

        retype(cron, "0 0 25 * * *")
        expect(check).to_contain_text("the hour field '25' is not one of 0-23")
        expect(check.locator("tbody tr")).to_have_count(0)

        retype(cron, "30 0 2 * * *")
        expect(check).to_contain_text("The seconds field (the first of six) must be 0")
        form.get_by_role("button", name="OK").click()
        expect(form.locator("#preheat-field-schedule-error")).to_contain_text(
            "must be 0, not '30'")
        assert session.query(Policy).count() == 0

        cron = form.get_by_label("Cron expression")
        retype(cron, "0 0 2 * * *")
        form.get_by_label("Time zone").fill("Europe/Berlin")
        expect(form.locator("#preheat-schedule-check")).to_contain_text(
            "Europe/Berlin time")
        form.get_by_role("button", name="OK").click()
        expect(dialog(page)).not_to_be_visible()
        row = page.locator("#preheat-policies tbody tr")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Scheduled 0 0 2 * * *")
        expect(row.locator(".preheat-next-run time")).to_have_text(re.compile(r"GMT\+9"))
    policy = session.query(Policy).one()
    assert (policy.trigger, policy.schedule, policy.timezone) == (
        "scheduled", "0 0 2 * * *", "Europe/Berlin")
