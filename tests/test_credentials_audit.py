"""The audit log says "credentials changed" only when the stored secret really changed."""
from sqlalchemy import select

from preheat.models import AuditEntry
from tests.accounts import ADMIN
from tests.helpers import basic, stored

FORM = {"vendor": "dragonfly", "name": "df-prod", "description": "",
        "endpoint": "http://127.0.0.1:9", "auth_mode": "OAUTH", "token": "first-token",
        "enabled": "y"}


def last_update(session) -> str:
    session.expire_all()
    return session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "update")
                           .order_by(AuditEntry.id.desc())).first()


def test_editing_only_the_description_does_not_change_the_credentials(admin, session):
    assert admin.post("/distributions/new", FORM).status_code == 204
    sealed = stored(session).auth_secret
    response = admin.post("/distributions/1/edit", {**FORM, "description": "moved", "token": ""})
    assert response.status_code == 204
    assert "credentials" not in last_update(session)
    assert stored(session).auth_secret == sealed


def test_typing_the_same_token_again_is_no_change(admin, session):
    admin.post("/distributions/new", FORM)
    admin.post("/distributions/1/edit", FORM)
    assert last_update(session) == "no changes"


def test_a_new_token_is_a_change(admin, session):
    admin.post("/distributions/new", FORM)
    admin.post("/distributions/1/edit", {**FORM, "token": "second-token"})
    assert last_update(session) == "credentials changed"


def test_api_patch_of_the_same_auth_mode_is_no_change(app, admin, session):
    admin.post("/distributions/new", FORM)
    response = app.test_client().patch("/api/v2.0/p2p/preheat/instances/df-prod",
                                       json={"auth_mode": "OAUTH"}, headers=basic(*ADMIN))
    assert response.status_code == 200
    assert last_update(session) == "no changes"
