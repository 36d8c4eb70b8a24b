"""Add a registry with Test connection, then create a project from its catalog, in Chromium."""
from playwright.sync_api import expect

from tests.registry.fixtures import pusher_for


def dialog(page):
    return page.locator("#preheat-dialog")


def test_add_a_registry_then_a_project_from_its_catalog(admin_page, own_registry):
    pusher = pusher_for(own_registry)
    for repository in ("team/app", "team/db", "alpine"):
        pusher.image(repository, "1.0")
    page = admin_page
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Registries").click()
    expect(page.get_by_role("heading", name="Registries")).to_be_visible()

    page.get_by_role("button", name="New registry").click()
    box = dialog(page)
    box.get_by_label("Name", exact=True).fill("hub")
    box.get_by_label("URL", exact=True).fill(own_registry.url)
    box.get_by_label("URL as providers reach it").fill("http://127.0.0.1:5000")
    expect(box.get_by_role("note")).to_contain_text("loopback address")
    box.get_by_role("button", name="Test connection").click()
    expect(box.get_by_role("status")).to_contain_text("Connection OK.")
    expect(box.get_by_role("status")).to_contain_text("the catalog is readable")
    box.get_by_role("button", name="OK").click()
    expect(box).to_be_hidden()
    expect(page.locator("#preheat-toasts")).to_contain_text("Registry hub created.")
    row = page.locator("#preheat-registries tr", has=page.get_by_text("hub", exact=True))
    expect(row.get_by_text("Healthy", exact=True)).to_be_visible()
    expect(row).to_contain_text("providers: http://127.0.0.1:5000")

    nav.get_by_role("link", name="Projects").click()
    page.get_by_role("button", name="New project").click()
    expect(box.get_by_label("Registry")).to_have_value("1")
    team = box.get_by_role("button", name="team 2 repositories")
    expect(box.get_by_role("button", name="library 1 repository")).to_be_visible()
    team.click()
    expect(box.get_by_label("Project name")).to_have_value("team")
    expect(team).to_have_attribute("aria-pressed", "true")
    box.get_by_role("button", name="OK").click()
    expect(box).to_be_hidden()
    project = page.locator("#preheat-projects tr", has=page.get_by_role("link", name="team"))
    expect(project).to_contain_text("hub")
    expect(project.locator("td").nth(3)).to_have_text("2")


def test_a_name_can_be_typed_while_the_catalog_cannot_be_read(admin_page, app):
    from tests.helpers import add_registries
    from tests.providers.faults import free_port

    add_registries(app, {"name": "gone", "url": f"http://127.0.0.1:{free_port()}"})
    page = admin_page
    page.goto("/projects")
    page.get_by_role("button", name="New project").click()
    box = dialog(page)
    expect(box.get_by_role("note")).to_contain_text("The catalog could not be read")
    box.get_by_label("Project name").fill("Typed")
    box.get_by_role("button", name="OK").click()
    expect(box.locator("#preheat-field-name-error")).to_contain_text("Use lower case.")
    box.get_by_label("Project name").fill("typed")
    box.get_by_role("button", name="OK").click()
    expect(box).to_be_hidden()
    expect(page.get_by_role("link", name="typed")).to_be_visible()
