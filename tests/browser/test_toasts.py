"""After every change a short success message appears, announced, and goes away."""
from playwright.sync_api import expect

from tests.helpers import add_instances


def toasts(page):
    return page.locator("#preheat-toasts")


def pick(page, name, action):
    """Tick the instance's row and choose `action` from the Actions menu."""
    page.locator("#preheat-instances tr", has_text=name).get_by_role("checkbox").check()
    page.get_by_role("button", name="Actions").click()
    page.locator("#preheat-actions-menu").get_by_text(action, exact=True).click()


def test_the_page_announces_each_change_then_the_message_goes(admin_page):
    page = admin_page
    region = toasts(page)
    expect(region).to_have_attribute("role", "status")
    expect(region).to_have_attribute("aria-live", "polite")
    page.evaluate("document.getElementById('preheat-toasts').dataset.preheatToastMs = '700'")

    page.get_by_role("button", name="New instance").click()
    dialog = page.locator("#preheat-dialog")
    dialog.get_by_label("Name", exact=True).fill("df-prod")
    dialog.get_by_label("Endpoint").fill("http://df.example:8080")
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_role("status").filter(has_text="Instance df-prod created.")).to_be_visible()
    expect(region).to_be_empty()

    pick(page, "df-prod", "Edit")
    dialog.get_by_label("Name", exact=True).fill("df-main")
    dialog.get_by_role("button", name="OK").click()
    expect(region).to_have_text("Instance df-main updated.")
    expect(region).to_be_empty()


def test_actions_on_several_instances_say_how_many(admin_page, app):
    add_instances(app, *({"vendor": "kraken", "name": name, "endpoint": f"http://{name}.example",
                          "auth_mode": "NONE", "enabled": True} for name in ("k-1", "k-2")))
    page = admin_page
    page.reload()
    pick(page, "k-1", "Deactivate")
    page.locator("#preheat-dialog").get_by_role("button", name="Deactivate").click()
    expect(toasts(page)).to_contain_text("Instance k-1 deactivated.")
    expect(page.locator("#preheat-instances tr", has_text="k-1")).to_contain_text("Deactivated")
    pick(page, "k-1", "Enable")
    expect(toasts(page)).to_contain_text("Instance k-1 enabled.")
    page.locator("#preheat-instances").get_by_role("checkbox", name="Select all").check()
    page.get_by_role("button", name="Actions").click()
    page.locator("#preheat-actions-menu").get_by_text("Delete", exact=True).click()
    page.locator("#preheat-dialog").get_by_role("button", name="Delete").click()
    expect(toasts(page)).to_contain_text("2 instances deleted: k-1, k-2.")
    expect(page.locator("#preheat-instances")).to_contain_text("No provider instances yet")
