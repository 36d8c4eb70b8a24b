"""Who may call the API: Basic credentials or a session (with its CSRF token), sysadmins only."""
import pytest

from tests.accounts import ADMIN
from tests.api.conftest import API, INSTANCE, ApiClient, error_of
from tests.helpers import basic


def test_basic_authentication_creates_no_session(api):
    response = api.get("/instances")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    created = api.post("/instances", INSTANCE)
    assert created.status_code == 201 and "Set-Cookie" not in created.headers


@pytest.mark.parametrize("header", [
    basic(ADMIN[0], "wrong-password"),
    basic("nobody", ADMIN[1]),
    basic(ADMIN[0] + "\x00", ADMIN[1]),
    {"Authorization": "Bearer " + ADMIN[1]},
    {"Authorization": "Basic not-base64!"},
    {"Authorization": ""},
])
def test_bad_credentials_are_401(app, header):
    response = ApiClient(app, header).get("/instances")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_wrong_basic_credentials_win_over_a_valid_session(admin):
    response = admin.http.get(API + "/instances", headers=basic(ADMIN[0], "wrong"))
    assert response.status_code == 401


def test_session_can_read_without_a_token(admin):
    response = admin.http.get(API + "/instances")
    assert response.status_code == 200 and response.get_json() == []


def test_session_write_without_csrf_token_is_403_and_changes_nothing(admin):
    response = admin.http.post(API + "/instances", json=INSTANCE)
    assert response.status_code == 403
    assert "CSRF" in error_of(response)["message"]
    assert admin.http.get(API + "/instances").get_json() == []


def test_session_write_with_the_page_token_works(admin):
    token = admin.csrf_token
    response = admin.http.post(API + "/instances", json=INSTANCE,
                               headers={"X-CSRFToken": token})
    assert response.status_code == 201
    response = admin.http.delete(API + "/instances/df-prod", headers={"X-CSRFToken": "forged"})
    assert response.status_code == 403
    response = admin.http.delete(API + "/instances/df-prod", headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_basic_requests_need_no_csrf_token_though_the_host_protects_csrf(app, api):
    assert "csrf" in app.extensions and app.config.get("WTF_CSRF_ENABLED", True)
    assert api.post("/instances", INSTANCE).status_code == 201
    assert api.delete("/instances/df-prod").status_code == 200


def test_session_of_a_non_sysadmin_is_403(user):
    assert user.http.get(API + "/instances").status_code == 403


def test_anonymous_pages_still_go_to_the_login_page(anonymous):
    response = anonymous.get("/distributions")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_openapi_document_needs_no_login(api_anonymous):
    response = api_anonymous.get("/api/v2.0/openapi.json")
    assert response.status_code == 200 and response.get_json()["openapi"].startswith("3.")

