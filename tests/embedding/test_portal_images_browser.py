"""Ops Portal feeds Preheat its own image source: the images it has released.

The registry is real and holds one tag more than the portal released;
Preheat has no registry and no project of its own: the portal's release
list names project library. A maintainer's policy matching every tag
previews and preheats the two releases alone.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_preheat_flow import add_instance, dialog, shoot
from tests.browser.test_project_browse import shots  # noqa: F401 (where screenshots go)
from tests.executions.conftest import app_config, box, dragonfly, images  # noqa: F401
from tests.host_portal.models import Release, db

from .conftest import PREFIX
from .test_portal_maintainer_browser import TAB, create_policy, execute
from .test_portal_maintainer_browser import maintainer_page, seen  # noqa: F401

MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json"


@pytest.fixture
def portal_overrides(images):
    return {"IMAGE_REGISTRY_URL": images.registry.url}


@pytest.fixture
def released(app, session, box, images, dragonfly):
    """app:1.0 and 1.1 of project library released by the portal (2.0 only pushed); the
    Dragonfly stand-in behind instance df. (stand-in, digests, the real registry's URL)"""
    digests = images(["1.0", "1.1", "2.0"])
    with app.app_context():
        db.session.add_all([Release(project_name="library", repository="library/app", tag=tag,
                                    digest=digests[tag], media_type=MEDIA_TYPE)
                            for tag in ("1.0", "1.1")])
        db.session.commit()
    provider = dragonfly()
    add_instance(session, box, provider, "df")
    session.commit()
    return provider, digests, images.registry.url


@pytest.mark.parametrize("host_csrf", [True])
def test_a_maintainer_preheats_the_portals_released_images(maintainer_page, released, shots):
    page = maintainer_page
    provider, digests, registry_url = released
    page.goto(f"{PREFIX}/projects")
    table = page.locator("#preheat-projects")
    expect(table).to_contain_text("library")
    expect(table).to_contain_text("Ops Portal's releases")
    expect(page.get_by_role("button", name="New project")).to_have_count(0)
    table.get_by_role("link", name="library").click()
    expect(page.locator(".preheat-lead")).to_contain_text("Project of Ops Portal's releases")
    repositories = page.locator("#preheat-repositories")
    expect(repositories.locator("tbody tr")).to_have_count(1)
    expect(repositories).to_contain_text("library/app")
    expect(repositories.locator("td.preheat-count")).to_have_text("2")
    shoot(page, shots / "portal-releases-repositories.png")
    page.goto(TAB)
    create_policy(page, "releases", "**")
    preview = dialog(page).locator("#preheat-policy-preview")
    expect(preview).to_contain_text("library/app:1.1")
    expect(preview).not_to_contain_text("2.0")
    shoot(page, shots / "portal-releases-policy-dialog.png")
    dialog(page).get_by_role("button", name="OK").click()
    expect(page.locator("#preheat-policies")).to_contain_text("releases")

    execute(page, "releases")
    row = page.locator("#preheat-executions tbody tr").first
    expect(row).to_contain_text("Success", timeout=15_000)
    expect(row).to_contain_text("2/2")
    assert sorted(provider.book.submissions) == sorted(
        f"{registry_url}/v2/library/app/manifests/{digests[tag]}" for tag in ("1.0", "1.1"))
