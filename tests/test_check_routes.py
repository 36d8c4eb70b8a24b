"""Every route that runs a check is an unsafe method with a CSRF token; a GET only reads."""
import pytest

from tests.api.conftest import API, api, error_of  # noqa: F401 (api is a fixture)
from tests.helpers import add_instances


def test_a_get_with_refresh_runs_no_check_and_says_to_post(api, dragonfly):
    api.create(endpoint=dragonfly.url)
    response = api.get("/instances/df-prod/health?refresh=true")
    assert response.status_code == 400
    assert error_of(response)["field"] == "refresh"
    assert "POST to this URL to check the instance now" in error_of(response)["message"]
    assert dragonfly.requests == []
    assert api.get("/instances/df-prod/health").get_json()["status"] == "Unknown"


def test_a_post_checks_now_and_answers_the_stored_health(api, dragonfly):
    api.create(endpoint=dragonfly.url)
    response = api.post("/instances/df-prod/health")
    assert response.status_code == 200 and response.get_json()["status"] == "Healthy"
    assert dragonfly.requests[-1][:2] == ("GET", "/healthy")


def test_a_browser_session_needs_the_csrf_token_to_refresh(admin, dragonfly):
    add_instances(admin.app, {"vendor": "dragonfly", "name": "df-prod",
                              "endpoint": dragonfly.url})
    url = f"{API}/instances/df-prod/health"
    assert admin.http.post(url).status_code == 403  # what a cross-site form would send
    assert dragonfly.requests == []
    response = admin.http.post(url, headers={"X-CSRFToken": admin.csrf_token})
    assert response.status_code == 200 and response.get_json()["status"] == "Healthy"


@pytest.mark.parametrize("url", ["/distributions/refresh", "/distributions/1/check",
                                 "/distributions/test-connection",
                                 "/distributions/1/test-connection"])
def test_page_routes_that_check_take_only_a_post_with_the_token(admin, dragonfly, url):
    add_instances(admin.app, {"vendor": "dragonfly", "name": "df-prod",
                              "endpoint": dragonfly.url})
    assert admin.get(url).status_code == 405
    assert admin.post(url, {"endpoint": dragonfly.url, "vendor": "dragonfly"},
                      csrf=False).status_code == 400
    assert dragonfly.requests == []
