"""A session ends when it should: at logout, on a new password, with its user; and a
CSRF token never outlives the session it was issued to."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app import User, create_user, db
from preheat.models import AuditEntry, Instance
from tests.accounts import ADMIN, USER
from tests.helpers import Client, add_instances, basic

API = "/api/v2.0/p2p/preheat"
INSTANCE = {"vendor": "dragonfly", "name": "df-prod", "endpoint": "http://df.example:8080"}
ELSEWHERE = {"REMOTE_ADDR": "198.51.100.7", "HTTP_USER_AGENT": "curl/8.0"}


def captured(client: Client) -> str:
    """The session cookie a logged-in browser holds, as an eavesdropper would copy it."""
    return client.http.get_cookie("session").value


def replay(app, cookie: str):
    """A client elsewhere (another address and browser) that presents a copied cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def log_out(client: Client) -> None:
    response = client.http.post("/logout", data={"csrf_token": client.csrf_token})
    assert response.status_code == 302


def patch_description(http, token: str, text: str = "changed"):
    return http.patch(f"{API}/instances/df-prod", json={"description": text},
                      headers={"X-CSRFToken": token}, environ_base=ELSEWHERE)


def _instance(app) -> Instance:
    return db.session.scalar(select(Instance).where(Instance.name == "df-prod"))


def run(app, *args, input=None):
    result = app.test_cli_runner().invoke(args=["preheat", *args], input=input)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def instance(app):
    add_instances(app, {**INSTANCE, "description": "original"})


def test_a_cookie_copied_before_logout_opens_nothing_after_it(app, admin, instance):
    cookie, token = captured(admin), admin.csrf_token
    assert replay(app, cookie).get("/distributions", environ_base=ELSEWHERE).status_code == 200
    log_out(admin)

    thief = replay(app, cookie)
    page = thief.get("/distributions", environ_base=ELSEWHERE)
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert thief.get(f"{API}/instances", environ_base=ELSEWHERE).status_code == 401
    assert patch_description(thief, token).status_code == 401
    with app.app_context():
        assert _instance(app).description == "original"
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "update")) is None


def test_logout_ends_the_users_sessions_in_every_browser(app, admin):
    other_browser = Client(app).login(*ADMIN)
    colleague = Client(app).login(*USER)
    log_out(admin)
    assert other_browser.get("/distributions").status_code == 302
    assert colleague.get("/distributions").status_code == 403, "only the user's own sessions end"
    assert Client(app).login(*ADMIN).get("/distributions").status_code == 200


def test_a_csrf_token_from_before_the_login_is_refused_after_it(app, anonymous, instance):
    before = anonymous.token_from(anonymous.http.get("/login"))
    anonymous.login(*ADMIN)
    assert anonymous.csrf_token != before
    assert patch_description(anonymous.http, before).status_code == 403
    refused = anonymous.http.post("/distributions/new", data={"csrf_token": before},
                                  headers={"HX-Request": "true"})
    assert refused.status_code == 400
    assert patch_description(anonymous.http, anonymous.csrf_token).status_code == 200


def test_a_csrf_token_from_before_the_logout_is_refused_after_the_next_login(app, admin, instance):
    before = admin.csrf_token
    log_out(admin)
    admin.login(*ADMIN)
    assert patch_description(admin.http, before).status_code == 403


def test_logging_out_and_in_again_keeps_a_valid_login_working(app, admin):
    log_out(admin)
    admin.login(*ADMIN)
    assert admin.get("/distributions").status_code == 200


def test_a_new_password_ends_every_session(app, admin):
    cookie = captured(admin)
    run(app, "set-password", ADMIN[0], input="new-password\nnew-password\n")
    assert admin.get("/distributions").status_code == 302
    assert replay(app, cookie).get("/distributions").status_code == 302
    assert Client(app).attempt_login(*ADMIN).status_code == 401
    assert Client(app).login(ADMIN[0], "new-password").get("/distributions").status_code == 200


def test_a_deactivated_user_loses_their_sessions_and_cannot_log_in(app, admin):
    run(app, "deactivate-user", ADMIN[0])
    assert admin.get("/distributions").status_code == 302
    refused = Client(app).attempt_login(*ADMIN)
    assert refused.status_code == 403
    assert "deactivated" in refused.get_data(as_text=True)
    assert app.test_client().get(f"{API}/instances", headers=basic(*ADMIN)).status_code == 401
    run(app, "activate-user", ADMIN[0])
    assert Client(app).login(*ADMIN).get("/distributions").status_code == 200


def test_a_deleted_users_cookie_does_not_pass_to_a_new_user_with_the_same_id(app, admin):
    cookie = captured(admin)
    with app.app_context():
        old_id = db.session.scalar(select(User.id).where(User.username == ADMIN[0]))
    run(app, "delete-user", ADMIN[0])
    assert replay(app, cookie).get("/distributions").status_code == 302
    with app.app_context():
        db.session.add(User(id=old_id, username="mallory", password_hash="x", is_sysadmin=True))
        db.session.commit()
    assert replay(app, cookie).get("/distributions").status_code == 302


def test_a_cookie_naming_only_a_user_id_is_refused(app):
    forged = app.test_client()
    with forged.session_transaction() as session:
        with app.app_context():
            session["_user_id"] = str(db.session.scalar(
                select(User.id).where(User.username == ADMIN[0])))
    assert forged.get("/distributions").status_code == 302


def test_granting_and_revoking_sysadmin_takes_effect_at_the_next_request(app, user):
    assert user.get("/distributions").status_code == 403
    run(app, "grant-sysadmin", USER[0])
    assert user.get("/distributions").status_code == 200
    run(app, "revoke-sysadmin", USER[0])
    assert user.get("/distributions").status_code == 403


@pytest.mark.parametrize("command", ["set-password", "grant-sysadmin", "deactivate-user",
                                     "activate-user", "delete-user"])
def test_user_commands_name_a_missing_user(app, command):
    result = app.test_cli_runner().invoke(args=["preheat", command, "nobody"],
                                          input="pw\npw\n")
    assert result.exit_code != 0 and "There is no user 'nobody'" in result.output


def test_new_users_each_get_a_generation_of_their_own(app):
    with app.app_context():
        create_user("bob", "pw", False)
        create_user("carol", "pw", False)
        db.session.commit()
        generations = db.session.scalars(select(User.session_generation)).all()
    assert len(set(generations)) == len(generations) == 4


def test_a_new_secret_key_ends_sessions_unless_the_old_one_is_kept_as_a_fallback(app, admin):
    assert admin.get("/distributions").status_code == 200
    app.config["SECRET_KEY_FALLBACKS"] = [app.secret_key]
    app.secret_key = "a-new-secret-key"
    assert admin.get("/distributions").status_code == 200
    app.config["SECRET_KEY_FALLBACKS"] = []
    refused = admin.get("/distributions", htmx=True)
    assert refused.status_code == 401 and refused.headers["HX-Refresh"] == "true"
