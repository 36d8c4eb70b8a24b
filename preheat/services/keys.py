"""Re-encrypting stored credentials with the newest key."""
from __future__ import annotations

from sqlalchemy import select

from ..crypto import SecretBox, SecretError
from ..models import Instance, Registry

# Every column that keeps sealed secrets, what it holds, and how its rows are named.
SEALED = ((Instance, "auth_secret", "the credentials", "instance"),
          (Registry, "auth_secret", "the credentials", "registry"),
          (Registry, "webhook_secret", "the webhook secret", "registry"))


def rotate_all(session, box: SecretBox) -> int:
    """Re-encrypt every stored secret with the newest key, all or nothing; return the count."""
    rotated = 0
    for model, column, what, noun in SEALED:
        for row in session.scalars(select(model).where(getattr(model, column).is_not(None))):
            try:
                setattr(row, column, box.rotate(getattr(row, column)))
            except SecretError:
                session.rollback()
                raise SecretError(f"{what} of {noun} {row.name} cannot be decrypted"
                                  " with any configured key; nothing was changed") from None
            rotated += 1
    session.commit()
    return rotated
