"""Fixtures: a fresh app per test on SQLite (and PostgreSQL when configured), users, clients.

Set TEST_DATABASE_URL (a postgresql+psycopg:// URL) to run every database test
on PostgreSQL too; each test session works in a database of its own.
"""
from __future__ import annotations

import os
import uuid

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import create_app, create_user, db, upgrade_database
from tests.accounts import ADMIN, USER
from tests.helpers import Client

pytest_plugins = ["tests.browser_fixtures"]

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL database of this test session's own, dropped at the end."""
    base = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"preheat_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """An empty database: a new SQLite file, or a wiped PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
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
    app.extensions["preheat"].health.shutdown()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


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
    """A database session of the test's own.

    Not Flask-SQLAlchemy's scoped session inside a pushed app context: requests
    made meanwhile would reuse that context, and with it `g` and the logged-in
    user of the previous request.
    """
    with app.app_context():
        engine = db.engine
    with Session(engine) as session:
        yield session


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
