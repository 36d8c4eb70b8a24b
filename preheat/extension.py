"""`init_app`: how Preheat joins a Flask application, standalone or embedded."""
from __future__ import annotations

import atexit
from datetime import timedelta
from typing import Any, Callable

from flask import Flask, current_app
from sqlalchemy import event
from werkzeug.utils import import_string

from .crypto import SecretBox, load_or_create_key_file, parse_keys
from .engine import Engine, Periodic, ThreadRunner
from .executions import schedules
from .events import retention as event_retention
from .executions.dispatcher import Dispatcher
from .executions.settings import DEFAULTS as EXECUTION_DEFAULTS
from .executions.settings import Settings as ExecutionSettings
from .health.background import HealthChecks
from .health.subjects import REGISTRIES
from .registry import RegistryClient
from .services import audit
from .services.on_demand import OnDemandLimit
from .sources import METHODS as SOURCE_METHODS
from .sources import ArtifactSource, RegistrySource
from .state import PreheatState, current_state
from .transport import DEFAULT_TIMEOUT, HttpClient
from .transport.denylist import DEFAULT_DENYLIST

DEFAULTS = {
    "PREHEAT_URL_PREFIX": "/preheat",
    "PREHEAT_API_PREFIX": "/api/v2.0",
    "PREHEAT_BASE_TEMPLATE": "preheat/base.html",
    "PREHEAT_IS_SYSADMIN": None,
    "PREHEAT_CAN_MANAGE_PROJECT": None,
    "PREHEAT_ARTIFACT_SOURCE": None,
    "PREHEAT_LOAD_HTMX": True,
    "PREHEAT_ENCRYPTION_KEY": None,
    "PREHEAT_HTTP_TIMEOUT": DEFAULT_TIMEOUT,
    "PREHEAT_HTTP_DEADLINE": None,
    "PREHEAT_ENDPOINT_DENYLIST": DEFAULT_DENYLIST,
    "PREHEAT_HEALTH_TTL": 60,
    "PREHEAT_HEALTH_CONCURRENCY": 64,
    "PREHEAT_TICK_SECONDS": 60,
    "PREHEAT_TEST_CONCURRENCY": 8,
    "PREHEAT_PAGE_SIZE": 15,
    "PREHEAT_AUDIT_RETENTION_DAYS": 365,
    "PREHEAT_CELERY_BROKER_URL": None,
    "PREHEAT_CELERY_VISIBILITY_TIMEOUT": 3600,
    "PREHEAT_METRICS_PATH": "/metrics",
    "PREHEAT_METRICS_TOKEN": None,
    "PREHEAT_LOG_FORMAT": None,  # "json", or text; unset: the environment variable decides
    **EXECUTION_DEFAULTS,
}
PREFIX_KEYS = ("PREHEAT_URL_PREFIX", "PREHEAT_API_PREFIX", "PREHEAT_METRICS_PATH")


def default_is_sysadmin(user: Any) -> bool:
    """Without a configured predicate, a user is a sysadmin if it says so."""
    return bool(getattr(user, "is_sysadmin", False))


def default_can_manage_project(user: Any, project_name: str) -> bool:
    """Without a configured predicate, only sysadmins manage a project's policies."""
    return False


class SetupError(RuntimeError):
    """The host application lacks something Preheat needs."""


def init_app(app: Flask, *, url_prefix: str | None = None, api_prefix: str | None = None,
             base_template: str | None = None,
             is_sysadmin: Callable[[Any], bool] | str | None = None,
             can_manage_project: Callable[[Any, str], bool] | str | None = None,
             artifact_source: ArtifactSource | str | None = None,
             load_htmx: bool | None = None) -> PreheatState:
    """Attach Preheat to `app`: pages, API, CLI and state.

    Arguments win over `PREHEAT_*` config keys, which win over the defaults.
    `can_manage_project(user, project_name)` lets a user who is no sysadmin
    manage that project's policies and read its executions. `artifact_source`
    (see preheat.sources) is where executions read projects' images, instead
    of the registries stored in Preheat.
    """
    arguments = {"PREHEAT_URL_PREFIX": url_prefix, "PREHEAT_API_PREFIX": api_prefix,
                 "PREHEAT_BASE_TEMPLATE": base_template, "PREHEAT_IS_SYSADMIN": is_sysadmin,
                 "PREHEAT_CAN_MANAGE_PROJECT": can_manage_project,
                 "PREHEAT_ARTIFACT_SOURCE": artifact_source,
                 "PREHEAT_LOAD_HTMX": load_htmx}
    for key, value in arguments.items():
        if value is not None:
            app.config[key] = value
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    for key in PREFIX_KEYS:
        app.config[key] = _normalize_prefix(key, app.config[key])

    db, login_manager = _host_extensions(app)
    state = PreheatState(
        db=db,
        login_manager=login_manager,
        is_sysadmin=_resolve_predicate("PREHEAT_IS_SYSADMIN", app.config["PREHEAT_IS_SYSADMIN"],
                                       default_is_sysadmin),
        can_manage_project=_resolve_predicate("PREHEAT_CAN_MANAGE_PROJECT",
                                              app.config["PREHEAT_CAN_MANAGE_PROJECT"],
                                              default_can_manage_project),
        base_template=app.config["PREHEAT_BASE_TEMPLATE"],
        secret_box=SecretBox(_encryption_keys(app)),
        http=HttpClient.from_config(app.config),
        engine=None,
        health=None,
    )
    schedule_tick = float(app.config["PREHEAT_SCHEDULE_TICK_SECONDS"])
    state.engine = Engine(app, _runner(app.config),
                          tick_seconds=min(float(app.config["PREHEAT_TICK_SECONDS"]),
                                           schedule_tick))
    state.health = HealthChecks(state.engine, state.http)
    state.registries = RegistryClient(state.http)
    state.host_source = _artifact_source(app.config["PREHEAT_ARTIFACT_SOURCE"])
    state.artifacts = state.host_source or RegistrySource(db, state.secret_box,
                                                          state.registries)
    state.registry_health = HealthChecks(state.engine, state.http, REGISTRIES)
    state.engine.every(Periodic("prune-audit", timedelta(hours=1), _prune_audit))
    state.engine.every(schedules.periodic(schedule_tick))
    state.engine.every(Periodic("prune-events", timedelta(hours=1), _prune_events))
    state.executions = Dispatcher(state.engine, ExecutionSettings.from_config(app.config))
    app.before_request(state.engine.start)
    app.before_request(state.executions.start)
    state.on_demand = OnDemandLimit(int(app.config["PREHEAT_TEST_CONCURRENCY"]),
                                    state.http.deadline)
    atexit.register(state.shutdown)
    app.extensions["preheat"] = state

    _enforce_sqlite_foreign_keys(app, db)
    _register(app)
    return state


