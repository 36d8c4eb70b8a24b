"""The standalone app's instance folder and database files are its owner's alone."""
import os
import stat

import pytest

from app import create_app, create_user, db, upgrade_database
from tests.helpers import release


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def default_setup(monkeypatch):
    """As `make run` starts: nothing set in the environment, the usual umask."""
    for name in ("DATABASE_URL", "SECRET_KEY", "PREHEAT_ENCRYPTION_KEY"):
        monkeypatch.delenv(name, raising=False)
    old = os.umask(0o022)
    yield {"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    os.umask(old)


def start(config, folder):
    app = create_app(config, instance_path=str(folder))
    upgrade_database(app)
    with app.app_context():
        create_user("someone", "a password", sysadmin=True)  # a write: WAL and SHM exist
        db.session.commit()
    return app


def test_a_first_start_makes_the_folder_and_every_file_private(default_setup, tmp_path):
    folder = tmp_path / "instance"
    app = start(default_setup, folder)
    try:
        assert mode(folder) == 0o700
        names = sorted(os.listdir(folder))
        assert {"preheat.db", "preheat.db-wal", "preheat.db-shm", "secret-key",
                "preheat-encryption.key"} <= set(names)
        assert {name: mode(folder / name) for name in names} == {name: 0o600 for name in names}
    finally:
        release(app)


def test_database_files_left_readable_by_an_older_version_are_tightened(default_setup,
                                                                         tmp_path):
    folder = tmp_path / "instance"
    release(start(default_setup, folder))
    for name in ("preheat.db", "preheat.db-wal", "preheat.db-shm"):
        if (folder / name).exists():
            os.chmod(folder / name, 0o644)
    app = create_app(default_setup, instance_path=str(folder))
    try:
        with app.app_context():
            db.session.execute(db.text("SELECT 1"))
        for name in ("preheat.db", "preheat.db-wal", "preheat.db-shm"):
            if (folder / name).exists():
                assert mode(folder / name) == 0o600, name
    finally:
        release(app)
