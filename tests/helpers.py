"""Test helpers: a client that behaves like the browser (logs in, sends CSRF tokens, speaks
htmx), instances made through the form or the service, and apps released or made to fail."""
from __future__ import annotations

import base64
import html
import re
from contextlib import contextmanager

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from preheat.models import Instance
from preheat.services import instances

TOKEN_IN_PAGE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken": "([^"]+)"')
HTMX = {"HX-Request": "true"}
NEW_INSTANCE = {"vendor": "dragonfly", "name": "df-prod", "description": "",
                "endpoint": "http://df.example:8080", "auth_mode": "NONE", "enabled": "y"}


def token_in(page: str) -> str:
    """The CSRF token a page carries, in a form field or in htmx's request headers."""
    match = TOKEN_IN_PAGE.search(page)
    assert match, "no CSRF token in the page"
    return html.unescape(match.group(1) or match.group(2))


def basic(username: str, password: str) -> dict:
    """The Authorization header of HTTP Basic."""
    pair = f"{username}:{password}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


class Client:
    TOKEN_PAGE = "/distributions"  # a page that carries the session's CSRF token

    def __init__(self, app):
        self.app = app
        self.http = app.test_client()
        self._token = None
        self.logged_in = False

    def attempt_login(self, username: str, password: str, **kwargs):
        """Fill in and send the login form; return the answer.

        `kwargs` (base_url, headers, environ_base, query_string ...) go to both
        the request for the form and the one that sends it.
        """
        token = self.token_from(self.http.get("/login", **kwargs))
        return self.http.post("/login", data={"username": username, "password": password,
                                              "csrf_token": token}, **kwargs)

    def login(self, username: str, password: str) -> Client:
        response = self.attempt_login(username, password)
        assert response.status_code == 302, f"login as {username} failed"
        self._token = None
        self.logged_in = True
        return self

    @staticmethod
    def token_from(response) -> str:
        return token_in(response.get_data(as_text=True))

    @property
    def csrf_token(self) -> str:
        """The token a page served to this session carries."""
        if self._token is None:
            self._token = self.token_from(self.http.get(self.TOKEN_PAGE))
        return self._token

    def get(self, url: str, *, htmx: bool = False, **kwargs):
        return self.http.get(url, headers=HTMX if htmx else {}, **kwargs)

    def post(self, url: str, data=None, *, htmx: bool = True, csrf: bool = True, **kwargs):
        """POST as htmx does: form-encoded, with the CSRF header."""
        headers = dict(HTMX if htmx else {})
        if csrf:
            headers["X-CSRFToken"] = self.csrf_token
        return self.http.post(url, data=data or {}, headers=headers, **kwargs)


@contextmanager
def own_session(app):
    """A database session of the test's own, on the app's engine.

    Not Flask-SQLAlchemy's scoped session inside a pushed app context: requests
    made meanwhile would reuse that context, and with it `g` and the logged-in
    user of the previous request.
    """
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
    with Session(engine) as session:
        yield session


def create(client, *, prefix: str = "", **fields):
    """Save NEW_INSTANCE with `fields` through the New instance form; it must answer 204."""
    response = client.post(f"{prefix}/distributions/new", {**NEW_INSTANCE, **fields})
    assert response.status_code == 204, response.get_data(as_text=True)
    return response


def stored(session, name: str = "df-prod") -> Instance | None:
    """The instance named `name` as the database holds it now."""
    session.expire_all()
    return session.scalar(select(Instance).where(Instance.name == name))


def add_instances(app, *fields: dict) -> list[int]:
    """Store one instance per dict of fields with the service, no health check; their ids."""
    with app.app_context():
        state = app.extensions["preheat"]
        return [instances.create(state.db.session, state.secret_box, data).id
                for data in fields]


def release(app) -> None:
    """Stop the app's background work and close its database connections."""
    app.extensions["preheat"].shutdown()
    with app.app_context():
        app.extensions["sqlalchemy"].session.remove()
        app.extensions["sqlalchemy"].engine.dispose()


@contextmanager
def failing_health_writes(app):
    """Every UPDATE that records a health result fails as if the database broke."""
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine

    def fail_on_record(conn, cursor, statement, parameters, context, executemany):
        if "health_status" in statement and statement.startswith("UPDATE"):
            raise engine.dialect.loaded_dbapi.OperationalError("simulated failure")
    event.listen(engine, "before_cursor_execute", fail_on_record)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", fail_on_record)


def project_id(session, name: str = "library") -> int:
    """The id of project `name` (on a registry of its own), created on first use."""
    from preheat.models import Project, Registry, utcnow

    project = session.scalar(select(Project).where(Project.name == name))
    if project is None:
        registry = Registry(name=f"registry-for-{name}", url=f"http://{name}.registry.example",
                            created_at=utcnow(), updated_at=utcnow())
        project = Project(name=name, image_registry=registry)
        session.add(project)
        session.flush()
    return project.id


NEW_REGISTRY = {"name": "hub", "description": "", "url": "http://registry.example:5000",
                "public_url": "", "auth_mode": "NONE"}


def add_registries(app, *fields: dict) -> list[int]:
    """Store one registry per dict of fields with the service; their ids."""
    from preheat.services import registries

    with app.app_context():
        state = app.extensions["preheat"]
        return [registries.create(state.db.session, state.secret_box,
                                  {**NEW_REGISTRY, **data}).id for data in fields]


def add_projects(app, registry_id: int, *names: str, repo_count: int | None = None) -> None:
    """Store projects with these names on the registry with id `registry_id`."""
    from preheat.services import projects, registries

    with app.app_context():
        session = app.extensions["preheat"].db.session
        registry = registries.get(session, registry_id)
        for name in names:
            projects.create(session, name, registry, repo_count)
