"""Registry passwords, the Basic header and pull tokens sent to Dragonfly come out nowhere.

Two registries with unique passwords (one Basic, one behind a token service),
one execution each against the Dragonfly stand-in, then every page, API
answer, log line and database value is searched for the passwords and for
the exact Authorization values the stand-in was given (which it echoes in
`args` of its job answers).
"""
from __future__ import annotations

import base64
import logging

import pytest
from sqlalchemy import String, Text, select

from preheat.models import Base, Registry, Task
from preheat.transport import Credentials
from tests.accounts import ADMIN
from tests.executions.conftest import PAT, wait_for
from tests.helpers import basic, own_session
from tests.registry.fixtures import pusher_for
from tests.registry.server import start_registry
from tests.registry.tokens import ISSUER, SERVICE, serve_tokens
from tests.test_secret_canaries import database_dump, hostile_canary, leaks

USER = "alice"
TRIGGER = '{"type":"manual","trigger_setting":{}}'
FILTERS = '[{"type":"repository","value":"**"},{"type":"tag","value":"1.*"}]'


@pytest.fixture
def registries_with_canaries(registry_binary, tmp_path):
    """{"basic": registry, "token": registry}, each with a password of its own in `.password`."""
    basic_password, token_password = hostile_canary(), hostile_canary()
    basic_hub = start_registry(tmp_path / "basic", users={USER: basic_password})
    tokens = serve_tokens(tmp_path / "tokens", {USER: token_password})
    tokens.state["anonymous"] = False
    token_hub = start_registry(tmp_path / "tokens" / "registry", token={
        "realm": tokens.url + "/token", "service": SERVICE, "issuer": ISSUER,
        "rootcertbundle": str(tmp_path / "tokens" / "token-root.pem")})
    basic_hub.password, token_hub.password = basic_password, token_password
    try:
        yield {"basic": basic_hub, "token": token_hub}
    finally:
        basic_hub.stop()
        token_hub.stop()
        tokens.stop()


def api(app, method: str, path: str, json=None):
    return app.test_client().open("/api/v2.0" + path, method=method, json=json,
                                  headers=basic(*ADMIN))


def test_pull_credentials_come_out_nowhere_but_encrypted(app, admin, session, caplog,
                                                         registries_with_canaries, dragonfly):
    caplog.set_level(logging.DEBUG)
    hubs, provider = registries_with_canaries, dragonfly()
    answers = [api(app, "POST", "/p2p/preheat/instances", {
        "vendor": "dragonfly", "name": "df", "endpoint": provider.url, "auth_mode": "OAUTH",
        "auth_info": {"token": PAT}})]
    locations = {}
    for kind, hub in hubs.items():
        pusher_for(hub, Credentials.basic(USER, hub.password)).image(f"{kind}/app", "1.0")
        registry = api(app, "POST", "/registries", {
            "name": f"{kind}-hub", "url": hub.url,
            "credential": {"type": "basic", "access_key": USER, "access_secret": hub.password}})
        project = api(app, "POST", "/projects", {"project_name": kind,
                                                 "registry_id": registry.get_json()["id"]})
        policy = api(app, "POST", f"/projects/{kind}/preheat/policies", {
            "name": "warm", "provider_id": answers[0].get_json()["id"], "filters": FILTERS,
            "trigger": TRIGGER, "enabled": True})
        started = api(app, "POST", f"/projects/{kind}/preheat/policies/warm")
        assert [r.status_code for r in (registry, project, policy, started)] == [201] * 4, \
            [r.get_json() for r in (registry, project, policy, started)]
        app.extensions["preheat"].executions.wake()
        execution = wait_for(session, started.get_json()["id"])
        assert execution.status == "Success", execution.status_message
        answers += [registry, project, policy, started]
        locations[kind] = started.headers["Location"].removeprefix("/api/v2.0")

    sent = [job["args"]["headers"]["Authorization"] for job in provider.book.jobs.values()]
    basic_header = "Basic " + base64.b64encode(
        f"{USER}:{hubs['basic'].password}".encode()).decode()
    bearer = [value for value in sent if value.startswith("Bearer ")]
    assert basic_header in sent and len(bearer) == 1, "each registry's credential was sent"
    token = bearer[0].removeprefix("Bearer ")
    echoed = provider.book.get(1)["args"]["headers"]["Authorization"]
    assert echoed in sent, "the stand-in echoes the credential in its job answers"

    answers += api_answers(app, session, locations)
    pages = page_answers(admin, session, locations)
    secrets = {"basic password": hubs["basic"].password, "token password": hubs["token"].password,
               "Basic header": basic_header.removeprefix("Basic "), "pull token": token,
               "pull token signature": token.rpartition(".")[2]}
    places = {f"{r.request.method} {r.request.path}?{r.request.query_string.decode()}":
              r.get_data(as_text=True) + str(r.headers) for r in answers + pages}
    assert all(r.status_code in (200, 201) for r in answers + pages), \
        [(r.request.path, r.status_code) for r in answers + pages if r.status_code >= 300]
    places |= {"log": caplog.text, "database dump": database_dump(app).decode(errors="replace")}
    places |= stored_text(app)
    for name, secret in secrets.items():
        found = [place for place, text in places.items() if secret in text]
        assert not found, f"the {name} is in {found}"
    for name in ("basic password", "token password"):
        found = {place: leaks(text, secrets[name]) for place, text in places.items()}
        assert not any(found.values()), {place: runs for place, runs in found.items() if runs}
    with own_session(app) as own:
        sealed = list(own.scalars(select(Registry.auth_secret)))
    assert len(sealed) == 2 and all(value.startswith("gAAAAA") for value in sealed), \
        "the passwords are stored, encrypted"


