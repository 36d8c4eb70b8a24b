"""The standalone Preheat application: a small shell with its own users and login.

Everything Preheat itself does comes in through `preheat.init_app`, exactly as
it would in any other Flask portal; the shell's own parts live in `shell/`.
"""
from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

import click
from flask import Config, Flask
from sqlalchemy import select

import preheat
from preheat.crypto import load_or_create_secret_file
from shell import auth, database, security, user_commands
from shell.database import upgrade_database
from shell.extensions import csrf, db, login_manager
from shell.private_files import keep_sqlite_files_private, private_folder
from shell.users import User, create_user

__all__ = ["create_app", "create_user", "db", "upgrade_database", "User"]


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the standalone app; `test_config` overrides the environment."""
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    private_folder(app.instance_path)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL")
        or f"sqlite:///{Path(app.instance_path) / 'preheat.db'}",
        # Dead pooled connections are replaced, so the app recovers from a database restart.
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        TRUSTED_PROXY_COUNT=int(os.environ.get("TRUSTED_PROXY_COUNT", "0")),
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        MAX_CONTENT_LENGTH=1024 * 1024,
        LOGIN_THROTTLE_WINDOW=15 * 60,
        LOGIN_THROTTLE_PER_USER=5,
        LOGIN_THROTTLE_PER_ADDRESS=30,
    )
    app.config.update(preheat_settings_from_environment(app.root_path))
    app.config.update(test_config or {})
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = load_or_create_secret_file(
            Path(app.instance_path) / "secret-key", lambda: secrets.token_urlsafe(48))

    _show_preheat_logs()
    db.init_app(app)
    with app.app_context():
        keep_sqlite_files_private(db.engine)
    login_manager.init_app(app)
    csrf.init_app(app)
    preheat.init_app(app, url_prefix="", base_template="base.html")
    auth.register(app)
    security.register(app)
    database.register(app)
    _register_cli(app)
    user_commands.register(app)
    return app


def _show_preheat_logs() -> None:
    """Preheat's INFO lines go to stderr, unless logging was configured (then it decides)."""
    logger = logging.getLogger("preheat")
    if logging.getLogger().handlers or logger.handlers or logger.level != logging.NOTSET:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def preheat_settings_from_environment(root_path: str) -> dict:
    """Every PREHEAT_* environment variable as a config key, parsed as Flask parses
    prefixed variables (JSON where it is JSON: `2.5`, `true`, `[2, 10]`; else the string)."""
    parsed = Config(root_path)
    parsed.from_prefixed_env("PREHEAT")
    return {f"PREHEAT_{key}": value for key, value in parsed.items()}


def _register_cli(app: Flask) -> None:
    @app.cli.command("upgrade-db")
    def upgrade_db_command():
        """Create or upgrade all tables to the latest migration."""
        upgrade_database(app)
        click.echo("Database is up to date.")

    @app.cli.command("ensure-admin")
    def ensure_admin_command():
        """Create user 'admin' when no sysadmin exists yet."""
        if db.session.scalar(select(User).where(User.is_sysadmin.is_(True)).limit(1)):
            return
        given = os.environ.get("PREHEAT_ADMIN_PASSWORD")
        password = given or secrets.token_urlsafe(12)
        create_user("admin", password, True)
        db.session.commit()
        if given:
            click.echo("Created sysadmin 'admin' with the password from PREHEAT_ADMIN_PASSWORD.")
        else:
            # Shown once, on the terminal of whoever set the app up; never logged.
            click.echo(f"Created sysadmin 'admin' with password: {password}")

    @app.cli.commands["preheat"].command("create-user")
    @click.argument("name")
    @click.option("--sysadmin", is_flag=True, help="Let the user manage Preheat.")
    @click.password_option()
    def create_user_command(name, sysadmin, password):
        """Create a user who can log in (password prompted)."""
        if db.session.scalar(select(User).where(User.username == name)):
            raise click.ClickException(f"User {name!r} already exists.")
        create_user(name, password, sysadmin)
        db.session.commit()
        click.echo(f"Created user {name!r}" + (" (sysadmin)." if sysadmin else "."))
