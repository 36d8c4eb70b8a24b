"""Failed logins are throttled per user and address, in the database so every worker agrees."""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import delete, func, select

from .extensions import db
from .users import LoginFailure


def _window() -> timedelta:
    return timedelta(seconds=current_app.config["LOGIN_THROTTLE_WINDOW"])


def _now() -> datetime:
    return datetime.now(timezone.utc)


def seconds_locked(username: str, address: str) -> int:
    """How long this user at this address must wait before trying again (0: not locked)."""
    since = _now() - _window()
    recent = select(func.count(), func.min(LoginFailure.failed_at)).where(
        LoginFailure.failed_at > since)
    per_pair = db.session.execute(recent.where(LoginFailure.username == username[:64],
                                               LoginFailure.address == address)).one()
    per_address = db.session.execute(recent.where(LoginFailure.address == address)).one()
    config = current_app.config
    for (count, oldest), limit in ((per_pair, config["LOGIN_THROTTLE_PER_USER"]),
                                   (per_address, config["LOGIN_THROTTLE_PER_ADDRESS"])):
        if count >= limit:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=timezone.utc)
            return max(1, math.ceil((oldest + _window() - _now()).total_seconds()))
    return 0


def record_failure(username: str, address: str) -> None:
    """Remember a failed login and forget the ones older than the window."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= _now() - _window()))
    db.session.add(LoginFailure(username=username[:64], address=address, failed_at=_now()))
    db.session.commit()


def clear_failures(username: str, address: str) -> None:
    """A successful login wipes this user's failures from this address."""
    mine = (LoginFailure.username == username[:64], LoginFailure.address == address)
    # Most logins follow no failure: don't write (and lock SQLite) for nothing.
    if db.session.scalar(select(LoginFailure.id).where(*mine).limit(1)) is None:
        return
    db.session.execute(delete(LoginFailure).where(*mine))
    db.session.commit()
