"""Unique secrets go in; they must come out nowhere: pages, partials, errors, logs, database."""
import logging
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from preheat.models import AuditEntry, Instance
from tests.accounts import ADMIN
from tests.helpers import basic, own_session, stored
from tests.providers import hostile
from tests.providers.server import QuietHandler, serve


class EchoingProvider(QuietHandler):
    """A careless Dragonfly that repeats the token it got in its error message."""

    def do_GET(self):
        if self.path == "/healthy":
            return self.send_json(200, "OK")
        token = self.headers.get("Authorization", "").partition(" ")[2]
        self.send_json(403, {"message": f"Token {token} is inactive"})


@pytest.fixture
def canaries():
    return {name: f"canary-{name}-{secrets.token_hex(8)}" for name in
            ("token", "password", "echoed", "rejected")}


@pytest.fixture
def echoing(started):
    return started(serve, EchoingProvider)


def visit_everything(admin, dragonfly, kraken, echoing, canaries):
    """Create instances with the canaries and look at every page; return all responses."""
    base = {"vendor": "dragonfly", "enabled": "y"}
    forms = [
        {**base, "name": "df", "endpoint": dragonfly.url, "auth_mode": "OAUTH",
         "token": canaries["token"]},
        {**base, "vendor": "kraken", "name": "kr", "endpoint": kraken.url, "auth_mode": "BASIC",
         "username": "ops", "password": canaries["password"]},
        {**base, "name": "echo", "endpoint": echoing.url, "auth_mode": "OAUTH",
         "token": canaries["echoed"]},
    ]
    responses = [admin.post("/distributions/new", form) for form in forms]
    responses.append(admin.post("/distributions/new", {**forms[0], "name": "-invalid-",
                                                       "token": canaries["rejected"]}))
    responses.append(admin.post("/distributions/test-connection", forms[2]))
    responses.append(admin.post("/distributions/test-connection",
                                {**forms[1], "password": canaries["rejected"]}))
    for instance_id in (1, 2, 3):
        responses += [admin.post(f"/distributions/{instance_id}/check"),
                      admin.post(f"/distributions/{instance_id}/test-connection",
                                 {**forms[instance_id - 1], "token": "", "password": ""}),
                      admin.get(f"/distributions/{instance_id}/edit", htmx=True),
                      admin.get(f"/distributions/{instance_id}/edit"),
                      admin.post(f"/distributions/{instance_id}/edit",
                                 {**forms[instance_id - 1], "name": "--bad--",
                                  "token": "", "password": ""})]
    assert admin.app.extensions["preheat"].health.wait_idle(10), "checks did not finish"
    responses += [admin.get(f"/distributions/{i}/status", htmx=True) for i in (1, 2, 3)]
    responses += [admin.get("/distributions"), admin.get("/distributions", htmx=True),
                  admin.post("/distributions/refresh"),
                  admin.get("/distributions/actions/edit?instance=1", htmx=True),
                  admin.get("/distributions/actions/delete/confirm?instance=1&instance=2",
                            htmx=True),
                  admin.get("/distributions/actions/deactivate/confirm?instance=3"),
                  admin.get("/distributions/999/edit"), admin.get("/metrics")]
    return responses


