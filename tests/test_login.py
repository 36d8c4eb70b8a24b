"""The login as an attacker probes it (timing, redirects, the API's throttle) and as a
newcomer meets it (its messages, the navigation, the 403 page)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

import shell.users
from tests.accounts import ADMIN, USER
from tests.helpers import Client, basic

API = "/api/v2.0/p2p/preheat"


@pytest.fixture
def hash_checks(monkeypatch) -> list[str]:
    """The password hashes checked from now on, in order (the checks still run)."""
    checked = []
    real = shell.users.check_password_hash

    def counting(pwhash, password):
        checked.append(pwhash)
        return real(pwhash, password)
    monkeypatch.setattr(shell.users, "check_password_hash", counting)
    return checked


def method_of(pwhash: str) -> str:
    return pwhash.split("$", 1)[0]


def test_an_unknown_user_costs_the_same_password_check_as_a_wrong_password(
        anonymous, hash_checks, app):
    assert anonymous.attempt_login(ADMIN[0], "wrong").status_code == 401
    assert anonymous.attempt_login("nobody-has-this-name", "wrong").status_code == 401
    assert len(hash_checks) == 2, "one password check for each attempt"
    real, dummy = hash_checks
    assert method_of(dummy) == method_of(real) == app.config["PASSWORD_HASH_METHOD"]


def test_basic_auth_with_an_unknown_user_costs_a_password_check_too(app, hash_checks):
    http = app.test_client()
    assert http.get(f"{API}/instances", headers=basic("nobody", "pw")).status_code == 401
    assert http.get(f"{API}/instances", headers=basic(ADMIN[0], "pw")).status_code == 401
    assert [method_of(h) for h in hash_checks] == [app.config["PASSWORD_HASH_METHOD"]] * 2


def test_the_dummy_check_follows_the_configured_method(app_config, tmp_path, hash_checks):
    from app import create_app, upgrade_database
    from tests.helpers import release
    app = create_app({**app_config, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:2000"},
                     instance_path=str(tmp_path / "other"))
    upgrade_database(app)
    Client(app).attempt_login("nobody", "pw")
    release(app)
    assert [method_of(h) for h in hash_checks] == ["pbkdf2:sha256:2000"]


HOSTILE_NEXT = [
    "next=/%09/evil.example", "next=/%0a/evil.example", "next=/%0d%0a/evil.example",
    "next=%0d%0aSet-Cookie:%20a=b", "next=/%0d%0aSet-Cookie:%20a=b",
    "next=//evil.example", "next=///evil.example", "next=%2F%2Fevil.example",
    "next=/%5Cevil.example", "next=%5C%5Cevil.example", "next=/%5C/evil.example",
    "next=https://evil.example/", "next=http:/evil.example", "next=HTTPS:%2F%2Fevil.example",
    "next=javascript:alert(1)", "next=data:text/html,x", "next=evil.example",
    "next=%20//evil.example", "next=%09//evil.example", "next=/%E3%80%80/evil.example",
    "next=/%2F%2Fevil.example", "next=/%00/evil.example", "next=/%7F/evil.example", "next=/%C2%A0/evil.example",
    "next=", "next=/" + "a" * 5000, "next=%ff%fe", "next=@evil.example",
]


def browser_reads(location: str):
    """How a browser parses a Location: tabs and newlines dropped, "\\" as "/"."""
    return urlsplit(re.sub(r"[\t\n\r]", "", location).strip("\x00 ").replace("\\", "/"))


@pytest.mark.parametrize("query", HOSTILE_NEXT)
def test_login_sends_a_hostile_next_to_the_distributions_page(anonymous, query):
    response = anonymous.attempt_login(*ADMIN, query_string=query)
    assert response.status_code == 302
    assert response.headers["Location"] == "/distributions"


@pytest.mark.parametrize("query", HOSTILE_NEXT)
def test_the_login_form_with_a_hostile_next_is_no_error(anonymous, query):
    assert anonymous.http.get("/login", query_string=query).status_code == 200


@pytest.mark.parametrize("query, location", [
    ("next=/audit-log", "/audit-log"),
    ("next=/distributions%3Fpage%3D2", "/distributions?page=2"),
    ("next=/audit-log?outcome=failure%26page=2", "/audit-log?outcome=failure&page=2"),
    ("next=/%252F%252Fevil.example", "/%2F%2Fevil.example"),
])
def test_login_follows_a_next_that_is_a_path_of_this_app(anonymous, query, location):
    response = anonymous.attempt_login(*ADMIN, query_string=query)
    assert response.headers["Location"] == location
    parsed = browser_reads(response.headers["Location"])
    assert not parsed.scheme and not parsed.netloc


def test_login_under_a_prefix_stays_under_it(anonymous):
    response = anonymous.attempt_login(*ADMIN, query_string="next=/elsewhere",
                                       environ_overrides={"SCRIPT_NAME": "/preheat-app"})
    assert response.headers["Location"] == "/preheat-app/distributions"


def test_the_api_throttle_answers_429_with_retry_after_even_to_the_right_password(app):
    http = app.test_client()
    for _ in range(5):
        assert http.get(f"{API}/instances", headers=basic(ADMIN[0], "wrong")).status_code == 401
    response = http.get(f"{API}/instances", headers=basic(*ADMIN))
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 800
    assert "WWW-Authenticate" not in response.headers
    assert response.get_json() == {"errors": [{
        "code": "TOO_MANY_REQUESTS",
        "message": "Too many failed logins. Try again in 15 minutes."}]}
    assert http.patch(f"{API}/instances/x", json={},
                      headers=basic(*ADMIN)).status_code == 429


def test_the_api_throttle_and_the_login_form_count_the_same_failures(app, anonymous):
    for _ in range(5):
        anonymous.attempt_login(ADMIN[0], "wrong")
    response = app.test_client().get(f"{API}/instances", headers=basic(*ADMIN))
    assert response.status_code == 429 and response.headers["Retry-After"]


def flashes(page) -> list[tuple[str, str]]:
    """(role, text) of each message the shell shows above the page."""
    return re.findall(r'<p class="shell-flash[^"]*" role="(\w+)">([^<]*)</p>',
                      page.get_data(as_text=True))


def test_being_sent_to_the_login_page_is_information_not_an_alarm(anonymous):
    page = anonymous.http.get("/distributions", follow_redirects=True)
    assert flashes(page) == [("status", "Please log in to access this page.")]
    assert "shell-flash-info" in page.get_data(as_text=True)


def test_a_wrong_password_is_still_an_alert(anonymous):
    page = anonymous.attempt_login(ADMIN[0], "wrong")
    assert flashes(page) == [("alert", "Wrong username or password.")]


def test_logging_out_says_so(admin):
    page = admin.http.post("/logout", data={"csrf_token": admin.csrf_token},
                           follow_redirects=True)
    assert flashes(page) == [("status", "You have been logged out.")]
    assert admin.http.get("/login").status_code == 200
    assert flashes(admin.http.get("/login")) == [], "said once"


def test_non_sysadmins_see_no_links_into_preheat(user):
    page = user.get("/distributions").get_data(as_text=True)
    assert 'href="/distributions"' not in page and 'href="/audit-log"' not in page
    assert "Log out" in page


def test_sysadmins_see_the_navigation(admin):
    page = admin.get("/distributions").get_data(as_text=True)
    assert 'href="/distributions"' in page and 'href="/audit-log"' in page


def test_the_403_page_says_what_it_is_and_how_to_get_access(user):
    response = user.get("/audit-log")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "<title>No access to P2P preheat" in page
    assert "<h1>No access to P2P preheat</h1>" in page
    assert "Only system administrators can manage P2P preheat providers." in page
    assert f"flask --app app preheat grant-sysadmin {USER[0]}" in page
