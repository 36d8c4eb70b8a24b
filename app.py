"""The standalone Preheat application: a small shell with its own users and login.

Everything Preheat itself does comes in through `preheat.init_app`, exactly as
it would in any other Flask portal.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, login_required, login_user, logout_user
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect, FlaskForm
from sqlalchemy import Boolean, Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

import preheat
from preheat.migrate import upgrade as upgrade_preheat

SHELL_MIGRATIONS = Path(__file__).parent / "migrations"


class ShellBase(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=ShellBase)
login_manager = LoginManager()
csrf = CSRFProtect()


class User(UserMixin, db.Model):
    """A person who may log in to the standalone app."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    is_sysadmin: Mapped[bool] = mapped_column(Boolean, default=False)

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the standalone app; `test_config` overrides the environment."""
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL")
        or f"sqlite:///{Path(app.instance_path) / 'preheat.db'}",
        PREHEAT_ENCRYPTION_KEY=os.environ.get("PREHEAT_ENCRYPTION_KEY"),
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.config.update(test_config or {})
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _persisted_secret(app, "secret-key")

    db.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "login"
    csrf.init_app(app)
    preheat.init_app(app, url_prefix="", base_template="base.html")
    app.add_url_rule("/login", "login", login, methods=["GET", "POST"])
    app.add_url_rule("/logout", "logout", logout, methods=["POST"])
    _register_cli(app)
    return app


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@login_manager.request_loader
def load_user_from_basic_auth(request) -> User | None:
    """The user named by HTTP Basic credentials (how scripts call the JSON API).

    Flask-Login keeps such a user for this request only: no session is made.
    """
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username:
        return None
    # No user has such a name, and NUL bytes would make PostgreSQL refuse the query.
    if len(auth.username) > 64 or not auth.username.isprintable():
        return None
    user = db.session.scalar(select(User).where(User.username == auth.username))
    if user is not None and user.check_password(auth.password or ""):
        return user
    return None


def login():
    """Show the login form, or log the user in."""
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data))
        if user and user.check_password(form.password.data):
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash("Wrong username or password.")
    status = 401 if request.method == "POST" else 200
    return render_template("login.html", form=form), status


@login_required
def logout():
    """Log the current user out."""
    logout_user()
    return redirect(url_for("login"))


def _safe_next(target: str | None) -> str:
    # Only local paths: never bounce a freshly logged-in admin to another site.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("preheat.distributions")


def _persisted_secret(app: Flask, name: str) -> str:
    path = Path(app.instance_path) / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def upgrade_database(app: Flask) -> None:
    """Bring the shell's tables, then Preheat's, to their latest migration."""
    config = Config()
    config.set_main_option("script_location", str(SHELL_MIGRATIONS))
    with app.app_context(), db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    upgrade_preheat(app)


def create_user(username: str, password: str, sysadmin: bool) -> User:
    """Store a new user (the caller commits)."""
    user = User(username=username, is_sysadmin=sysadmin)
    user.set_password(password)
    db.session.add(user)
    return user


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
