"""Unique secrets go in; they must come out nowhere: pages, partials, errors, logs, database."""
import logging
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

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
                  admin.get("/distributions/999/edit")]
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
    assert any("is inactive" in r.get_data(as_text=True) for r in responses), \
        "the echoing provider's message should still be shown, with the secret removed"
