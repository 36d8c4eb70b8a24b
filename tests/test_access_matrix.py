"""Every route of the app, for every role and method: only those allowed get a 2xx.

"project" routes are one project's: sysadmins, and a user the host's
can_manage_project allows for that project, reach them; on another project
that user is refused.

The routes come from the app's URL map, so a new route without an entry in
ACCESS fails this test until someone decides who may reach it.
"""
import pytest

from app import create_user, db
from preheat.executions import runs
from preheat.models import Task
from preheat.services import policies, projects
from tests.accounts import MAINTAINED, MAINTAINER
from tests.helpers import Client, add_instances, add_projects, add_registries

OTHER_PROJECT = "other"

SAFE = {"HEAD", "OPTIONS", "TRACE"}
ACCESS = {
    "static": "public",
    "preheat.static": "public",
    "login": "public",
    "logout": "user",
    "preheat.index": "sysadmin",
    "preheat.distributions": "sysadmin",
    "preheat.refresh": "sysadmin",
    "preheat.status": "sysadmin",
    "preheat.check": "sysadmin",
    "preheat.new_instance": "sysadmin",
    "preheat.edit_instance": "sysadmin",
    "preheat.test_connection": "sysadmin",
    "preheat.test_saved_connection": "sysadmin",
    "preheat.edit_selected": "sysadmin",
    "preheat.confirm_action": "sysadmin",
    "preheat.run_action": "sysadmin",
    "preheat.set_default": "sysadmin",
    "preheat.audit_log": "sysadmin",
    "preheat.registries": "sysadmin",
    "preheat.new_registry": "sysadmin",
    "preheat.edit_registry": "sysadmin",
    "preheat.test_registry": "sysadmin",
    "preheat.test_saved_registry": "sysadmin",
    "preheat.public_url_warning": "sysadmin",
    "preheat.edit_selected_registry": "sysadmin",
    "preheat.confirm_registry_delete": "sysadmin",
    "preheat.delete_registries": "sysadmin",
    "preheat.refresh_registries": "sysadmin",
    "preheat.registry_status": "sysadmin",
    "preheat.registry_statuses": "sysadmin",
    "preheat.registry_check": "sysadmin",
    "preheat.registry_webhook": "sysadmin",
    "preheat.webhook_of_selected_registry": "sysadmin",
    "preheat.confirm_webhook_secret": "sysadmin",
    "preheat.generate_webhook_secret": "sysadmin",
    "preheat.projects": "project",
    "preheat.new_project": "sysadmin",
    "preheat.project_namespaces": "sysadmin",
    "preheat.confirm_project_delete": "sysadmin",
    "preheat.delete_projects": "sysadmin",
    "preheat.project": "project",
    "preheat.repository": "project",
    "preheat.open_repository": "project",
    "preheat.statuses": "sysadmin",
    "preheat.provider_hints": "sysadmin",
    "preheat.policies": "project",
    "preheat.edit_selected_policy": "project",
    "preheat.confirm_policy_action": "project",
    "preheat.run_policy_action": "project",
    "preheat.new_policy": "project",
    "preheat.edit_policy": "project",
    "preheat.policy_provider_fields": "project",
    "preheat.policy_preview": "project",
    "preheat.policy_trigger_fields": "project",
    "preheat.policy_schedule_check": "project",
    "preheat.executions": "project",
    "preheat.confirm_stop": "project",
    "preheat.stop_execution": "project",
    "preheat.retry_execution": "project",
    "preheat.execution_tasks": "project",
    "preheat.execution_task": "project",
    "preheat_api.openapi": "public",
    "preheat_api.providers": "sysadmin",
    "preheat_api.instances": "sysadmin",
    "preheat_api.instance": "sysadmin",
    "preheat_api.ping": "sysadmin",
    "preheat_api.health": "sysadmin",
    "preheat_api.audit_logs": "sysadmin",
    "preheat_api.repositories": "sysadmin",
    "preheat_api.artifacts": "sysadmin",
    "preheat_api.registries": "sysadmin",
    "preheat_api.registry": "sysadmin",
    "preheat_api.registry_ping": "sysadmin",
    "preheat_api.registry_webhook_secret": "sysadmin",
    # Only a registry holding its webhook secret, which no user session or password is.
    "preheat_api.registry_events": "registry",
    "preheat_api.projects": "sysadmin",
    "preheat_api.project": "sysadmin",
    "preheat_api.project_providers": "project",
    "preheat_api.policies": "project",
    "preheat_api.policy": "project",
    "preheat_api.executions": "project",
    "preheat_api.execution": "project",
    "preheat_api.tasks": "project",
    "preheat_api.task_log": "project",
    "preheat_api.unknown": "sysadmin",
    # Also for a scraper holding PREHEAT_METRICS_TOKEN (tests/test_metrics.py).
    "preheat_metrics.metrics": "sysadmin",
}
SAMPLE_VALUES = {"instance_id": 1, "registry_id": 1, "id": 1, "name": "df-one",
                 "filename": "preheat/preheat.css", "repository": "library/nginx",
                 "project_name": "library", "project_name_or_id": "library",
                 "repository_name": "nginx", "action": "deactivate", "path": "p2p/preheat/nothing",
                 "preheat_policy_name": "warm", "policy_id": 1, "execution_id": 1,
                 "task_id": 1}
