"""A project maintainer of Ops Portal preheats their project's images, in Chromium.

The portal's own membership table (tests/host_portal/models.py: Maintainer)
decides, through `can_manage_project`; the registry is real and the provider a
Dragonfly stand-in, and neither address may reach the maintainer's browser.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from preheat.services import projects, registries
from tests.browser.test_preheat_flow import add_instance, dialog, shoot
from tests.browser.test_project_browse import shots  # noqa: F401 (where screenshots go)
from tests.executions.conftest import app_config, box, dragonfly, images  # noqa: F401

from .conftest import MAINTAINER, PREFIX, sign_in

TAB = f"{PREFIX}/projects/library/preheat"


@pytest.fixture
def seen(page):
    """Every text answer the maintainer's browser receives (pages, partials, scripts)."""
    bodies: list[str] = []

    def keep(response):
        kind = response.headers.get("content-type", "")
        if response.request.method != "OPTIONS" and kind.startswith(("text/", "application/")):
            bodies.append(response.text())
    page.on("response", keep)
    return bodies


@pytest.fixture
def maintainer_page(page, seen):
    """A browser tab signed in as the maintainer of project library, on the portal's home."""
    page.goto("/account/sign-in")
    sign_in(page, *MAINTAINER)
    page.wait_for_url(re.compile(r"/$"))
    return page


@pytest.fixture
def library(session, box, images, dragonfly):
    """Project library on a real registry holding app:1.0, 1.1, 2.0, an ops-admin's Dragonfly
    instance df, and project other on the same registry; the two addresses (host:port) that
    must stay out of the maintainer's browser."""
    images(["1.0", "1.1", "2.0"])
    registry = registries.create(session, box, {"name": "hub", "url": images.registry.url})
    projects.create(session, "library", registry)
    projects.create(session, "other", registry)
    provider = dragonfly()
    add_instance(session, box, provider, "df")
    session.commit()
    return [address(images.registry.url), address(provider.url)]


def address(url: str) -> str:
    return url.split("://", 1)[1].rstrip("/")


def create_policy(page, name: str, tags: str) -> None:
    page.get_by_role("button", name="New policy").click()
    form = dialog(page)
    expect(form.get_by_label("Provider")).to_contain_text("df")
    form.get_by_label("Name").fill(name)
    field = form.locator("#preheat-field-tags")
    field.fill("")
    field.press_sequentially(tags)
    expect(form.locator("#preheat-policy-preview")).to_contain_text("2 tags in 1 repository")


def execute(page, policy: str) -> None:
    page.get_by_label(f"Select {policy}").check()
    page.get_by_role("button", name="Actions").click()
    page.get_by_role("menuitem", name="Execute", exact=True).click()
    expect(dialog(page)).to_contain_text(f"Do you want to execute policy {policy}?")
    dialog(page).get_by_role("button", name="Execute").click()
    expect(dialog(page)).not_to_be_visible()


def test_a_maintainer_creates_and_runs_a_policy_in_the_portals_layout(
        maintainer_page, library, seen, dragonfly, shots):
    page = maintainer_page
    expect(page.locator("#navbar")).not_to_contain_text("P2P distribution")
    page.locator("#navbar").get_by_role("link", name="My projects").click()
    projects_table = page.locator("#preheat-projects")
    expect(projects_table).to_contain_text("library")
    expect(projects_table).not_to_contain_text("other")
    shoot(page, shots / "portal-maintainer-projects.png", full_page=True)

    projects_table.get_by_role("link", name="library").click()
    expect(page.locator("#preheat-repositories")).to_contain_text("app")
    page.get_by_role("link", name="P2P Preheat").click()
    expect(page).to_have_url(re.compile(f"{TAB}$"))
    expect(page).to_have_title("Project library · Ops Portal")
    expect(page.locator("#navbar")).to_contain_text("Mia (viewer)")

    create_policy(page, "warm", "1.*")
    shoot(page, shots / "portal-maintainer-policy-dialog.png")
    dialog(page).get_by_role("button", name="OK").click()
    expect(page.locator("#preheat-policies")).to_contain_text("warm")

    execute(page, "warm")
    row = page.locator("#preheat-executions tbody tr").first
    expect(row).to_contain_text("Success", timeout=15_000)
    expect(row).to_contain_text("2/2")
    shoot(page, shots / "portal-maintainer-preheat-tab.png", full_page=True)

    row.get_by_role("link").first.click()
    expect(page.locator("#preheat-tasks tbody tr")).to_have_count(2)
    page.locator("#preheat-tasks tbody tr").first.get_by_role("link").first.click()
    expect(page.locator("h1")).to_contain_text("library/app:1.")
    shoot(page, shots / "portal-maintainer-task.png", full_page=True)

    # The preview and the executions table came as htmx partials: those were recorded too.
    assert any("library/app:1.1" in body and "<html" not in body for body in seen)
    for secret in library:
        leaks = [body for body in seen if secret in body]
        assert not leaks, f"{secret} reached the maintainer's browser"


def test_a_maintainer_is_refused_on_another_project_and_on_providers(maintainer_page, library,
                                                                     shots):
    page = maintainer_page
    response = page.goto(f"{PREFIX}/projects/other/preheat")
    assert response.status == 403
    expect(page.locator("#navbar")).to_contain_text("Ops Portal")
    expect(page.locator("#preheat-root")).to_contain_text(
        "You may not manage the preheat policies of project other")
    shoot(page, shots / "portal-maintainer-refused.png", full_page=True)
    assert page.goto(f"{PREFIX}/distributions").status == 403
    assert page.goto(f"{PREFIX}/registries").status == 403
    assert page.goto(f"{PREFIX}/projects/library/preheat").status == 200
