"""Re-encrypting stored credentials with the newest key."""
from __future__ import annotations

from sqlalchemy import select

from ..crypto import SecretBox, SecretError
from ..models import Instance, Registry

# Every table that keeps sealed credentials, and how its rows are named in a message.
SEALED = ((Instance, "instance"), (Registry, "registry"))


def rotate_all(session, box: SecretBox) -> int:
    """Re-encrypt every stored secret with the newest key, all or nothing; return the count."""
    rotated = 0
    for model, noun in SEALED:
        for row in session.scalars(select(model).where(model.auth_secret.is_not(None))):
            try:
                row.auth_secret = box.rotate(row.auth_secret)
            except SecretError:
                session.rollback()
                raise SecretError(f"the credentials of {noun} {row.name} cannot be decrypted"
                                  " with any configured key; nothing was changed") from None
            rotated += 1
    session.commit()
    return rotated
