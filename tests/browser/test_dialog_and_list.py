"""The dialog's connection test and errors, deleting a partly used selection, and the
table's sorting and address, in Chromium."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from preheat.models import Instance, Policy
from tests.browser.test_distributions_flow import (add_instance, choose, dialog, fill_instance,
                                                   open_new_instance, row)
from tests.helpers import project_id, stored
from tests.providers.faults import silent


def check_connection_ok(box):
    box.get_by_role("button", name="Test connection").click()
    expect(box.get_by_text("Connection OK")).to_be_visible()


def expect_out_of_date(box, stale=True):
    note = box.get_by_text("Out of date: the settings changed since this test. Test again.")
    if stale:
        expect(note).to_be_visible()
        expect(box.get_by_text("Connection OK")).to_be_hidden()
    else:
        expect(note).to_be_hidden()
        expect(box.get_by_text("Connection OK")).to_be_visible()


def test_changing_a_tested_setting_marks_connection_ok_out_of_date(admin_page, dragonfly):
    page = admin_page
    box = open_new_instance(page)
    fill_instance(box, "df-test", dragonfly.url, mode="OAUTH", token="good-token")
    check_connection_ok(box)
    box.get_by_label("Name", exact=True).fill("df-renamed")
    box.get_by_label("Description").fill("names and descriptions are not tested")
    expect_out_of_date(box, stale=False)
    changes = [
        (lambda: box.get_by_label("Endpoint").fill("http://127.0.0.1:9"),
         lambda: box.get_by_label("Endpoint").fill(dragonfly.url)),
        (lambda: box.get_by_label("Token").fill("other-token"),
         lambda: box.get_by_label("Token").fill("good-token")),
        (lambda: box.get_by_label("Auth Mode").select_option("NONE"),
         lambda: box.get_by_label("Auth Mode").select_option("OAUTH")),
        (lambda: box.get_by_label("Provider").select_option("kraken"),
         lambda: box.get_by_label("Provider").select_option("dragonfly")),
        (lambda: box.get_by_label("Skip certificate verification").check(),
         lambda: box.get_by_label("Skip certificate verification").uncheck()),
    ]
    for change, undo in changes:
        change()
        expect_out_of_date(box)
        undo()
        expect_out_of_date(box, stale=False)
    box.get_by_label("Endpoint").fill("http://127.0.0.1:9")
    expect_out_of_date(box)
    box.get_by_role("button", name="Test connection").click()
    expect(box.get_by_text("Connection failed.")).to_be_visible()
    expect(box.get_by_text("Out of date")).to_have_count(0)


@pytest.fixture
def quick_timeout(app_config):
    app_config["PREHEAT_HTTP_TIMEOUT"] = 1.0


def test_a_setting_changed_while_the_test_runs_makes_its_answer_out_of_date(quick_timeout,
                                                                            admin_page):
    page = admin_page
    box = open_new_instance(page)
    with silent() as url:
        fill_instance(box, "df-slow", url)
        box.get_by_role("button", name="Test connection").click()
        expect(box.get_by_text("Testing")).to_be_visible()
        box.get_by_label("Endpoint").fill("http://somewhere-else.example")
        expect(box.get_by_text("Connection failed.")).to_be_attached(timeout=5000)
    expect_out_of_date(box)
    expect(box.get_by_text("Connection failed.")).to_be_hidden()


def test_a_refused_save_keeps_the_typed_token_and_the_test_and_focuses_the_error(admin_page,
                                                                                dragonfly,
                                                                                app, session):
    page = admin_page
    box = open_new_instance(page)
    fill_instance(box, "bad name", dragonfly.url, mode="OAUTH", token="good-token")
    check_connection_ok(box)
    box.get_by_role("button", name="OK").click()
    name = box.get_by_label("Name", exact=True)
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_be_focused()
    expect(box.get_by_label("Token")).to_have_value("good-token")
    expect(box.get_by_text("Connection OK")).to_be_visible()

    name.fill("df-good")
    box.get_by_label("Endpoint").fill("ftp://nowhere")
    expect_out_of_date(box)
    box.get_by_role("button", name="OK").click()
    endpoint = box.get_by_label("Endpoint")
    expect(endpoint).to_have_attribute("aria-invalid", "true")
    expect(endpoint).to_be_focused()
    expect(box.get_by_label("Token")).to_have_value("good-token")
    expect_out_of_date(box)

    endpoint.fill(dragonfly.url)
    expect_out_of_date(box, stale=False)
    box.get_by_role("button", name="OK").click()
    expect(dialog(page)).to_be_hidden()
    secret = app.extensions["preheat"].secret_box.open(stored(session, "df-good").auth_secret)
    assert secret == {"token": "good-token"}


def test_a_refused_basic_save_keeps_the_password(admin_page):
    page = admin_page
    box = open_new_instance(page)
    fill_instance(box, "basic-one", "http://basic.example", mode="BASIC", username="",
                  password="typed-secret")
    box.get_by_role("button", name="OK").click()
    username = box.get_by_label("Username")
    expect(username).to_have_attribute("aria-invalid", "true")
    expect(username).to_be_focused()
    expect(box.get_by_label("Password", exact=True)).to_have_value("typed-secret")


def test_deleting_a_partly_used_selection_deletes_the_free_ones(admin_page, session):
    page = admin_page
    for name in ("free-a", "used-once", "used-twice"):
        add_instance(page, name, f"http://{name}.example")
    session.add_all([Policy(project_id=project_id(session), name="p1", instance_id=stored(session, "used-once").id),
                     Policy(project_id=project_id(session), name="p2", instance_id=stored(session, "used-twice").id),
                     Policy(project_id=project_id(session), name="p3", instance_id=stored(session, "used-twice").id)])
    session.commit()
    choose(page, "free-a", "used-once", "used-twice")
    page.get_by_role("menuitem", name="Delete", exact=True).click()
    box = dialog(page)
    expect(box).to_contain_text("used-once is used by preheat policy p1 (project library)")
    expect(box).to_contain_text("used-twice is used by preheat policies p2 (project library), p3 (project library)")
    expect(box).to_contain_text("Do you want to delete the other instance free-a?")
    box.get_by_role("button", name="Delete 1 instance").click()
    expect(box).to_be_hidden()
    expect(page.locator("#preheat-instances").get_by_text("free-a")).to_have_count(0)
    expect(row(page, "used-once")).to_be_visible()
    expect(row(page, "used-twice")).to_be_visible()


def names_shown(page):
    return page.locator(".preheat-row .preheat-name").all_inner_texts()


def header(page, label):
    return page.get_by_role("columnheader", name=label)


def test_headers_sort_naturally_and_the_address_keeps_the_table(admin_page, session):
    for number in range(1, 18):
        session.add(Instance(name=f"bulk-{number}", vendor="kraken", enabled=False,
                             endpoint=f"http://bulk{number}.example", auth_mode="NONE",
                             is_default=False, insecure=False, health_status="unknown"))
    session.add(Instance(name="other", vendor="dragonfly", enabled=False,
                         endpoint="http://other.example", auth_mode="NONE",
                         is_default=False, insecure=False, health_status="unknown"))
    session.commit()
    page = admin_page
    page.reload()
    expect(header(page, "Name")).to_have_attribute("aria-sort", "ascending")
    assert names_shown(page)[:3] == ["bulk-1", "bulk-2", "bulk-3"]
    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    assert names_shown(page) == ["bulk-16", "bulk-17", "other"]
    expect(page).to_have_url(re.compile(r"/distributions\?page=2$"))

    header(page, "Name").get_by_role("button").click()
    expect(header(page, "Name")).to_have_attribute("aria-sort", "descending")
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    assert names_shown(page)[:3] == ["other", "bulk-17", "bulk-16"]
    header(page, "Provider").get_by_role("button").click()
    expect(header(page, "Provider")).to_have_attribute("aria-sort", "ascending")
    expect(header(page, "Name")).not_to_have_attribute("aria-sort", re.compile("."))
    assert names_shown(page)[0] == "other"
    # The swap is done once the address follows it; a click before that can miss.
    expect(page).to_have_url(re.compile(r"sort=vendor$"))
    header(page, "Provider").get_by_role("button").click()
    expect(header(page, "Provider")).to_have_attribute("aria-sort", "descending")
    expect(page).to_have_url(re.compile(r"sort=-vendor"))

    page.get_by_label("Per page").select_option("25")
    page.get_by_role("searchbox", name="Filter instances").fill("bulk-1")
    expect(page.locator(".preheat-row")).to_have_count(9)
    expect(page).to_have_url(re.compile(r"q=bulk-1"))
    shared = page.url
    assert "page_size=25" in shared and "sort=-vendor" in shared

    page.goto(shared)
    expect(page.get_by_role("searchbox", name="Filter instances")).to_have_value("bulk-1")
    expect(page.get_by_label("Per page")).to_have_value("25")
    expect(header(page, "Provider")).to_have_attribute("aria-sort", "descending")
    assert names_shown(page) == ["bulk-1"] + [f"bulk-{n}" for n in range(10, 18)]
    # A change elsewhere reloads the table as the address describes it.
    page.get_by_role("button", name="Refresh").click()
    expect(header(page, "Provider")).to_have_attribute("aria-sort", "descending")
    assert page.url == shared
    assert session.scalar(select(Instance).where(Instance.name == "bulk-10")).name_key
