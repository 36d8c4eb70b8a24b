"""PUT replaces (Harbor's semantics), PATCH changes only what it names; secrets are kept."""
from sqlalchemy import update

from preheat.models import Instance
from preheat.services import instances
from tests.api.conftest import INSTANCE, error_of
from tests.helpers import stored


def credentials(app, session, name):
    return instances.credentials(app.extensions["preheat"].secret_box, stored(session, name))


def test_patch_changes_only_the_fields_sent(api):
    created = api.create(description="keep me", insecure=True, enabled=False)
    response = api.patch("/instances/df-prod", {"endpoint": "http://df2.example"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["endpoint"] == "http://df2.example"
    assert body["description"] == "keep me" and body["insecure"] is True
    assert body["enabled"] is False and body["id"] == created["id"]


def test_patch_with_null_description_clears_it(api):
    api.create(description="old")
    assert api.patch("/instances/df-prod", {"description": None}).get_json()["description"] == ""


def test_put_resets_absent_fields_to_their_defaults(api):
    api.create(description="old", insecure=True, enabled=False, default=True)
    response = api.put("/instances/df-prod", {"name": "df-prod", "endpoint": "http://df.example"})
    body = response.get_json()
    assert response.status_code == 200
    assert body["description"] == "" and body["insecure"] is False
    assert body["enabled"] is True and body["default"] is False


def test_put_of_what_get_returned_changes_nothing(api):
    api.create(description="same", auth_mode="OAUTH", auth_info={"token": "t0k"})
    before = api.get("/instances/df-prod").get_json()
    after = api.put("/instances/df-prod", before)
    assert after.status_code == 200 and after.get_json() == before


def test_put_with_empty_auth_info_and_same_mode_keeps_the_stored_secret(app, api, session):
    api.create(auth_mode="BASIC", auth_info={"username": "ops", "password": "s3cret"})
    response = api.put("/instances/df-prod", {**INSTANCE, "auth_mode": "BASIC",
                                              "auth_info": {}})
    assert response.status_code == 200
    stored = credentials(app, session, "df-prod")
    assert (stored.username, stored.password) == ("ops", "s3cret")


def test_put_with_blank_password_keeps_it_and_takes_the_new_username(app, api, session):
    api.create(auth_mode="BASIC", auth_info={"username": "ops", "password": "s3cret"})
    api.put("/instances/df-prod", {**INSTANCE, "auth_mode": "BASIC",
                                   "auth_info": {"username": "ops2", "password": ""}})
    stored = credentials(app, session, "df-prod")
    assert (stored.username, stored.password) == ("ops2", "s3cret")


def test_a_new_auth_mode_needs_its_secrets(api):
    api.create(auth_mode="BASIC", auth_info={"username": "ops", "password": "s3cret"})
    response = api.patch("/instances/df-prod", {"auth_mode": "OAUTH"})
    assert response.status_code == 400 and error_of(response)["field"] == "auth_info.token"


def test_put_without_auth_mode_drops_the_credentials(app, api, session):
    api.create(auth_mode="OAUTH", auth_info={"token": "t0k"})
    body = api.put("/instances/df-prod", INSTANCE).get_json()
    assert body["auth_mode"] == "NONE"
    assert credentials(app, session, "df-prod").token is None


def test_a_rejected_change_leaves_the_instance_as_it_was(api):
    api.create(description="before")
    response = api.patch("/instances/df-prod", {"description": "after", "endpoint": "nope"})
    assert response.status_code == 400
    assert api.get("/instances/df-prod").get_json()["description"] == "before"


def test_setting_default_takes_it_from_the_previous_default(api):
    api.create(name="first", endpoint="http://first.example", default=True)
    api.create(name="second", endpoint="http://second.example")
    assert api.patch("/instances/second", {"default": True}).status_code == 200
    defaults = [i["name"] for i in api.get("/instances?q=default=true").get_json()]
    assert defaults == ["second"]
    assert api.get("/instances/first").get_json()["default"] is False


def test_changing_the_endpoint_forgets_the_stored_health(api, session):
    api.create()
    session.execute(update(Instance).values(health_status="healthy"))
    session.commit()
    assert api.get("/instances/df-prod").get_json()["status"] == "Healthy"
    api.patch("/instances/df-prod", {"endpoint": "http://moved.example"})
    assert api.get("/instances/df-prod").get_json()["status"] == "Unknown"


def test_patch_to_a_taken_name_is_409(api):
    api.create()
    api.create(name="other", endpoint="http://other.example")
    response = api.patch("/instances/other", {"name": "df-prod"})
    assert response.status_code == 409 and error_of(response)["field"] == "name"


def test_credentials_no_key_can_open_are_a_409_until_replaced(api, session):
    api.create(auth_mode="BASIC", auth_info={"username": "ops", "password": "s3cret"})
    session.execute(update(Instance).values(auth_secret="sealed-with-a-lost-key"))
    session.commit()
    assert api.get("/instances/df-prod").status_code == 200
    kept = api.patch("/instances/df-prod", {"auth_info": {"password": ""}})
    assert kept.status_code == 409 and error_of(kept)["field"] == "auth_info"
    replaced = api.patch("/instances/df-prod", {"auth_info": {"username": "ops",
                                                              "password": "new"}})
    assert replaced.status_code == 200
    ping = api.post("/instances/ping", {"id": replaced.get_json()["id"]})
    assert ping.status_code == 400
