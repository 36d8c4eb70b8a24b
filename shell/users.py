"""Users of the standalone app."""
from __future__ import annotations

import hmac
import secrets
from datetime import datetime
from functools import lru_cache

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db


def new_session_generation() -> str:
    """A fresh, unguessable session generation."""
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    """A person who may log in to the standalone app."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    is_sysadmin: Mapped[bool] = mapped_column(Boolean, default=False)
    # A deactivated user can no longer log in, and loses the sessions it has.
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Every session cookie names the generation it was made in; changing it
    # (logout, new password, deactivation) ends all the user's sessions at once.
    # Random rather than a counter: a user deleted and another created with the
    # same id (SQLite reuses ids) must not inherit the old cookies either.
    session_generation: Mapped[str] = mapped_column(String(64), default=new_session_generation)

    def get_id(self) -> str:
        """What the session cookie stores: the id and the current generation."""
        return f"{self.id}:{self.session_generation}"

    def in_generation(self, generation: str) -> bool:
        return hmac.compare_digest(generation.encode(), self.session_generation.encode())

    def end_sessions(self) -> None:
        """Make every session cookie issued to this user worthless (the caller commits)."""
        self.session_generation = new_session_generation()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=_hash_method())
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


def spend_a_password_check(password: str) -> None:
    """Check `password` against a dummy hash, as costly as checking a real user's.

    A name nobody has then takes as long to refuse as a wrong password, so
    the login's timing does not tell which user names exist.
    """
    check_password_hash(_dummy_hash(_hash_method()), password)


def prepare_dummy_hash(method: str) -> None:
    """Make the dummy hash now, so the first unknown name does not pay for it."""
    _dummy_hash(method)


def _hash_method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


class LoginFailure(db.Model):
    """One failed login, kept for a while to slow down password guessing."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


def create_user(username: str, password: str, sysadmin: bool) -> User:
    """Store a new user (the caller commits)."""
    user = User(username=username, is_sysadmin=sysadmin)
    user.set_password(password)
    db.session.add(user)
    return user
