"""A stored secret goes only to the endpoint origin it was saved with: elsewhere, type it again."""
import pytest

from preheat.services import instances
from tests.accounts import ADMIN
from tests.helpers import basic, stored
from tests.providers import hostile

API = "/api/v2.0/p2p/preheat"
TOKEN = "origin-canary-token"
FORM = {"vendor": "dragonfly", "name": "df-prod", "description": "", "auth_mode": "OAUTH",
        "token": TOKEN, "enabled": "y"}
RETYPE = "Type the token again: a stored token is only sent to the endpoint it was saved with"


@pytest.fixture
def saved(admin, dragonfly):
    """An OAuth instance at the Dragonfly stand-in, whose token it accepts."""
    dragonfly.state["tokens"][TOKEN] = "active"
    response = admin.post("/distributions/new", {**FORM, "endpoint": dragonfly.url})
    assert response.status_code == 204
    return {**FORM, "endpoint": dragonfly.url, "token": ""}


@pytest.fixture
def attacker(started):
    return started(hostile.serve, "message")


def api(app, method, path, json=None):
    return app.test_client().open(API + path, method=method, json=json, headers=basic(*ADMIN))


def stored_token(app, session) -> str:
    with app.app_context():
        return instances.credentials(app.extensions["preheat"].secret_box,
                                     stored(session)).token


@pytest.mark.parametrize("moved", ["http://localhost:{port}", "http://127.0.0.1:{other}",
                                   "https://127.0.0.1:{port}"])
def test_saving_a_new_origin_with_a_blank_token_asks_for_it(admin, saved, dragonfly, session,
                                                             moved):
    port = int(dragonfly.url.rsplit(":", 1)[1])
    endpoint = moved.format(port=port, other=port + 1 if port < 65535 else port - 1)
    response = admin.post("/distributions/1/edit", {**saved, "endpoint": endpoint})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="preheat-field-token-error">' + RETYPE in page
    assert stored(session).endpoint == dragonfly.url


def test_saving_a_new_origin_with_the_token_typed_again(admin, saved, attacker, session, app):
    response = admin.post("/distributions/1/edit", {**saved, "endpoint": attacker.url,
                                                    "token": "typed-again"})
    assert response.status_code == 204
    assert stored(session).endpoint == attacker.url
    assert stored_token(app, session) == "typed-again"


def test_a_new_path_on_the_same_origin_keeps_the_token(admin, saved, dragonfly, session, app):
    response = admin.post("/distributions/1/edit", {**saved, "endpoint": dragonfly.url + "/df"})
    assert response.status_code == 204
    assert stored_token(app, session) == TOKEN


def test_test_connection_at_the_saved_origin_uses_the_stored_token(admin, saved, dragonfly):
    html = admin.post("/distributions/1/test-connection", saved).get_data(as_text=True)
    assert "accepted the personal access token" in html


def test_the_edit_dialog_says_where_the_stored_token_goes(admin, saved, dragonfly):
    page = admin.get("/distributions/1/edit", htmx=True).get_data(as_text=True)
    assert (f"Leave empty to keep the stored token; it is only sent to {dragonfly.url}."
            " After changing the endpoint&#39;s scheme, host or port, or the auth mode,"
            " type it again.") in page


def test_api_patch_of_the_origin_needs_the_token(app, saved, attacker, session):
    response = api(app, "PATCH", "/instances/df-prod", {"endpoint": attacker.url})
    assert response.status_code == 400
    error = response.get_json()["errors"][0]
    assert error["field"] == "auth_info.token" and RETYPE in error["message"]
    assert stored(session).endpoint != attacker.url
    response = api(app, "PATCH", "/instances/df-prod",
                   {"endpoint": attacker.url, "auth_info": {"token": "typed-again"}})
    assert response.status_code == 200
    assert stored_token(app, session) == "typed-again"


def test_api_put_of_the_origin_needs_the_token(app, saved, attacker, session):
    response = api(app, "PUT", "/instances/df-prod",
                   {"name": "df-prod", "endpoint": attacker.url, "auth_mode": "OAUTH"})
    assert response.status_code == 400
    assert RETYPE in response.get_json()["errors"][0]["message"]
    assert attacker.requests == []


def test_api_patch_of_the_path_keeps_the_token(app, saved, dragonfly, session):
    response = api(app, "PATCH", "/instances/df-prod", {"endpoint": dragonfly.url + "/df"})
    assert response.status_code == 200
    assert stored_token(app, session) == TOKEN


def test_api_ping_of_a_stored_instance_checks_it_where_it_was_saved(app, saved, dragonfly,
                                                                     attacker):
    response = api(app, "POST", "/instances/ping", {"id": 1, "endpoint": attacker.url,
                                                    "vendor": "dragonfly"})
    assert response.status_code == 200
    assert attacker.requests == []


def test_test_connection_of_a_new_origin_with_a_blank_token_sends_nothing(admin, saved,
                                                                          attacker):
    html = admin.post("/distributions/1/test-connection",
                      {**saved, "endpoint": attacker.url}).get_data(as_text=True)
    assert RETYPE in html
    assert attacker.requests == []
