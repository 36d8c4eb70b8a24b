"""Browsing a project's repositories and tags in Chromium, against a real docker-registry."""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browse.conftest import add_project, app  # noqa: F401 (the app whose browser stops)
from tests.providers.faults import free_port
from tests.registry.fixtures import pusher_for

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go: docs/screenshots with PREHEAT_SCREENSHOTS=1, else tmp_path."""
    return SCREENSHOTS if os.environ.get("PREHEAT_SCREENSHOTS") == "1" else tmp_path


def test_browse_a_projects_repositories_and_tags(admin_page, session, app, own_registry,
                                                 shots):
    page = admin_page
    pusher = pusher_for(own_registry)
    pusher.images("library/nginx", ["1.25", "1.26", "1.27", "latest"])
    pusher.index("library/nginx", "multi-arch", platforms=("linux/amd64", "linux/arm64"))
    pusher.images("alpine", ["3.19", "3.20"])
    pusher.images("library/redis", [f"7.{n}" for n in range(20)])
    pusher.image("other/app", "v1")
    add_project(session, app.extensions["preheat"].secret_box, own_registry, "library",
                name="hub-mirror")

    page.goto("/projects/library")
    grid = page.locator("#preheat-repositories")
    expect(grid.locator("tbody tr")).to_have_count(3)
    expect(grid.get_by_role("link", name="library/alpine")).to_be_visible()
    expect(grid.locator("tr", has_text="library/nginx")).to_contain_text("5")
    expect(page.get_by_role("link", name="P2P Preheat")).to_have_attribute(
        "href", "/projects/library/preheat")
    page.screenshot(path=str(shots / "project-repositories.png"), full_page=True)

    page.get_by_label("Filter repositories").fill("red")
    expect(grid.locator("tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/projects/library\?q=red$"))
    page.get_by_label("Filter repositories").fill("")
    expect(grid.locator("tbody tr")).to_have_count(3)

    grid.get_by_role("link", name="library/nginx").click()
    tags = page.locator("#preheat-tags")
    expect(tags.locator("tbody tr")).to_have_count(5)
    multi = tags.locator("tr", has_text="multi-arch")
    expect(multi).to_contain_text("Image index (OCI)")
    expect(multi).to_contain_text("linux/arm64")
    expect(tags.locator("tr", has_text="1.25")).to_contain_text("Image manifest (OCI)")
    page.screenshot(path=str(shots / "project-tags.png"), full_page=True)

    page.get_by_role("link", name="Repositories").first.click()
    grid.get_by_role("link", name="library/redis").click()
    expect(tags.locator("tbody tr")).to_have_count(15)
    tags.get_by_role("button", name="Next page").click()
    expect(tags.locator("tbody tr")).to_have_count(5)
    expect(tags.locator("tbody tr").first).to_contain_text("7.15")
    expect(page.locator(".preheat-range")).to_have_text("16 - 20 of 20 tags")


def test_a_registry_that_is_down_is_said_at_once(admin_page, session, app, shots):
    page = admin_page
    add_project(session, app.extensions["preheat"].secret_box, f"http://127.0.0.1:{free_port()}",
                "team", name="gone-registry")
    started = time.monotonic()
    page.goto("/projects/team")
    expect(page.get_by_role("alert")).to_contain_text("refused")
    assert time.monotonic() - started < 2.0
    expect(page.locator("#preheat-repositories")).to_contain_text(
        "No repositories to show: the registry could not be read.")
    page.screenshot(path=str(shots / "project-registry-down.png"), full_page=True)
    page.get_by_label("Open a repository by name").fill("team/app")
    page.get_by_role("button", name="Open").click()
    expect(page).to_have_url(re.compile(r"/projects/team/repositories/app$"))
    expect(page.get_by_role("alert")).to_contain_text("refused")
