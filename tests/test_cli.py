"""The setup commands of the standalone app."""
import pytest
from sqlalchemy import select

from app import User, create_app, db
from tests.helpers import release


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


def test_every_preheat_setting_comes_from_the_environment_parsed_to_its_type(monkeypatch, tmp_path):
    monkeypatch.setenv("PREHEAT_HTTP_TIMEOUT", "[1.5, 7]")
    monkeypatch.setenv("PREHEAT_HEALTH_TTL", "30")
    monkeypatch.setenv("PREHEAT_PAGE_SIZE", "25")
    monkeypatch.setenv("PREHEAT_ENDPOINT_DENYLIST", "10.0.0.0/8,169.254.0.0/16")
    monkeypatch.setenv("PREHEAT_LOAD_HTMX", "false")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'env.db'}"},
                     instance_path=str(tmp_path / "instance"))
    try:
        assert app.config["PREHEAT_HEALTH_TTL"] == 30
        assert app.config["PREHEAT_PAGE_SIZE"] == 25
        assert app.config["PREHEAT_LOAD_HTMX"] is False
        assert app.config["PREHEAT_ENDPOINT_DENYLIST"] == "10.0.0.0/8,169.254.0.0/16"
        http = app.extensions["preheat"].http
        assert (http.connect_timeout, http.read_timeout) == (1.5, 7)
    finally:
        release(app)


def test_test_configuration_wins_over_the_environment(monkeypatch, app_config, tmp_path):
    monkeypatch.setenv("PREHEAT_PAGE_SIZE", "25")
    app = create_app({**app_config, "PREHEAT_PAGE_SIZE": 7},
                     instance_path=str(tmp_path / "instance"))
    try:
        assert app.config["PREHEAT_PAGE_SIZE"] == 7
    finally:
        release(app)
