"""The setup commands of the standalone app."""
import pytest
from sqlalchemy import select

from app import User, db


def users(app):
    with app.app_context():
        return {u.username: u.is_sysadmin for u in db.session.scalars(select(User))}


def test_create_user_prompts_for_the_password(app):
    result = app.test_cli_runner().invoke(args=["preheat", "create-user", "bob", "--sysadmin"],
                                          input="s3cret-pw\ns3cret-pw\n")
    assert result.exit_code == 0, result.output
    assert "s3cret-pw" not in result.output
    assert users(app)["bob"] is True
    with app.app_context():
        bob = db.session.scalar(select(User).where(User.username == "bob"))
        assert bob.check_password("s3cret-pw")


def test_create_user_refuses_a_taken_name(app):
    result = app.test_cli_runner().invoke(args=["preheat", "create-user", "alice"],
                                          input="pw\npw\n")
    assert result.exit_code != 0 and "already exists" in result.output


@pytest.fixture
def no_users(app):
    """The app with its test users deleted, as on a first start."""
    with app.app_context():
        db.session.query(User).delete()
        db.session.commit()


def test_ensure_admin_creates_admin_once_with_a_printed_password(app, no_users, monkeypatch):
    monkeypatch.delenv("PREHEAT_ADMIN_PASSWORD", raising=False)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["ensure-admin"])
    assert "Created sysadmin 'admin' with password: " in first.output
    password = first.output.rsplit(": ", 1)[1].strip()
    with app.app_context():
        assert db.session.scalar(select(User)).check_password(password)
    assert runner.invoke(args=["ensure-admin"]).output == ""
    assert users(app) == {"admin": True}


def test_ensure_admin_uses_the_configured_password(app, no_users, monkeypatch):
    monkeypatch.setenv("PREHEAT_ADMIN_PASSWORD", "chosen-pw")
    result = app.test_cli_runner().invoke(args=["ensure-admin"])
    assert "chosen-pw" not in result.output
    with app.app_context():
        assert db.session.scalar(select(User)).check_password("chosen-pw")


def test_upgrade_db_is_idempotent(app):
    result = app.test_cli_runner().invoke(args=["upgrade-db"])
    assert result.exit_code == 0 and "up to date" in result.output
