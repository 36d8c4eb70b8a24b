"""Who may do what in the portal."""
from __future__ import annotations

OPS_ADMIN = "ops-admin"


def is_ops_admin(member) -> bool:
    """Whether `member` runs the portal's infrastructure (and so may manage Preheat)."""
    return getattr(member, "role", None) == OPS_ADMIN
