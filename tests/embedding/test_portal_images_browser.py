"""Ops Portal feeds Preheat its own image source: the images it has released.

The registry is real and holds one tag more than the portal released; the
registry Preheat has stored for the project is a dead address. A maintainer's
policy matching every tag previews and preheats the two releases alone.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from preheat.services import projects, registries
from tests.browser.test_preheat_flow import add_instance, dialog, shoot
from tests.browser.test_project_browse import shots  # noqa: F401 (where screenshots go)
from tests.executions.conftest import app_config, box, dragonfly, images  # noqa: F401
from tests.host_portal.models import Release, db

from .test_portal_maintainer_browser import TAB, create_policy, execute
from .test_portal_maintainer_browser import maintainer_page, seen  # noqa: F401

DEAD_REGISTRY = "http://127.0.0.1:9"
MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json"


@pytest.fixture
def portal_overrides(images):
    return {"IMAGE_REGISTRY_URL": images.registry.url}


@pytest.fixture
def released(app, session, box, images, dragonfly):
    """app:1.0 and 1.1 released by the portal (2.0 only pushed); project library on a dead
    registry in Preheat; the Dragonfly stand-in behind instance df. (stand-in, digests,
    the real registry's URL)"""
    digests = images(["1.0", "1.1", "2.0"])
    with app.app_context():
        db.session.add_all([Release(project_name="library", repository="library/app", tag=tag,
                                    digest=digests[tag], media_type=MEDIA_TYPE)
                            for tag in ("1.0", "1.1")])
        db.session.commit()
    projects.create(session, "library",
                    registries.create(session, box, {"name": "hub", "url": DEAD_REGISTRY}))
    provider = dragonfly()
    add_instance(session, box, provider, "df")
    session.commit()
    return provider, digests, images.registry.url


@pytest.mark.parametrize("host_csrf", [True])
def test_a_maintainer_preheats_the_portals_released_images(maintainer_page, released, shots):
    page = maintainer_page
    provider, digests, registry_url = released
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