def database_dump(app) -> bytes:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        files = [Path(url.database + suffix) for suffix in ("", "-wal", "-journal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    if not shutil.which("pg_dump"):
        pytest.fail("pg_dump is needed to dump the PostgreSQL database")
    return subprocess.run(
        ["pg_dump", "--data-only", "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432),
         "-U", url.username or "postgres", url.database],
        check=True, capture_output=True).stdout


def test_canaries_appear_nowhere_but_encrypted(app, admin, dragonfly, kraken, echoing,
                                                canaries, caplog):
    caplog.set_level(logging.DEBUG)
    dragonfly.state["tokens"][canaries["token"]] = "active"
    responses = visit_everything(admin, dragonfly, kraken, echoing, canaries)
    assert {r.status_code for r in responses} <= {200, 204, 404, 422}
    dump = database_dump(app)
    for canary in canaries.values():
        for response in responses:
            assert canary not in response.get_data(as_text=True), response.request.path
            assert canary not in str(response.headers)
        assert canary not in caplog.text
        assert canary.encode() not in dump
    assert b"gAAAAA" in dump, "the dump holds no Fernet tokens: nothing was stored encrypted"
    assert any("(its message repeated the token, so it is not shown). Activate the token"
               in r.get_data(as_text=True) for r in responses), \
        "the echoing provider's message should be dropped, and its meaning kept"


# A hostile provider: whatever it is sent comes back, disguised, wherever an
# answer can carry text. Nothing derived from a canary may come out anywhere.

API = "/api/v2.0/p2p/preheat"
RUN = 8  # letters and digits in a row that count as a piece of a canary


def hostile_canary() -> str:
    """A random secret with letters of both cases and characters URL-encoding changes."""
    text = secrets.token_urlsafe(18)
    return f"{text[:8]}/{text[8:16]}+{text[16:]}"


def flat(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def pieces_of(canary: str) -> set[str]:
    """Every run of RUN letters and digits of the canary in each of its disguises."""
    runs = set()
    for form in (canary, *hostile.disguises(canary).values()):
        text = flat(form)
        runs.update(text[i:i + RUN] for i in range(len(text) - RUN + 1))
    return runs


def leaks(haystack: str, canary: str) -> list[str]:
    text = flat(haystack)
    return sorted(run for run in pieces_of(canary) if run in text)


def api_call(app, method: str, path: str, json=None):
    return app.test_client().open(API + path, method=method, json=json, headers=basic(*ADMIN))


def hostile_visit(app, admin, saved, unsaved, canaries):
    """Create an instance at `saved` and use every way to check it; return all answers."""
    token, other = canaries
    form = {"vendor": "dragonfly", "name": "df-echo", "endpoint": saved.url,
            "auth_mode": "OAUTH", "token": token, "enabled": "y"}
    responses = [admin.post("/distributions/new", form),
                 admin.post("/distributions/test-connection",
                            {**form, "endpoint": unsaved.url, "token": other}),
                 admin.post("/distributions/1/test-connection", {**form, "token": ""}),
                 admin.post("/distributions/1/check")]
    assert app.extensions["preheat"].health.wait_idle(10), "checks did not finish"
    responses += [admin.get("/distributions/1/status", htmx=True),
                  admin.get("/distributions"), admin.get("/distributions/1/edit"),
                  admin.get("/audit-log"), admin.get("/audit-log", htmx=True)]
    unsaved_ping = {"vendor": "dragonfly", "endpoint": unsaved.url, "auth_mode": "OAUTH",
                    "auth_info": {"token": other}}
    responses += [api_call(app, "POST", "/instances/ping", {"id": 1}),
                  api_call(app, "POST", "/instances/ping", unsaved_ping),
                  api_call(app, "GET", "/instances/df-echo/health?refresh=true"),
                  api_call(app, "GET", "/instances/df-echo"),
                  api_call(app, "GET", "/instances"),
                  api_call(app, "GET", "/audit-logs?page_size=100")]
    return responses


EXPECTED = {
    "message": "its message repeated the token, so it is not shown",
    "error": "HTTP 500 Internal Server Error from GET /healthy.",
    "body": "expected a JSON list of jobs, got other text",
    "redirect": "was redirected to another page",
}


@pytest.mark.parametrize("where", hostile.WHERE)
def test_a_hostile_providers_echo_of_the_token_comes_out_nowhere(app, admin, started, caplog,
                                                                   where):
    caplog.set_level(logging.DEBUG)
    canaries = (hostile_canary(), hostile_canary())
    saved, unsaved = started(hostile.serve, where), started(hostile.serve, where)
    responses = hostile_visit(app, admin, saved, unsaved, canaries)
    assert {r.status_code for r in responses} <= {200, 204, 400}
    for server, canary in zip((saved, unsaved), canaries):
        assert canary in server.state.get("seen", []), "the provider never got the token"
    with own_session(app) as session:
        stored_health = " ".join(r or "" for r in session.scalars(
            select(Instance.health_reason)))
        audit_details = " ".join(r or "" for r in session.scalars(select(AuditEntry.detail)))
    assert EXPECTED[where] in stored_health + audit_details
    places = {f"{r.request.method} {r.request.path}": r.get_data(as_text=True)
              + str(r.headers) for r in responses}
    places |= {"stored health": stored_health, "audit log": audit_details,
               "log": caplog.text, "database": database_dump(app).decode(errors="replace")}
    for canary in canaries:
        found = {place: leaks(text, canary) for place, text in places.items()}
        assert not any(found.values()), {place: runs for place, runs in found.items() if runs}


def test_a_stored_token_is_not_sent_to_an_endpoint_changed_in_the_edit_dialog(
        app, admin, dragonfly, started, canaries, session):
    """The attack: edit, point the endpoint at your own server, leave the token blank, test."""
    attacker = started(hostile.serve, "message")
    dragonfly.state["tokens"][canaries["token"]] = "active"
    form = {"vendor": "dragonfly", "name": "df", "endpoint": dragonfly.url,
            "auth_mode": "OAUTH", "token": canaries["token"], "enabled": "y"}
    assert admin.post("/distributions/new", form).status_code == 204
    dialog = admin.get("/distributions/1/edit", htmx=True).get_data(as_text=True)
    assert "it is only sent to " + dragonfly.url in dialog
    response = admin.post("/distributions/1/test-connection",
                          {**form, "endpoint": attacker.url, "token": ""})
    assert response.status_code == 200
    assert "Type the token again: a stored token is only sent to the endpoint it was saved" \
           f" with ({dragonfly.url})." in response.get_data(as_text=True)
    assert attacker.requests == [], "the attacker's server was contacted"
    assert admin.post("/distributions/1/edit", {**form, "endpoint": attacker.url,
                                                "token": ""}).status_code == 422
    assert attacker.requests == []
    assert stored(session, "df").endpoint == dragonfly.url


def test_a_registry_password_given_to_the_api_comes_out_nowhere_but_encrypted(app, tmp_path,
                                                                              caplog):
    """Create, test, change, list and audit a registry with a unique password, by the API."""
    from tests.registry.server import start_registry
    caplog.set_level(logging.DEBUG)
    canary, wrong = hostile_canary(), hostile_canary()
    running = start_registry(tmp_path / "registry", users={"alice": canary})
    try:
        client = app.test_client()

        def call(method, path, json=None):
            return client.open("/api/v2.0" + path, method=method, json=json,
                               headers=basic(*ADMIN))
        credential = {"type": "basic", "access_key": "alice", "access_secret": canary}
        responses = [
            call("POST", "/registries", {"name": "hub", "url": running.url,
                                         "credential": credential}),
            call("POST", "/registries", {"name": "bad name", "url": running.url,
                                         "credential": credential}),
            call("POST", "/registries/ping", {"id": 1}),
            call("POST", "/registries/ping", {"id": 1, "access_secret": wrong}),
            call("POST", "/registries/ping", {"url": running.url, "access_key": "alice",
                                              "access_secret": wrong}),
            call("PUT", "/registries/1", {"description": "kept", "access_secret": ""}),
            call("GET", "/registries/1"), call("GET", "/registries"),
            call("GET", "/p2p/preheat/audit-logs?page_size=100")]
    finally:
        running.stop()
    assert [r.status_code for r in responses] == [201, 400, 200, 400, 400, 200, 200, 200, 200]
    dump = database_dump(app).decode(errors="replace")
    places = {f"{r.request.method} {r.request.path}": r.get_data(as_text=True) + str(r.headers)
              for r in responses}
    places |= {"log": caplog.text, "database": dump}
    for secret in (canary, wrong):
        found = {place: leaks(text, secret) for place, text in places.items()}
        assert not any(found.values()), {place: runs for place, runs in found.items() if runs}


def test_a_webhook_secret_comes_out_only_in_the_answer_that_generated_it(app, admin, caplog):
    """Generate a registry's webhook secret, use it, look everywhere it could show."""
    caplog.set_level(logging.DEBUG)
    client = app.test_client()

    def call(method, path, **options):
        return client.open("/api/v2.0" + path, method=method, headers=basic(*ADMIN), **options)
    assert call("POST", "/registries", json={"name": "hub", "url": "http://127.0.0.1:9"}
                ).status_code == 201
    generated = call("POST", "/registries/1/webhook-secret")
    secret = generated.get_json()["headers"]["Authorization"].partition(" ")[2]
    envelope = {"events": [{"id": "e1", "action": "push", "target": {
        "repository": "library/app", "tag": "1.0", "digest": "sha256:" + "a" * 64,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json"}}]}
    responses = [
        client.post("/api/v2.0/registries/1/events", json=envelope,
                    headers={"Authorization": f"Bearer {secret}"}),
        client.post("/api/v2.0/registries/1/events", json=envelope,
                    headers={"Authorization": f"Bearer {secret}x"}),
        call("GET", "/registries/1"), call("GET", "/registries"),
        call("GET", "/p2p/preheat/audit-logs?page_size=100"),
        admin.get("/registries/1/webhook", htmx=True), admin.get("/registries/1/webhook"),
        admin.get("/registries/1/edit", htmx=True), admin.get("/registries/1/webhook/confirm"),
        admin.get("/audit-log")]
    assert [r.status_code for r in responses] == [200, 401, 200, 200, 200, 200, 200, 200, 200,
                                                  200]
    places = {f"{r.request.method} {r.request.path}": r.get_data(as_text=True) + str(r.headers)
              for r in responses}
    places |= {"log": caplog.text, "database": database_dump(app).decode(errors="replace")}
    found = {place: leaks(text, secret) for place, text in places.items()}
    assert not any(found.values()), {place: runs for place, runs in found.items() if runs}
