"""Only sysadmins reach Preheat; anonymous users go to the login page."""
import re

import pytest

from tests.accounts import ADMIN

PAGES = ["/", "/distributions", "/distributions/new", "/distributions/1/edit",
         "/distributions/1/status", "/distributions/actions/edit?instance=1",
         "/distributions/actions/delete/confirm?instance=1"]
POSTS = ["/distributions/new", "/distributions/1/edit", "/distributions/test-connection",
         "/distributions/1/test-connection", "/distributions/refresh", "/distributions/1/check",
         "/distributions/actions/enable", "/distributions/actions/deactivate",
         "/distributions/actions/delete"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_page_request_is_sent_to_login(anonymous, url):
    response = anonymous.get(url)
    assert response.status_code == 302
    assert re.search(r"/login\?next=", response.headers["Location"])


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_htmx_request_gets_401_and_a_full_reload(anonymous, url):
    response = anonymous.get(url, htmx=True)
    assert response.status_code == 401
    assert response.headers["HX-Refresh"] == "true"
    assert "<form" not in response.get_data(as_text=True)


@pytest.mark.parametrize("url", POSTS)
def test_anonymous_posts_are_refused(anonymous, url):
    assert anonymous.post(url, csrf=False).status_code == 401


@pytest.mark.parametrize("url", PAGES)
def test_non_sysadmin_gets_403_on_pages(user, url):
    assert user.get(url).status_code == 403
    assert user.get(url, htmx=True).status_code == 403


@pytest.mark.parametrize("url", POSTS)
def test_non_sysadmin_gets_403_on_posts(user, url):
    assert user.post(url, csrf=False).status_code == 403


def test_unsafe_request_without_csrf_token_is_refused_and_changes_nothing(admin):
    response = admin.post("/distributions/new", {"vendor": "dragonfly", "name": "x",
                                                 "endpoint": "http://x"}, csrf=False)
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert "No provider instances yet" in admin.get("/distributions").get_data(as_text=True)


def test_login_page_has_username_password_and_log_in(anonymous):
    page = anonymous.get("/login").get_data(as_text=True)
    assert 'for="username">Username<' in page and 'for="password">Password<' in page
    assert ">Log in</button>" in page


def test_wrong_password_is_refused_with_a_message(anonymous):
    response = anonymous.attempt_login(ADMIN[0], "nope")
    assert response.status_code == 401
    assert "Wrong username or password" in response.get_data(as_text=True)


def test_login_does_not_redirect_to_another_site(anonymous):
    response = anonymous.attempt_login(*ADMIN, query_string={"next": "//evil.example/"})
    assert response.headers["Location"] == "/distributions"


def test_log_out_ends_the_session(admin):
    token = admin.csrf_token
    admin.http.post("/logout", data={"csrf_token": token})
    assert admin.get("/distributions").status_code == 302
