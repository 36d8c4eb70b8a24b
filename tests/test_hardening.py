"""Login throttling, cookie flags, security headers and database outages."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from app import db
from shell.users import LoginFailure
from tests.accounts import ADMIN, USER
from tests.helpers import Client, basic
from tests.tcp_proxy import TcpProxy


def attempt(client, username, password, address="10.0.0.1"):
    return client.attempt_login(username, password, environ_base={"REMOTE_ADDR": address})


def test_failed_logins_are_throttled_per_user_and_address(anonymous):
    for _ in range(5):
        assert attempt(anonymous, ADMIN[0], "wrong").status_code == 401
    blocked = attempt(anonymous, *ADMIN)
    assert blocked.status_code == 429
    assert "Too many failed logins. Try again in 15 minutes." in blocked.get_data(as_text=True)
    assert int(blocked.headers["Retry-After"]) > 800
    assert attempt(anonymous, *ADMIN, address="10.0.0.2").status_code == 302
    assert attempt(anonymous, *USER).status_code == 302


def test_one_address_guessing_many_users_is_throttled_too(anonymous):
    for number in range(30):
        attempt(anonymous, f"user{number}", "wrong")
    assert attempt(anonymous, *USER).status_code == 429


def test_throttle_ends_when_the_failures_age_out(anonymous, app):
    for _ in range(5):
        attempt(anonymous, ADMIN[0], "wrong")
    assert attempt(anonymous, *ADMIN).status_code == 429
    old = datetime.now(timezone.utc) - timedelta(hours=1)
    with app.app_context():
        db.session.execute(update(LoginFailure).values(failed_at=old))
        db.session.commit()
    assert attempt(anonymous, *ADMIN).status_code == 302


def test_session_cookie_is_httponly_lax_and_secure_over_https(app):
    for base, secure in (("http://localhost", False), ("https://localhost", True)):
        response = Client(app).attempt_login(*ADMIN, base_url=base,
                                             headers={"Referer": base + "/login"})
        assert response.status_code == 302
        cookie = next(v for k, v in response.headers.items()
                      if k == "Set-Cookie" and v.startswith("session="))
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) is secure


@pytest.mark.parametrize("url, htmx", [("/login", False), ("/distributions", False),
                                       ("/distributions", True), ("/distributions/new", True)])
def test_every_page_carries_the_security_headers(admin, url, htmx):
    headers = admin.get(url, htmx=htmx).headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy and "unsafe-inline" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_scripts_or_styles(admin):
    for url in ("/distributions", "/distributions/new", "/login"):
        html = admin.get(url).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and "hx-on" not in html
        assert "<script src=" in html or url == "/login"


@pytest.fixture
def proxied_postgres(app_config, database_url):
    """Run the app through a TCP proxy in front of PostgreSQL, which the test can cut."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("the outage test cuts a PostgreSQL connection")
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    app_config["SQLALCHEMY_DATABASE_URI"] = url.set(host="127.0.0.1", port=proxy.port) \
        .render_as_string(hide_password=False)
    yield proxy
    proxy.close()


def test_database_outage_is_a_503_and_recovers_by_itself(proxied_postgres, admin):
    assert admin.get("/distributions").status_code == 200
    proxied_postgres.cut()
    page = admin.get("/distributions")
    assert page.status_code == 503
    assert "cannot reach its database" in page.get_data(as_text=True)
    partial = admin.get("/distributions", htmx=True)
    assert partial.status_code == 503 and partial.content_type.startswith("text/plain")
    assert admin.http.get("/login").status_code == 503
    api = admin.http.get("/api/v2.0/p2p/preheat/instances")
    assert api.status_code == 503
    assert api.get_json()["errors"][0]["code"] == "SERVICE_UNAVAILABLE"
    proxied_postgres.restore()
    assert admin.get("/distributions").status_code == 200


@pytest.mark.parametrize("username", ["ad\x00min", "\x00", "a" * 65, "\u202eadmin"])
def test_odd_usernames_are_refused_like_wrong_ones(anonymous, username):
    response = attempt(anonymous, username, "whatever")
    assert response.status_code in (400, 401)
    assert anonymous.http.get("/api/v2.0/p2p/preheat/instances",
                              headers=basic(username, "pw")).status_code == 401