def _runner(config):
    """Celery workers when PREHEAT_CELERY_BROKER_URL is set (Celery imported only then);
    else the pool of threads in this process."""
    broker_url = config.get("PREHEAT_CELERY_BROKER_URL")
    if not broker_url:
        return ThreadRunner(int(config["PREHEAT_HEALTH_CONCURRENCY"]))
    try:
        from .engine.celery_runner import CeleryRunner, make_celery
    except ImportError as error:
        raise SetupError("PREHEAT_CELERY_BROKER_URL is set but Celery is not installed:"
                         " pip install 'preheat[celery]'.") from error
    return CeleryRunner(make_celery(str(broker_url),
                                    float(config["PREHEAT_CELERY_VISIBILITY_TIMEOUT"])))


def _prune_audit() -> int:
    return audit.prune(current_state().session)


def _prune_events() -> int:
    return event_retention.prune(current_state().session,
                                 float(current_app.config["PREHEAT_EVENT_RETENTION_DAYS"]))


def _host_extensions(app: Flask):
    db = app.extensions.get("sqlalchemy")
    if db is None:
        raise SetupError("Preheat needs Flask-SQLAlchemy: call SQLAlchemy().init_app(app)"
                         " before preheat.init_app(app).")
    login_manager = getattr(app, "login_manager", None)
    if login_manager is None:
        raise SetupError("Preheat needs Flask-Login: call LoginManager().init_app(app)"
                         " before preheat.init_app(app).")
    return db, login_manager


def _normalize_prefix(key: str, value: str | None) -> str:
    """A URL prefix is empty or starts with "/"; a trailing "/" is dropped."""
    value = (value or "").rstrip("/")
    if value and not value.startswith("/"):
        raise SetupError(f"{key} must start with '/' (got {value!r}).")
    return value


def _resolve_predicate(key: str, value, default: Callable) -> Callable:
    if value is None:
        return default
    if isinstance(value, str):
        try:
            value = import_string(value)
        except ImportError as error:
            raise SetupError(f"{key}: cannot import {value!r}: {error}") from error
    if not callable(value):
        raise SetupError(f"{key} must be a callable or an import string.")
    return value


def _artifact_source(value) -> ArtifactSource | None:
    """The host's artifact source (an object, or its import string), or None."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = import_string(value)
        except ImportError as error:
            raise SetupError(f"PREHEAT_ARTIFACT_SOURCE: cannot import {value!r}: {error}") \
                from error
    missing = [name for name in SOURCE_METHODS if not callable(getattr(value, name, None))]
    if missing:
        raise SetupError(f"PREHEAT_ARTIFACT_SOURCE lacks {', '.join(missing)}:"
                         " see preheat.sources.ArtifactSource.")
    return value


def _encryption_keys(app: Flask) -> list[str]:
    keys = parse_keys(app.config.get("PREHEAT_ENCRYPTION_KEY") or "")
    return keys or [load_or_create_key_file(app.instance_path)]


def _enforce_sqlite_foreign_keys(app: Flask, db) -> None:
    """SQLite ignores foreign keys unless each connection asks for them."""
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _register(app: Flask) -> None:
    from .api import make_blueprint as make_api_blueprint
    from .cli import make_cli
    from .metrics.endpoint import make_blueprint as make_metrics_blueprint
    from .views import make_blueprint

    app.register_blueprint(make_blueprint(), url_prefix=app.config["PREHEAT_URL_PREFIX"] or None)
    app.register_blueprint(make_api_blueprint(), url_prefix=app.config["PREHEAT_API_PREFIX"])
    if app.config["PREHEAT_METRICS_PATH"]:  # "" leaves the metrics unserved
        app.register_blueprint(make_metrics_blueprint(app.config["PREHEAT_METRICS_PATH"]))
    app.cli.add_command(make_cli())