STATIC_FILES = {"static": "app.css", "preheat.static": "preheat/preheat.css"}


def requests_for(app):
    """(endpoint, method, url) for every rule and method of the app."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        values = {arg: SAMPLE_VALUES[arg] for arg in rule.arguments}
        if rule.endpoint in STATIC_FILES:
            values["filename"] = STATIC_FILES[rule.endpoint]
        url = adapter.build(rule.endpoint, values, append_unknown=False)
        for method in sorted(rule.methods - SAFE):
            yield rule.endpoint, method, url


def send(client, method, url):
    headers = {"X-CSRFToken": client.csrf_token} if client.logged_in else {}
    query = {"instance": 1, "registry": 1, "project": 1} if "actions" in url else ""
    return client.http.open(url, method=method, headers=headers, query_string=query,
                            data={"instance": "1", "registry": "1", "project": "1"}
                            if method != "GET" else None)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "PREHEAT_CAN_MANAGE_PROJECT": "tests.accounts.maintains"}


@pytest.fixture
def seeded(app):
    add_instances(app, {"vendor": "kraken", "name": "df-one", "endpoint": "http://127.0.0.1:9"})
    add_projects(app, *add_registries(app, {"name": "hub", "url": "http://127.0.0.1:9"}),
                 "df-one", "library", OTHER_PROJECT)
    with app.app_context():  # a policy with an execution and a task, for the preheat routes
        session = app.extensions["preheat"].db.session
        for name in ("library", OTHER_PROJECT):
            project = projects.get_by_name(session, name)
            policy = policies.create(session, project, {"name": "warm", "instance_id": 1})
            execution = runs.start(session, policy)
            session.add(Task(execution_id=execution.id, repository=f"{name}/app", tag="1.0"))
        session.commit()
        create_user(*MAINTAINER, sysadmin=False)
        db.session.commit()


@pytest.fixture
def maintainer(app, seeded) -> Client:
    """A user who is no sysadmin but may manage the projects in MAINTAINED."""
    return Client(app).login(*MAINTAINER)


def on_other_project(url: str) -> str:
    """The same project route, on a project the maintainer may not manage."""
    for name in sorted(MAINTAINED):
        url = url.replace(f"/projects/{name}", f"/projects/{OTHER_PROJECT}", 1)
    return url


def test_every_route_has_an_access_rule(app):
    missing = {endpoint for endpoint, _, _ in requests_for(app)} - set(ACCESS)
    assert not missing, f"routes without an access rule in ACCESS: {sorted(missing)}"


@pytest.mark.parametrize("role", ["anonymous", "user", "maintainer", "admin"])
def test_only_the_allowed_roles_get_a_2xx(request, app, seeded, role):
    client = request.getfixturevalue(role)
    allowed = {"anonymous": {"public"}, "user": {"public", "user"},
               "maintainer": {"public", "user", "project"},
               "admin": {"public", "user", "project", "sysadmin"}}[role]
    failures = []
    for endpoint, method, url in requests_for(app):
        if endpoint == "logout":
            continue  # logging out would end the session the other requests use
        status = send(client, method, url).status_code
        # The seeded registry never answers: reading its repositories is a 502 saying so.
        unreachable = status == 502 and "/repositories" in url
        if (status >= 500 and not unreachable) or (ACCESS[endpoint] not in allowed
                                                   and status < 300):
            failures.append(f"{method} {url} -> {status}")
        if ACCESS[endpoint] in allowed and status in (401, 403):
            failures.append(f"{method} {url} -> {status} but {role} may use it")
    assert not failures, f"{role}: " + "; ".join(failures)


@pytest.mark.parametrize("role", ["maintainer", "admin"])
def test_a_maintainer_is_refused_on_a_project_not_theirs(request, app, seeded, role):
    client = request.getfixturevalue(role)
    failures = []
    for endpoint, method, url in requests_for(app):
        if ACCESS[endpoint] != "project" or endpoint == "preheat.projects":
            continue
        other = on_other_project(url)
        assert other != url, url
        response = send(client, method, other)
        status = response.status_code
        if status >= 500 and not (status == 502 and "/repositories" in url):
            failures.append(f"{method} {other} -> {status}")
        if role == "maintainer" and (status != 403 or OTHER_PROJECT not in
                                     response.get_data(as_text=True)):
            failures.append(f"{method} {other} -> {status}, not a refusal naming the project")
        if role == "admin" and status in (401, 403):
            failures.append(f"{method} {other} -> {status} but a sysadmin may use it")
    assert not failures, f"{role}: " + "; ".join(failures)


@pytest.mark.parametrize("path", ["/registries", "/registries/new", "/projects", "/projects/-/new",
                                  "/projects/-/namespaces?registry=1"])
def test_registry_and_project_pages_ask_for_a_login_then_a_sysadmin(anonymous, user, path):
    assert anonymous.get(path).status_code == 302
    refused = anonymous.get(path, htmx=True)
    assert refused.status_code == 401 and refused.headers["HX-Refresh"] == "true"
    assert user.get(path).status_code == 403 and user.get(path, htmx=True).status_code == 403


def test_a_maintainer_sees_their_projects_and_instance_names_never_endpoints(
        app, maintainer, session):
    from preheat.models import AuditEntry
    from sqlalchemy import select

    listed = maintainer.get("/projects").get_data(as_text=True)
    assert "library" in listed and "df-one" in listed and OTHER_PROJECT not in listed
    assert "New project" not in listed
    for path in ("/projects/library/preheat", "/projects/library/preheat/new",
                 "/projects/library"):
        response = maintainer.get(path)
        assert response.status_code in (200, 502), path
        assert "127.0.0.1:9" not in response.get_data(as_text=True), path
    assert "df-one" in maintainer.get("/projects/library/preheat/new").get_data(as_text=True)
    providers = maintainer.get("/api/v2.0/projects/library/preheat/providers")
    assert providers.status_code == 200 and "127.0.0.1" not in providers.get_data(as_text=True)
    assert [row["provider"] for row in providers.get_json()] == ["df-one"]

    refused = maintainer.get(f"/projects/{OTHER_PROJECT}/preheat")
    assert refused.status_code == 403
    assert f"You may not manage the preheat policies of project {OTHER_PROJECT}" in \
        refused.get_data(as_text=True)
    audited = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "access_denied", AuditEntry.username == MAINTAINER[0])).all()
    assert [entry.detail for entry in audited] == ["GET /projects/<name>/preheat"]
