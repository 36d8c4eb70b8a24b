"""Push events in Chromium: the registry's webhook dialog, and an execution appearing by itself."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from preheat.services import registries
from tests.events.conftest import app_config, box, dragonfly, notified  # noqa: F401


def dialog(page):
    return page.locator("#preheat-dialog")


def test_the_webhook_dialog_shows_the_block_and_a_new_secret_once(admin_page, session, box):
    registries.create(session, box, {"name": "hub", "url": "http://registry.example"})
    page = admin_page
    page.goto("/registries")
    page.get_by_label("Select hub").check()
    page.get_by_role("button", name="Actions").click()
    page.get_by_role("menuitem", name="Webhook", exact=True).click()
    yaml = dialog(page).locator("#preheat-webhook-yaml")
    expect(yaml).to_contain_text("notifications:")
    expect(yaml).to_contain_text(re.compile(r"url: http://127\.0\.0\.1:\d+/api/v2\.0/registries/1"
                                            r"/events"))
    expect(dialog(page)).to_contain_text("No secret yet")

    dialog(page).get_by_role("button", name="Generate secret").click()
    expect(dialog(page)).to_contain_text("Generate a new webhook secret for hub?")
    dialog(page).get_by_role("button", name="Generate secret").click()
    shown = dialog(page).locator("#preheat-webhook-new-secret code")
    expect(shown).to_be_visible()
    secret = shown.inner_text()
    expect(yaml).to_contain_text(f'Authorization: ["Bearer {secret}"]')

    dialog(page).get_by_role("button", name="Close").click()
    page.get_by_role("button", name="Actions").click()
    page.get_by_role("menuitem", name="Webhook", exact=True).click()
    expect(dialog(page).locator("#preheat-webhook-hint")).to_contain_text(
        f"ending in {secret[-4:]}")
    expect(dialog(page)).not_to_contain_text(secret)


def test_a_push_makes_an_event_based_execution_appear_without_reloading(admin_page, notified,
                                                                        dragonfly):
    notified.policy(dragonfly(), tags="1.*")
    page = admin_page
    page.goto("/projects/library/preheat")
    expect(page.locator("#preheat-executions")).to_contain_text("No executions yet")
    page.evaluate("window.preheatNotReloaded = true")
    notified.push("1.0")
    row = page.locator("#preheat-executions tbody tr").first
    expect(row).to_contain_text("Event based", timeout=20_000)
    expect(row).to_contain_text("Success", timeout=20_000)
    expect(row).to_contain_text("1/1")
    assert page.evaluate("window.preheatNotReloaded") is True
    row.get_by_role("link").first.click()
    expect(page.locator("#preheat-pushes")).to_contain_text("library/app:1.0")
