"""Logging in and out of the standalone app."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import bindparam, select
from sqlalchemy.orm import make_transient_to_detached
from werkzeug.exceptions import TooManyRequests
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from preheat.validation import CONTROL_CHARS

from . import throttle
from .extensions import db, login_manager
from .next_url import safe_next
from .users import User, prepare_dummy_hash, spend_a_password_check


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


def register(app) -> None:
    login_manager.login_view = "login"
    # Being asked to log in is not an error: say it as information.
    login_manager.login_message_category = "info"
    prepare_dummy_hash(app.config.get("PASSWORD_HASH_METHOD", "scrypt"))
    app.add_url_rule("/login", "login", login, methods=["GET", "POST"])
    app.add_url_rule("/logout", "logout", logout, methods=["POST"])


# Every request reads its user's row anew (a logout, a new password or a
# deactivation then takes effect at once), as one plain statement: going
# through the ORM's session.get costs several times what the query does.
USER_ROW = select(User.__table__).where(User.__table__.c.id == bindparam("user_id"))


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user a session cookie names, if that session has not been ended since."""
    user_id, _, generation = session_id.partition(":")
    if not user_id.isdigit() or not generation:
        return None
    user = _user(int(user_id))
    if user is None or not user.is_active or not user.in_generation(generation):
        return None
    return user


def _user(user_id: int) -> User | None:
    """The user with `user_id`, read now, as an object of the request's session."""
    session = db.session()
    known = session.identity_map.get(session.identity_key(User, user_id))
    if known is not None:
        return known
    row = session.connection().execute(USER_ROW, {"user_id": user_id}).first()
    if row is None:
        return None
    # The table's columns are named as the model's attributes.
    user = User(**row._mapping)
    # As if loaded by a query: nothing to write back, and later changes (the
    # new generation of a logout) are flushed as for any loaded user.
    make_transient_to_detached(user)
    session.add(user)
    return user


@login_manager.request_loader
def load_user_from_basic_auth(request) -> User | None:
    """The user named by HTTP Basic credentials (how scripts call the JSON API).

    Flask-Login keeps such a user for this request only: no session is made.
    Wrong passwords count towards the same throttle as the login form, and a
    throttled client is told so (429 with Retry-After), not that its password
    is wrong: the JSON API renders the TooManyRequests as its own error.
    """
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username:
        return None
    user, wait = authenticate(auth.username, auth.password or "")
    if wait:
        raise TooManyRequests(too_many_failures(wait), retry_after=wait)
    return user if user is not None and user.is_active else None


def authenticate(username: str, password: str) -> tuple[User | None, int]:
    """Check a username and password: (user or None, seconds to wait if throttled)."""
    address = request.remote_addr or "unknown"
    # No user has such a name, and NUL bytes would make PostgreSQL refuse the query.
    username = CONTROL_CHARS.sub("?", username)[:65]
    wait = throttle.seconds_locked(username, address)
    if wait:
        return None, wait
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        spend_a_password_check(password)
    elif user.check_password(password):
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
    if user and user.is_active:
        target = safe_next(request.args.get("next"))
        # A new session: nothing from before the login (its CSRF secret above
        # all, which a page seen before the login may have leaked) carries over.
        session.clear()
        login_user(user)
        return redirect(target)
    if user:
        flash("This account is deactivated. Ask an administrator to activate it.", "error")
        return render_template("login.html", form=form), 403
    if wait:
        flash(too_many_failures(wait), "error")
        return render_template("login.html", form=form), 429, {"Retry-After": str(wait)}
    flash("Wrong username or password.", "error")
    return render_template("login.html", form=form), 401


@login_required
def logout():
    """Log the user out, everywhere: every session cookie of theirs stops working."""
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have been logged out.", "info")
    return redirect(url_for("login"))


def too_many_failures(seconds: int) -> str:
    """What a throttled client is told, page or API."""
    minutes = -(-seconds // 60)
    wait = "1 minute" if minutes == 1 else f"{minutes} minutes"
    return f"Too many failed logins. Try again in {wait}."
