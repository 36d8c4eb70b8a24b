"""Re-encrypting stored credentials with the newest key."""
from __future__ import annotations

from sqlalchemy import select

from ..crypto import SecretBox, SecretError
from ..models import Instance


def rotate_all(session, box: SecretBox) -> int:
    """Re-encrypt every stored secret with the newest key, all or nothing; return the count."""
    rotated = 0
    for instance in session.scalars(select(Instance).where(Instance.auth_secret.is_not(None))):
        try:
            instance.auth_secret = box.rotate(instance.auth_secret)
        except SecretError:
            session.rollback()
            raise SecretError(f"the credentials of instance {instance.name} cannot be decrypted"
                              " with any configured key; nothing was changed") from None
        rotated += 1
    session.commit()
    return rotated
