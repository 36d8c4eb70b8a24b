"""The P2P Preheat tab in Chromium: a policy made in its dialog, run against a real registry."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from preheat.models import Execution, Policy
from preheat.services import instances, projects, registries
from tests.browser.test_project_browse import shots  # noqa: F401 (where screenshots go)
from tests.executions.conftest import PAT, app_config, box, dragonfly, images  # noqa: F401
from tests.executions.conftest import wait_for

TAB = "/projects/library/preheat"


def dialog(page):
    return page.locator("#preheat-dialog")


def add_instance(session, box, provider, name: str):
    return instances.create(session, box, {"vendor": "dragonfly", "name": name,
                                           "endpoint": provider.url, "auth_mode": "OAUTH",
                                           "auth_info": {"token": PAT}})


def shoot(page, path, **options) -> None:
    """A screenshot that leaves the page as it was.

    Hiding the caret writes a style attribute on every input, which htmx would
    then copy while settling a swap, against the page's style-src policy.
    """
    page.screenshot(path=str(path), caret="initial", **options)


def execute(page, policy: str) -> None:
    page.goto(TAB)
    page.get_by_label(f"Select {policy}").check()
    page.get_by_role("button", name="Actions").click()
    page.get_by_role("menuitem", name="Execute", exact=True).click()
    expect(dialog(page)).to_contain_text(f"Do you want to execute policy {policy}?")
    dialog(page).get_by_role("button", name="Execute").click()
    expect(dialog(page)).not_to_be_visible()


def test_a_policy_made_in_the_dialog_preheats_two_tags(admin_page, session, box, images,
                                                       dragonfly, shots):
    page = admin_page
    images(["1.0", "1.1", "2.0"])
    registry = registries.create(session, box, {"name": "hub", "url": images.registry.url})
    project = projects.create(session, "library", registry)
    add_instance(session, box, dragonfly(), "df")

    page.goto(TAB)
    page.get_by_role("button", name="New policy").click()
    form = dialog(page)
    expect(form.get_by_label("Provider")).to_have_value(str(
        session.scalar(select(instances.Instance.id))))
    expect(form.get_by_label("Scope")).to_have_value("single_seed_peer")
    form.get_by_label("Name").fill("warm")
    tags = form.locator("#preheat-field-tags")
    tags.fill("")
    tags.press_sequentially("1.*")
    expect(form.locator("#preheat-policy-preview")).to_contain_text("2 tags in 1 repository")
    expect(form.locator("#preheat-policy-preview")).to_contain_text("library/app:1.1")
    shoot(page, shots / "policy-dialog.png")
    form.get_by_role("button", name="OK").click()
    expect(page.locator("#preheat-policies tbody tr")).to_have_count(1)
    expect(page.locator("#preheat-policies")).to_contain_text("warm")

    execute(page, "warm")
    row = page.locator("#preheat-executions tbody tr").first
    expect(row).to_contain_text("Success", timeout=15_000)
    expect(row).to_contain_text("2/2")
    expect(page.locator("#preheat-executions")).to_have_attribute("data-preheat-polling",
                                                                  "false")
    shoot(page, shots / "p2p-preheat-tab.png", full_page=True)

    row.get_by_role("link").first.click()
    tasks = page.locator("#preheat-tasks tbody tr")
    expect(tasks).to_have_count(2)
    expect(page.locator("#preheat-tasks")).not_to_contain_text("library/app:2.0")
    tasks.first.get_by_role("link").first.click()
    expect(page.locator("#preheat-peers tbody tr.preheat-peer-ok").first).to_be_visible()
    expect(page.locator("h1")).to_contain_text("library/app:1.")
    shoot(page, shots / "task-peers.png", full_page=True)
    assert project.name == "library"


def test_stop_on_a_slow_provider_and_a_deactivated_one(admin_page, session, box, images,
                                                       dragonfly):
    page = admin_page
    images(["1.0", "1.1"])
    registry = registries.create(session, box, {"name": "hub", "url": images.registry.url})
    project = projects.create(session, "library", registry)
    slow = add_instance(session, box, dragonfly(delay=60), "slow")
    gone = add_instance(session, box, dragonfly(), "gone")
    session.add_all([Policy(name="slowly", project=project, instance=slow),
                     Policy(name="nowhere", project=project, instance=gone)])
    session.commit()

    execute(page, "slowly")
    row = page.locator("#preheat-executions tbody tr").first
    expect(row).to_contain_text("Running", timeout=10_000)
    expect(page.locator("#preheat-executions")).to_have_attribute("data-preheat-polling",
                                                                  "true")
    row.get_by_role("button", name="Stop").click()
    dialog(page).get_by_role("button", name="Stop").click()
    expect(row).to_contain_text("Stopped")
    stopped = session.scalar(select(Execution).order_by(Execution.id.desc()))
    assert wait_for(session, stopped.id).status == "Stopped"

    instances.set_enabled(session, [gone], False)
    execute(page, "nowhere")
    row = page.locator("#preheat-executions tbody tr").first
    expect(row).to_contain_text("Error", timeout=10_000)
    expect(row).to_contain_text("deactivated")
