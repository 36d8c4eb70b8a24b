"""Logging in and out of the standalone app."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from preheat.validation import CONTROL_CHARS

from . import throttle
from .extensions import db, login_manager
from .users import User


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


def register(app) -> None:
    login_manager.login_view = "login"
    app.add_url_rule("/login", "login", login, methods=["GET", "POST"])
    app.add_url_rule("/logout", "logout", logout, methods=["POST"])


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@login_manager.request_loader
def load_user_from_basic_auth(request) -> User | None:
    """The user named by HTTP Basic credentials (how scripts call the JSON API).

    Flask-Login keeps such a user for this request only: no session is made.
    Wrong passwords count towards the same throttle as the login form.
    """
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username:
        return None
    user, _ = authenticate(auth.username, auth.password or "")
    return user


def authenticate(username: str, password: str) -> tuple[User | None, int]:
    """Check a username and password: (user or None, seconds to wait if throttled)."""
    address = request.remote_addr or "unknown"
    # No user has such a name, and NUL bytes would make PostgreSQL refuse the query.
    username = CONTROL_CHARS.sub("?", username)[:65]
    wait = throttle.seconds_locked(username, address)
    if wait:
        return None, wait
    user = db.session.scalar(select(User).where(User.username == username))
    if user and user.check_password(password):
        throttle.clear_failures(username, address)
        return user, 0
    throttle.record_failure(username, address)
    return None, 0


def login():
    """Show the login form, or log the user in."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("login.html", form=form), 400 if request.method == "POST" else 200
    user, wait = authenticate(form.username.data, form.password.data)
    if user:
        login_user(user)
        return redirect(_safe_next(request.args.get("next")))
    if wait:
        flash(f"Too many failed logins. Try again in {_minutes(wait)}.")
        return render_template("login.html", form=form), 429, {"Retry-After": str(wait)}
    flash("Wrong username or password.")
    return render_template("login.html", form=form), 401


@login_required
def logout():
    """Log the current user out."""
    logout_user()
    return redirect(url_for("login"))


def _minutes(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def _safe_next(target: str | None) -> str:
    # Only local paths: never bounce a freshly logged-in admin to another site.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("preheat.distributions")
