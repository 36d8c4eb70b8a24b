"""In the browser: a revoked token turns a row Unhealthy, restoring it and checking turns it Healthy."""
from playwright.sync_api import expect

from tests.helpers import add_instances


def test_revoked_token_shows_unhealthy_until_restored_and_checked(app, dragonfly, admin_page):
    add_instances(app, {"vendor": "dragonfly", "name": "df-prod", "endpoint": dragonfly.url,
                        "auth_mode": "OAUTH", "auth_info": {"token": "good-token"}})
    del dragonfly.state["tokens"]["good-token"]
    page = admin_page
    page.goto("/distributions")
    badge = page.locator("#preheat-status-1 summary")
    expect(badge).to_have_text("Unhealthy")
    badge.click()
    reason = page.locator("#preheat-status-1 .preheat-status-reason")
    expect(reason).to_contain_text("Token rejected")
    expect(page.locator("#preheat-status-1 .preheat-status-facts")).to_contain_text("HTTP 401")

    dragonfly.state["tokens"]["good-token"] = "active"
    page.locator("#preheat-status-1").get_by_role("button", name="Check now").click()
    expect(badge).to_have_text("Healthy")
    expect(reason).to_be_visible()  # the open popover stays open as the result arrives
    expect(reason).to_contain_text("accepted the personal access token")
    page.keyboard.press("Escape")
    expect(reason).to_be_hidden()


def test_dialog_names_supported_modes_and_warns_about_port_8002(admin_page):
    page = admin_page
    page.get_by_role("button", name="New instance").click()
    hints = page.locator("#preheat-provider-hints")
    expect(hints).to_contain_text("Dragonfly supports Auth Mode OAuth.")
    page.get_by_label("Endpoint").fill("http://dragonfly.example:8002")
    expect(hints).to_contain_text("usually listens on 8080")
    page.get_by_label("Auth Mode").select_option("BASIC")
    expect(hints).to_contain_text("accepts only personal access tokens")
    page.get_by_label("Provider").select_option("kraken")
    expect(hints).to_contain_text("Kraken ignores credentials")
