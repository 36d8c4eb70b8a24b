"""The registry's webhook dialog: its URL, the block to paste, Generate secret shown once."""
from preheat.models import AuditEntry
from preheat.services import registries
from tests.helpers import basic
from tests.accounts import ADMIN


def make_registry(session, box):
    return registries.create(session, box, {"name": "hub", "url": "http://registry.example"})


def test_the_webhook_dialog_shows_the_url_and_the_block_without_a_secret(admin, session, box):
    registry = make_registry(session, box)
    page = admin.get(f"/registries/{registry.id}/webhook", htmx=True).get_data(as_text=True)
    assert f"/api/v2.0/registries/{registry.id}/events" in page
    assert "notifications:" in page and "Authorization: [&#34;Bearer" in page
    assert "No secret yet" in page


def test_generate_secret_shows_it_once_then_only_its_last_four(admin, session, box, app):
    registry = make_registry(session, box)
    confirm = admin.get(f"/registries/{registry.id}/webhook/confirm", htmx=True)
    assert "Generate a new webhook secret for" in confirm.get_data(as_text=True)
    answer = admin.post(f"/registries/{registry.id}/webhook/secret", htmx=True)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    session.expire_all()
    hint = session.get(type(registry), registry.id).webhook_secret_hint
    shown = answer.get_data(as_text=True)
    secret = shown.split("New secret: <code>", 1)[1].split("</code>", 1)[0]
    assert secret.endswith(hint) and len(secret) >= 40
    assert f"Bearer {secret}" in shown
    again = admin.get(f"/registries/{registry.id}/webhook", htmx=True).get_data(as_text=True)
    assert secret not in again and f"ending in <code>{hint}</code>" in again
    assert session.query(AuditEntry).filter_by(object_type="registry", action="update").filter(
        AuditEntry.detail.like("%webhook secret%")).count() == 1


def test_the_api_generates_a_secret_that_only_its_answer_holds(app, session, box):
    registry = make_registry(session, box)
    client = app.test_client()
    answer = client.post(f"/api/v2.0/registries/{registry.id}/webhook-secret",
                         headers=basic(*ADMIN))
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["url"].endswith(f"/api/v2.0/registries/{registry.id}/events")
    value = body["headers"]["Authorization"]
    assert value.startswith("Bearer ")
    shown = client.get(f"/api/v2.0/registries/{registry.id}", headers=basic(*ADMIN)).get_json()
    assert shown["webhook_url"] == body["url"]
    assert shown["webhook_secret_hint"] == value[-4:]
    assert value[7:] not in str(shown)
    events = client.post(body["url"], json={"events": []}, headers={"Authorization": value})
    assert events.status_code == 200
    newer = client.post(f"/api/v2.0/registries/{registry.id}/webhook-secret",
                        headers=basic(*ADMIN)).get_json()["headers"]["Authorization"]
    assert client.post(body["url"], json={"events": []},
                       headers={"Authorization": value}).status_code == 401
    assert client.post(body["url"], json={"events": []},
                       headers={"Authorization": newer}).status_code == 200


def test_a_bad_envelope_with_the_right_secret_is_a_400_naming_the_field(app, session, box):
    registry = make_registry(session, box)
    client = app.test_client()
    value = client.post(f"/api/v2.0/registries/{registry.id}/webhook-secret",
                        headers=basic(*ADMIN)).get_json()["headers"]["Authorization"]
    url = f"/api/v2.0/registries/{registry.id}/events"
    answer = client.post(url, json={"events": [{"id": "x", "action": "push"}]},
                         headers={"Authorization": value})
    assert answer.status_code == 400
    assert answer.get_json()["errors"][0]["field"] == "events.0.target"
    plain = {"Authorization": value, "Content-Type": "text/plain"}
    assert client.post(url, data="nope", headers=plain).status_code == 415
