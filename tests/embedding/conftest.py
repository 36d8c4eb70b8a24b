"""Fixtures: Ops Portal (tests/host_portal) with Preheat mounted at /admin/p2p.

These override the standalone app's fixtures of the same names, so the shared
browser fixtures (`live_server`, `page`) serve the portal here. Every test runs
with and without the portal's CSRFProtect, on every database backend.
"""
from __future__ import annotations

import flask_migrate
import pytest

from preheat import migrate as preheat_migrate
from tests.helpers import Client, release
from tests.host_portal import create_app
from tests.host_portal.models import Maintainer, Member, db

PREFIX = "/admin/p2p"
SIGN_IN = "/account/sign-in"
OPS = ("ops@example.com", "ops-password")
VIEWER = ("viewer@example.com", "viewer-password")
MAINTAINER = ("mia@example.com", "mia-password")
# The projects MAINTAINER maintains, in the portal's own table.
MAINTAINED = ("library",)


class PortalClient(Client):
    """A test client that signs in through the portal's own page."""

    TOKEN_PAGE = f"{PREFIX}/distributions"

    def attempt_login(self, email: str, password: str, **kwargs):
        """Fill in and send the portal's sign-in form (with its token if it has one)."""
        page = self.http.get(SIGN_IN, **kwargs)
        data = {"email": email, "password": password}
        if 'name="csrf_token"' in page.get_data(as_text=True):
            data["csrf_token"] = self.token_from(page)
        return self.http.post(SIGN_IN, data=data, **kwargs)


@pytest.fixture(params=[True, False], ids=["host-csrf", "no-host-csrf"])
def host_csrf(request) -> bool:
    """Whether the portal runs Flask-WTF's CSRFProtect."""
    return request.param


@pytest.fixture
def portal_overrides() -> dict:
    """Portal settings a test changes (parametrize it), e.g. {"LOADS_HTMX": True}."""
    return {}


@pytest.fixture
def database_url(bare_database_url):
    """The portal migrates its database itself (both histories): it starts with no tables."""
    return bare_database_url


@pytest.fixture
def portal_config(app_config, host_csrf, portal_overrides) -> dict:
    """The portal's configuration."""
    return {**app_config, "CSRF_PROTECT": host_csrf, **portal_overrides}


@pytest.fixture
def app(portal_config):
    """The portal on a database migrated by both histories, with three members: an
    ops-admin, a viewer and a viewer who maintains the MAINTAINED projects."""
    app = create_app(portal_config)
    with app.app_context():
        flask_migrate.upgrade()
    preheat_migrate.upgrade(app)
    with app.app_context():
        maintainer = Member.new(*MAINTAINER, role="viewer")
        maintainer.maintained = [Maintainer(project_name=name) for name in MAINTAINED]
        db.session.add_all([Member.new(*OPS, role="ops-admin"), Member.new(*VIEWER, role="viewer"),
                            maintainer])
        db.session.commit()
    yield app
    release(app)


@pytest.fixture
def anonymous(app) -> PortalClient:
    return PortalClient(app)


@pytest.fixture
def admin(app) -> PortalClient:
    """A client signed in as an ops-admin, the portal's idea of a sysadmin."""
    return PortalClient(app).login(*OPS)


@pytest.fixture
def user(app) -> PortalClient:
    """A client signed in as a member without the ops-admin role."""
    return PortalClient(app).login(*VIEWER)


@pytest.fixture
def maintainer(app) -> PortalClient:
    """A client signed in as a viewer who maintains the MAINTAINED projects."""
    return PortalClient(app).login(*MAINTAINER)


def sign_in(page, email: str, password: str) -> None:
    """Sign in through the portal's form (the page must show it)."""
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def admin_page(page):
    """A browser tab signed in as an ops-admin, on Preheat's Distributions page."""
    page.goto(f"{PREFIX}/distributions")
    sign_in(page, *OPS)
    page.wait_for_url(f"**{PREFIX}/distributions")
    return page
