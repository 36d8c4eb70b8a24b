"""Every Distributions flow, in Chromium, inside Ops Portal at /admin/p2p."""
import re

import pytest
from playwright.sync_api import expect

from tests.helpers import create

from .conftest import OPS, PREFIX, PortalClient, sign_in


def add_instances(app, *specs):
    """Store instances the way the dialog does: (name, endpoint) pairs."""
    admin = PortalClient(app).login(*OPS)
    for name, endpoint in specs:
        create(admin, prefix=PREFIX, name=name, endpoint=endpoint)


def row(page, name):
    return page.locator("#preheat-instances tr.preheat-row", has_text=name)


def choose(page, name, action):
    """Tick the instance's row and pick `action` from the Actions menu."""
    row(page, name).get_by_role("checkbox").check()
    page.get_by_role("button", name="Actions").click()
    page.locator("#preheat-actions-menu").get_by_role("menuitem", name=action).click()


def create_with_test_connection(page, name, endpoint):
    page.get_by_role("button", name="New instance").click()
    dialog = page.locator("#preheat-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Name", exact=True).fill(name)
    dialog.get_by_label("Endpoint").fill(endpoint)
    dialog.get_by_role("button", name="Test connection").click()
    expect(dialog.locator("#preheat-test-result")).to_contain_text("Connection OK.")
    dialog.get_by_role("button", name="OK").click()
    expect(dialog).to_be_hidden()
    expect(row(page, name)).to_contain_text(endpoint)


def edit_description(page, name, text):
    choose(page, name, "Edit")
    dialog = page.locator("#preheat-dialog")
    expect(dialog.get_by_label("Name", exact=True)).to_have_value(name)
    dialog.get_by_label("Description").fill(text)
    dialog.get_by_role("button", name="OK").click()
    expect(dialog).to_be_hidden()
    expect(row(page, name)).to_contain_text(text)


def delete_after_confirming(page, name):
    choose(page, name, "Delete")
    dialog = page.locator("#preheat-dialog")
    expect(dialog).to_contain_text(f"Do you want to delete instance {name}?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(row(page, name)).to_be_visible()
    choose(page, name, "Delete")
    dialog.get_by_role("button", name="Delete").click()
    expect(row(page, name)).to_have_count(0)


def test_new_instance_after_a_successful_test_connection(admin_page, dragonfly):
    create_with_test_connection(admin_page, "df-prod", dragonfly.url)
    assert dragonfly.requests[0][:2] == ("GET", "/healthy")


def test_edit_an_instance(admin_page, app, dragonfly):
    add_instances(app, ("df-prod", dragonfly.url))
    admin_page.reload()
    edit_description(admin_page, "df-prod", "Main manager")


def test_deactivate_after_confirming_then_enable(admin_page, app, dragonfly):
    add_instances(app, ("df-prod", dragonfly.url))
    admin_page.reload()
    choose(admin_page, "df-prod", "Deactivate")
    dialog = admin_page.locator("#preheat-dialog")
    expect(dialog).to_contain_text("Do you want to deactivate instance df-prod?")
    dialog.get_by_role("button", name="Deactivate").click()
    expect(row(admin_page, "df-prod").locator("td").nth(5)).to_have_text("No")
    choose(admin_page, "df-prod", "Enable")
    expect(row(admin_page, "df-prod").locator("td").nth(5)).to_have_text("Yes")


def test_delete_only_after_confirming(admin_page, app, dragonfly):
    add_instances(app, ("df-prod", dragonfly.url))
    admin_page.reload()
    delete_after_confirming(admin_page, "df-prod")
    expect(admin_page.locator("#preheat-instances")).to_contain_text("No provider instances yet")


def test_filter_by_name(admin_page, app, dragonfly, kraken):
    add_instances(app, ("df-prod", dragonfly.url), ("kraken-edge", kraken.url))
    admin_page.reload()
    admin_page.get_by_label("Filter instances").fill("KRAK")
    expect(admin_page.locator("#preheat-instances tr.preheat-row")).to_have_count(1)
    expect(row(admin_page, "kraken-edge")).to_be_visible()


def test_anonymous_visitor_signs_in_on_the_portals_page_and_lands_on_preheat(page):
    page.goto(f"{PREFIX}/distributions")
    expect(page).to_have_url(re.compile(r"/account/sign-in\?next="))
    expect(page.get_by_role("heading", name="Sign in to Ops Portal")).to_be_visible()
    sign_in(page, *OPS)
    expect(page).to_have_url(re.compile(f"{PREFIX}/distributions$"))
    expect(page.get_by_role("heading", name="Distributions")).to_be_visible()


def test_portal_navigation_leads_to_preheat_and_back(admin_page):
    admin_page.get_by_role("link", name="Bulletins").click()
    expect(admin_page.get_by_role("heading", name="Bulletins")).to_be_visible()
    admin_page.get_by_role("link", name="P2P distribution").click()
    expect(admin_page.get_by_role("heading", name="Distributions")).to_be_visible()
    expect(admin_page).to_have_title("Distributions · Ops Portal")


@pytest.mark.parametrize("host_csrf", [True])
def test_portal_and_preheat_styles_stay_apart(admin_page, app, dragonfly):
    add_instances(app, ("df-prod", dragonfly.url))
    admin_page.reload()

    def style(selector, prop):
        return admin_page.locator(selector).first.evaluate(f"e => getComputedStyle(e).{prop}")

    # portal.css: h1 purple, label uppercase, table cells with 2px borders.
    assert style("#preheat-root h1", "color") != "rgb(107, 45, 92)"
    assert style("#preheat-paging label", "textTransform") == "none"
    assert style("#preheat-instances td", "borderLeftWidth") == "0px"
    assert style("#navbar", "backgroundColor") == "rgb(43, 33, 24)"
    assert style("#navbar button", "borderRadius") == "14px"


@pytest.mark.parametrize("portal_overrides", [{"LOADS_HTMX": True}])
@pytest.mark.parametrize("host_csrf", [True])
def test_every_flow_works_with_the_portals_own_htmx_and_its_defaults(admin_page, dragonfly):
    loaded = admin_page.evaluate("Array.from(document.scripts, s => s.src)")
    assert [src for src in loaded if "htmx" in src] == [admin_page.url.split(PREFIX)[0]
                                                       + "/vendor/htmx.min.js"]
    assert admin_page.evaluate("htmx.config.defaultSwapStyle") == "outerHTML"
    create_with_test_connection(admin_page, "df-prod", dragonfly.url)
    edit_description(admin_page, "df-prod", "Main manager")
    search = admin_page.get_by_label("Filter instances")
    search.fill("kraken")
    expect(admin_page.locator("#preheat-instances")).to_contain_text("No instance name contains")
    search.fill("")
    expect(row(admin_page, "df-prod")).to_be_visible()
    delete_after_confirming(admin_page, "df-prod")
