"""Fixtures: a fresh app per test on SQLite (and PostgreSQL when configured), users, clients.

Set TEST_DATABASE_URL (a postgresql+psycopg:// URL) to run every database test
on PostgreSQL too; each test session works in a database of its own.
"""
from __future__ import annotations

import os
import shutil

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from app import create_app, create_user, db, upgrade_database
from tests.accounts import ADMIN, USER
from tests import databases
from tests.databases import scratch_postgres
from tests.executions import workers as celery_workers
from tests.helpers import Client, own_session, release

pytest_plugins = ["tests.browser_fixtures", "tests.registry.fixtures"]

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL database of this test session's own, dropped at the end."""
    with scratch_postgres(os.environ["TEST_DATABASE_URL"], "preheat_test") as url:
        yield url


@pytest.fixture(scope="session")
def migrated(tmp_path_factory):
    """The app's migrations run once: a SQLite file to copy, and what a PostgreSQL database at
    the same migrations holds in its version tables (None until one was migrated)."""
    folder = tmp_path_factory.mktemp("migrated")
    template = folder / "template.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{template}", "SECRET_KEY": "x",
                      "PREHEAT_ENCRYPTION_KEY": Fernet.generate_key().decode()},
                     instance_path=str(folder / "instance"))
    upgrade_database(app)
    versions = databases.versions(create_engine(f"sqlite:///{template}"))
    release(app)
    databases.checkpoint(template)
    return databases.Migrated(template, versions)


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path, migrated):
    """A database at the app's migrations with no rows in it: a copy of the migrated
    SQLite file, or the session's PostgreSQL database emptied (its tables truncated when
    it is at the same migrations, else its schema wiped for the app to migrate again)."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(migrated.template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    databases.empty(engine, migrated.versions)
    engine.dispose()
    return url


@pytest.fixture(params=BACKENDS)
def bare_database_url(request, tmp_path):
    """A database with no tables at all, for a host app with migrations of its own."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    databases.empty(engine, None)
    engine.dispose()
    return url


@pytest.fixture
def app_config(database_url):
    """Configuration of the app under test; tests may change it before `app` is built."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PREHEAT_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "PREHEAT_HTTP_TIMEOUT": 2.0,
        # Fast hashing: test users need no protection against offline cracking.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


@pytest.fixture
def app(app_config, tmp_path):
    """The standalone app on a migrated database with a sysadmin and a plain user."""
    app = create_app(app_config, instance_path=str(tmp_path / "instance"))
    upgrade_database(app)
    with app.app_context():
        create_user(*ADMIN, sysadmin=True)
        create_user(*USER, sysadmin=False)
        db.session.commit()
    yield app
    release(app)


@pytest.fixture
def anonymous(app) -> Client:
    return Client(app)


@pytest.fixture
def admin(app) -> Client:
    """A test client logged in as a sysadmin."""
    return Client(app).login(*ADMIN)


@pytest.fixture
def user(app) -> Client:
    """A test client logged in as a user who is not a sysadmin."""
    return Client(app).login(*USER)


@pytest.fixture
def session(app):
    """A database session of the test's own (see helpers.own_session)."""
    with own_session(app) as session:
        yield session


@pytest.fixture
def started():
    """started(serve, *args, **kwargs): a stand-in server from `serve`, stopped at teardown."""
    servers = []

    def start(serve, *args, **kwargs):
        servers.append(serve(*args, **kwargs))
        return servers[-1]
    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def dragonfly():
    """A Dragonfly manager stand-in on a free port; token 'good-token' is active."""
    from tests.providers import dragonfly as standin

    server = standin.serve(tokens={"good-token": "active"})
    yield server
    server.stop()


@pytest.fixture
def kraken():
    """A Kraken preheat-server stand-in on a free port."""
    from tests.providers import kraken as standin

    server = standin.serve()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def broker_database():
    """This session's own Redis database number (PREHEAT_TEST_CELERY=1 only)."""
    if not celery_workers.ENABLED:
        yield None
        return
    reason = celery_workers.unreachable()
    if reason:  # a machine without Redis skips the Celery run; CI requires it
        if os.environ.get("PREHEAT_REQUIRE_BROKER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    number, _ = celery_workers.take_database()
    yield number
    celery_workers.give_back(number)


@pytest.fixture
def broker(broker_database):
    """The broker URL of this test, its queue empty; None without PREHEAT_TEST_CELERY=1."""
    if broker_database is None:
        return None
    import redis
    redis.Redis(celery_workers.REDIS_HOST, celery_workers.REDIS_PORT,
                db=broker_database).flushdb()
    return f"redis://{celery_workers.REDIS_HOST}:{celery_workers.REDIS_PORT}/{broker_database}"
