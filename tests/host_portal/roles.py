"""Who may do what in the portal."""
from __future__ import annotations

from sqlalchemy import select

from .models import Maintainer, db

OPS_ADMIN = "ops-admin"


def is_ops_admin(member) -> bool:
    """Whether `member` runs the portal's infrastructure (and so may manage Preheat)."""
    return getattr(member, "role", None) == OPS_ADMIN


def maintains_project(member, project_name: str) -> bool:
    """Whether `member` maintains project `project_name` (and so may manage its preheating)."""
    member_id = getattr(member, "id", None)
    if member_id is None:
        return False
    found = db.session.scalar(select(Maintainer.id).where(
        Maintainer.member_id == member_id, Maintainer.project_name == project_name))
    return found is not None
