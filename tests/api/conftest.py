"""Fixtures for the JSON API: clients that authenticate like scripts (HTTP Basic) do."""
from __future__ import annotations

import pytest

from tests.accounts import ADMIN, USER
from tests.helpers import basic

API = "/api/v2.0/p2p/preheat"
INSTANCE = {"vendor": "dragonfly", "name": "df-prod", "endpoint": "http://df.example:8080"}


class ApiClient:
    """A test client that sends JSON with fixed headers (for example Basic credentials)."""

    def __init__(self, app, headers=None, collection="/instances"):
        self.http = app.test_client()
        self.headers = dict(headers or {})
        self.collection = collection

    def request(self, method: str, url: str, json=None, headers=None, **kwargs):
        merged = {**self.headers, **(headers or {})}
        if json is not None:
            kwargs["json"] = json
        return self.http.open(self.url(url), method=method, headers=merged, **kwargs)

    @staticmethod
    def url(url: str) -> str:
        """Short forms ("/instances", "/p2p/preheat/...", "/registries") get the default prefix."""
        if url.startswith(("/instances", "/providers", "/audit-logs")):
            return API + url
        if url.startswith(("/p2p/", "/registries", "/projects")):
            return "/api/v2.0" + url
        return url

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url, json=None, **kwargs):
        return self.request("POST", url, json, **kwargs)

    def put(self, url, json=None, **kwargs):
        return self.request("PUT", url, json, **kwargs)

    def patch(self, url, json=None, **kwargs):
        return self.request("PATCH", url, json, **kwargs)

    def delete(self, url, **kwargs):
        return self.request("DELETE", url, **kwargs)

    def create(self, **fields):
        """Create an instance from INSTANCE plus `fields`; return its JSON."""
        response = self.post(self.collection, {**INSTANCE, **fields})
        assert response.status_code == 201, response.get_json()
        return response.get_json()


@pytest.fixture
def api(app) -> ApiClient:
    """A sysadmin's script: HTTP Basic, no session."""
    return ApiClient(app, basic(*ADMIN))


@pytest.fixture
def api_user(app) -> ApiClient:
    """A script with the credentials of a user who is not a sysadmin."""
    return ApiClient(app, basic(*USER))


@pytest.fixture
def api_anonymous(app) -> ApiClient:
    return ApiClient(app)


def error_of(response) -> dict:
    """The one error of an error response, after checking the shape of the body."""
    body = response.get_json()
    assert response.mimetype == "application/json", response.get_data(as_text=True)
    assert set(body) == {"errors"} and len(body["errors"]) == 1, body
    error = body["errors"][0]
    assert {"code", "message"} <= set(error) <= {"code", "message", "field"}, error
    return error
