"""The nine steps of the seed, in Chromium against the running app."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from preheat.models import Instance, Policy
from tests.accounts import ADMIN, USER
from tests.browser_fixtures import log_in
from tests.helpers import project_id, stored


def dialog(page):
    return page.locator("#preheat-dialog")


def open_new_instance(page):
    page.get_by_role("button", name="New instance").click()
    expect(dialog(page)).to_be_visible()
    return dialog(page)


def fill_instance(box, name, endpoint, mode="NONE", **secrets):
    box.get_by_label("Name", exact=True).fill(name)
    box.get_by_label("Endpoint").fill(endpoint)
    box.get_by_label("Auth Mode").select_option(mode)
    # The hints below the auth mode are re-rendered at once; the OK button
    # is clicked after they settle, not while the dialog grows under it.
    expect(box.locator("#preheat-provider-hints")).not_to_have_class(re.compile("htmx-request"))
    for label, value in secrets.items():
        box.get_by_label(label.capitalize(), exact=True).fill(value)


def add_instance(page, name, endpoint, **fields):
    box = open_new_instance(page)
    fill_instance(box, name, endpoint, **fields)
    box.get_by_role("button", name="OK").click()
    expect(dialog(page)).to_be_hidden()
    expect(row(page, name)).to_be_visible()


def row(page, name):
    return page.locator("#preheat-instances tr", has=page.get_by_text(name, exact=True))


def choose(page, *names):
    for name in names:
        row(page, name).get_by_role("checkbox").check()
    page.get_by_role("button", name="Actions").click()


def test_log_in_and_open_distributions_under_administration(page):
    log_in(page, *ADMIN)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_text("Administration")).to_be_visible()
    nav.get_by_role("link", name="Distributions").click()
    expect(page.get_by_role("heading", name="Distributions")).to_be_visible()
    expect(page.get_by_role("button", name="New instance")).to_be_visible()


def test_dialog_fields_follow_the_auth_mode_without_reload(admin_page):
    page = admin_page
    page.evaluate("window.preheatMarker = 1")
    box = open_new_instance(page)
    expect(box.get_by_label("Provider")).to_have_value("dragonfly")
    expect(box.get_by_label("Enable", exact=True)).to_be_checked()
    expect(box.get_by_label("Skip certificate verification")).not_to_be_checked()
    for hidden in ("Username", "Password", "Token"):
        expect(box.get_by_label(hidden, exact=True)).to_be_hidden()
    box.get_by_label("Auth Mode").select_option("BASIC")
    expect(box.get_by_label("Username")).to_be_visible()
    expect(box.get_by_label("Password")).to_be_visible()
    expect(box.get_by_label("Token")).to_be_hidden()
    box.get_by_label("Auth Mode").select_option("OAUTH")
    expect(box.get_by_label("Token")).to_be_visible()
    expect(box.get_by_label("Username")).to_be_hidden()
    box.get_by_label("Auth Mode").select_option("NONE")
    expect(box.get_by_label("Token")).to_be_hidden()
    assert page.evaluate("window.preheatMarker") == 1, "the page was reloaded"


def test_test_connection_reports_success_and_failure_inside_the_dialog(admin_page, dragonfly,
                                                                       session):
    page = admin_page
    box = open_new_instance(page)
    fill_instance(box, "df-test", dragonfly.url)
    box.get_by_role("button", name="Test connection").click()
    expect(box.get_by_role("status")).to_contain_text("Connection OK")
    box.get_by_label("Endpoint").fill("http://127.0.0.1:9")
    box.get_by_role("button", name="Test connection").click()
    expect(box.get_by_role("status")).to_contain_text("Connection refused")
    assert session.scalar(select(Instance)) is None, "Test connection saved something"


def test_ok_saves_closes_and_shows_the_row_and_cancel_saves_nothing(admin_page, dragonfly,
                                                                    session):
    page = admin_page
    add_instance(page, "df-prod", dragonfly.url, mode="OAUTH", token="good-token")
    expect(row(page, "df-prod")).to_contain_text("Dragonfly")
    expect(row(page, "df-prod")).to_contain_text("OAuth")

    box = open_new_instance(page)
    fill_instance(box, "never-saved", "http://never.example")
    box.get_by_role("button", name="Cancel").click()
    expect(dialog(page)).to_be_hidden()
    page.get_by_role("button", name="Refresh").click()
    expect(row(page, "df-prod")).to_be_visible()
    expect(page.get_by_text("never-saved")).to_have_count(0)
    assert [i.name for i in session.scalars(select(Instance))] == ["df-prod"]


def test_invalid_input_keeps_the_dialog_open_with_the_message_at_the_field(admin_page):
    page = admin_page
    box = open_new_instance(page)
    fill_instance(box, "bad name", "ftp://somewhere")
    box.get_by_role("button", name="OK").click()
    expect(dialog(page)).to_be_visible()
    name = box.get_by_label("Name", exact=True)
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_value("bad name")
    expect(box.locator("#preheat-field-name-error")).to_contain_text("letters, digits")
    expect(box.locator("#preheat-field-endpoint-error")).to_contain_text("http:// or https://")
    name.fill("good-name")
    box.get_by_label("Endpoint").fill("http://good.example")
    box.get_by_role("button", name="OK").click()
    expect(dialog(page)).to_be_hidden()
    expect(row(page, "good-name")).to_be_visible()


def test_status_badges_are_green_or_red_with_the_reason(admin_page, dragonfly):
    page = admin_page
    add_instance(page, "alive", dragonfly.url)
    add_instance(page, "dead", "http://127.0.0.1:9")
    healthy = row(page, "alive").get_by_text("Healthy", exact=True)
    unhealthy = row(page, "dead").get_by_text("Unhealthy", exact=True)
    expect(healthy).to_be_visible()
    expect(unhealthy).to_be_visible()
    green = healthy.evaluate("e => getComputedStyle(e).backgroundColor")
    red = unhealthy.evaluate("e => getComputedStyle(e).backgroundColor")
    r, g, _ = map(int, re.findall(r"\d+", green)[:3])
    assert g > r, f"Healthy badge is not green: {green}"
    r, g, _ = map(int, re.findall(r"\d+", red)[:3])
    assert r > g, f"Unhealthy badge is not red: {red}"
    expect(unhealthy).to_have_attribute("title", re.compile("Connection refused"))
    unhealthy.click()
    expect(row(page, "dead")).to_contain_text("Connection refused")
    expect(row(page, "dead")).to_contain_text(re.compile(r"checked \d+ s ago"))


def test_filter_paging_and_refresh(admin_page, session):
    for number in range(17):
        session.add(Instance(name=f"node-{number:02d}", vendor="kraken", enabled=False,
                             endpoint=f"http://node{number}.example", auth_mode="NONE",
                             is_default=False, insecure=False, health_status="unknown"))
    session.commit()
    page = admin_page
    page.get_by_role("button", name="Refresh").click()
    expect(page.locator(".preheat-row")).to_have_count(15)
    expect(page.get_by_text("1 - 15 of 17 instances")).to_be_visible()
    page.get_by_role("button", name="Next page").click()
    expect(page.locator(".preheat-row")).to_have_count(2)
    page.get_by_role("searchbox", name="Filter instances").fill("node-1")
    expect(page.locator(".preheat-row")).to_have_count(7)
    expect(page.get_by_text("node-03")).to_have_count(0)


def test_actions_follow_the_selection(admin_page, dragonfly):
    page = admin_page
    add_instance(page, "one", dragonfly.url)
    add_instance(page, "two", "http://two.example")
    page.get_by_role("button", name="Actions").click()
    for name in ("Edit", "Enable", "Deactivate", "Delete"):
        expect(page.get_by_role("menuitem", name=name, exact=True)).to_be_disabled()
    page.keyboard.press("Escape")
    choose(page, "one")
    expect(page.get_by_role("menuitem", name="Edit", exact=True)).to_be_enabled()
    expect(page.get_by_role("menuitem", name="Enable", exact=True)).to_be_disabled()
    expect(page.get_by_role("menuitem", name="Deactivate", exact=True)).to_be_enabled()
    page.keyboard.press("Escape")
    choose(page, "two")
    expect(page.get_by_role("menuitem", name="Edit", exact=True)).to_be_disabled()
    expect(page.get_by_role("menuitem", name="Delete", exact=True)).to_be_enabled()


def test_deactivate_and_enable_with_confirmation(admin_page, dragonfly):
    page = admin_page
    add_instance(page, "df-a", dragonfly.url)
    choose(page, "df-a")
    page.get_by_role("menuitem", name="Deactivate", exact=True).click()
    expect(dialog(page)).to_contain_text("Do you want to deactivate instance df-a?")
    dialog(page).get_by_role("button", name="Deactivate").click()
    expect(dialog(page)).to_be_hidden()
    expect(row(page, "df-a")).to_contain_text("Deactivated")
    choose(page, "df-a")
    page.get_by_role("menuitem", name="Enable", exact=True).click()
    expect(row(page, "df-a").get_by_text("Healthy", exact=True)).to_be_visible()


def test_delete_confirms_naming_the_instances(admin_page, dragonfly):
    page = admin_page
    add_instance(page, "gone-a", dragonfly.url)
    add_instance(page, "gone-b", "http://b.example")
    add_instance(page, "stays", "http://c.example")
    choose(page, "gone-a", "gone-b")
    page.get_by_role("menuitem", name="Delete", exact=True).click()
    expect(dialog(page)).to_contain_text("Do you want to delete instances gone-a, gone-b?")
    dialog(page).get_by_role("button", name="Delete").click()
    expect(dialog(page)).to_be_hidden()
    expect(page.locator("#preheat-instances").get_by_text("gone-a")).to_have_count(0)
    expect(page.locator("#preheat-instances").get_by_text("gone-b")).to_have_count(0)
    expect(row(page, "stays")).to_be_visible()


def test_edit_keeps_secrets_renames_and_refuses_a_provider_change(admin_page, dragonfly, app,
                                                                  session):
    page = admin_page
    add_instance(page, "df-edit", dragonfly.url, mode="OAUTH", token="good-token")
    choose(page, "df-edit")
    page.get_by_role("menuitem", name="Edit", exact=True).click()
    box = dialog(page)
    expect(box.get_by_label("Name", exact=True)).to_have_value("df-edit")
    expect(box.get_by_label("Endpoint")).to_have_value(dragonfly.url)
    expect(box.get_by_label("Token")).to_have_value("")
    expect(box.get_by_label("Provider")).to_be_disabled()
    expect(box).to_contain_text("The provider cannot be changed after creation.")
    box.get_by_role("button", name="Test connection").click()
    expect(box.get_by_role("status")).to_contain_text("Connection OK")
    box.get_by_label("Name", exact=True).fill("df-renamed")
    box.get_by_role("button", name="OK").click()
    expect(dialog(page)).to_be_hidden()
    expect(row(page, "df-renamed")).to_be_visible()
    secret = app.extensions["preheat"].secret_box.open(stored(session, "df-renamed").auth_secret)
    assert secret == {"token": "good-token"}

    choose(page, "df-renamed")
    page.get_by_role("menuitem", name="Edit", exact=True).click()
    box.get_by_label("Auth Mode").select_option("BASIC")
    box.get_by_label("Username").fill("ops")
    box.get_by_role("button", name="OK").click()
    expect(box.locator("#preheat-field-password-error")).to_contain_text("Password is required")


def test_delete_of_an_instance_in_use_names_the_policies(admin_page, session):
    page = admin_page
    add_instance(page, "in-use", "http://in-use.example")
    session.add(Policy(project_id=project_id(session), name="nightly-warmup", instance_id=stored(session, "in-use").id))
    session.commit()
    choose(page, "in-use")
    page.get_by_role("menuitem", name="Delete", exact=True).click()
    expect(dialog(page)).to_contain_text("in-use is used by preheat policy nightly-warmup (project library)")
    expect(dialog(page).get_by_role("button", name="Delete")).to_have_count(0)
    dialog(page).get_by_role("button", name="Cancel").click()
    expect(row(page, "in-use")).to_be_visible()


def test_anonymous_users_reach_the_login_page(page):
    page.goto("/distributions")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def test_an_expired_session_reloads_to_the_login_page_instead_of_swapping_it_in(admin_page):
    page = admin_page
    page.context.clear_cookies()
    page.get_by_role("button", name="Refresh").click()
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.locator("#preheat-instances")).to_have_count(0)


def test_non_sysadmins_are_forbidden(page):
    log_in(page, *USER)
    expect(page.get_by_text("Only system administrators")).to_be_visible()
    response = page.goto("/distributions")
    assert response.status == 403


@pytest.mark.parametrize("hostile", ['<img src=x onerror="window.preheatOwned=1">'])
def test_markup_in_a_description_is_shown_as_text(admin_page, hostile):
    page = admin_page
    box = open_new_instance(page)
    fill_instance(box, "xss", "http://xss.example")
    box.get_by_label("Description").fill(hostile)
    box.get_by_role("button", name="OK").click()
    expect(row(page, "xss")).to_contain_text(hostile)
    assert page.evaluate("window.preheatOwned") is None


def test_markup_typed_as_a_name_is_shown_back_as_text_and_never_runs(admin_page):
    page = admin_page
    hostile = '<img src=x onerror="window.preheatOwned=1">'
    box = open_new_instance(page)
    fill_instance(box, hostile, "http://xss.example")
    box.get_by_role("button", name="OK").click()
    expect(box.get_by_label("Name", exact=True)).to_have_value(hostile)
    expect(box.locator("#preheat-field-name-error")).to_be_visible()
    box.get_by_role("button", name="Cancel").click()
    # A typo in a sysadmin's own form is not audited; the markup never ran anywhere.
    page.goto("/audit-log")
    expect(page.locator("#preheat-audit")).not_to_contain_text("onerror")
    assert page.evaluate("window.preheatOwned") is None