def api_answers(app, session, locations: dict) -> list:
    """Every API answer about registries, projects, policies, executions, tasks and task logs."""
    answers = [api(app, "GET", "/registries"), api(app, "GET", "/projects"),
               api(app, "GET", "/p2p/preheat/audit-logs?page_size=100")]
    for kind, location in locations.items():
        policies = f"/projects/{kind}/preheat/policies"
        answers += [api(app, "GET", f"/registries/{i}") for i in (1, 2)]
        tasks = api(app, "GET", location + "/tasks")
        answers += [api(app, "GET", f"/projects/{kind}"), api(app, "GET", policies),
                    api(app, "GET", policies + "/warm"),
                    api(app, "GET", policies + "/warm/executions"),
                    api(app, "GET", location), tasks,
                    api(app, "GET", f"/projects/{kind}/repositories"),
                    api(app, "GET", f"/projects/{kind}/preheat/providers")]
        for task in tasks.get_json():
            answers.append(api(app, "GET", f"{location}/tasks/{task['id']}/logs"))
    return answers


def page_answers(admin, session, locations: dict) -> list:
    """Every page: Distributions, Registries, project pages, policies, executions, tasks, peers."""
    pages = [admin.get("/distributions"), admin.get("/registries"), admin.get("/projects"),
             admin.get("/audit-log")]
    pages += [admin.get(f"/registries/{i}/edit", htmx=True) for i in (1, 2)]
    for kind, location in locations.items():
        execution_id = int(location.rpartition("/")[2])
        tab = f"/projects/{kind}/preheat"
        pages += [admin.get(f"/projects/{kind}"), admin.get(tab),
                  admin.get(f"{tab}/executions", htmx=True),
                  admin.get(f"{tab}/executions/{execution_id}"),
                  admin.get(f"{tab}/preview?repositories=**&tags=**", htmx=True),
                  admin.get(f"/projects/{kind}/repositories/app")]
        pages += [admin.get(f"{tab}/executions/{execution_id}/tasks/{task_id}")
                  for task_id in session.scalars(select(Task.id).where(
                      Task.execution_id == execution_id))]
    return pages


def stored_text(app) -> dict:
    """Every text column of every table, as stored: {"table.column": all its values}."""
    found = {}
    with own_session(app) as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
            for column in columns:
                values = session.execute(select(column)).scalars()
                found[f"{table.name}.{column.name}"] = "\n".join(v or "" for v in values)
    return found
