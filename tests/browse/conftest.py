"""Fixtures: projects on real docker-registry instances, and images pushed into them."""
from __future__ import annotations

import uuid

import pytest

from preheat.browsing import KEY, current_browser
from preheat.services import projects, registries
from preheat.transport import Credentials
from tests.registry.fixtures import PASSWORD, USER, pusher_for  # noqa: F401 (tests import it)


@pytest.fixture
def app_config(app_config):
    # A page view's registry budget, short enough that a silent registry is quick to test.
    return {**app_config, "PREHEAT_REGISTRY_BUDGET": 1.5}


@pytest.fixture
def box(app):
    return app.extensions["preheat"].secret_box


@pytest.fixture
def browser_of(app):
    """browser_of(): the app's registry browser (its client counts the requests)."""
    def get():
        with app.app_context():
            return current_browser()
    return get


def add_project(session, box, where, project_name: str, **registry) -> object:
    """A registry row for `where` (a running registry or a URL) and a project on it."""
    stored = registries.create(session, box, {"name": f"reg-{uuid.uuid4().hex[:8]}",
                                              "url": getattr(where, "url", where), **registry})
    return projects.create(session, project_name, stored)


def unique_project() -> str:
    """A project name (a namespace) no other test pushes into."""
    return f"p{uuid.uuid4().hex[:10]}"


def basic_auth() -> dict:
    return {"auth_mode": "BASIC", "auth_info": {"username": USER, "password": PASSWORD}}


def basic_credentials() -> Credentials:
    return Credentials.basic(USER, PASSWORD)


@pytest.fixture
def app(app):
    """The app, its registry browser's threads stopped at the end."""
    yield app
    browser = app.extensions.get(KEY)
    if browser is not None:
        browser.close()


def views_of(browser, view) -> tuple[int, object]:
    """Requests `view()` made to registries from a cold cache, and what it answered."""
    browser.lists.clear()
    before = browser.client.requests_made
    answer = view()
    return browser.client.requests_made - before, answer
