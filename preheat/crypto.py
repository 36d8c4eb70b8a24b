"""Encryption at rest for provider credentials (Fernet)."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KEY_FILE_NAME = "preheat-encryption.key"


class SecretError(Exception):
    """Stored credentials cannot be decrypted with any configured key."""


def parse_keys(value: str | list[str] | tuple[str, ...]) -> list[str]:
    """Split a configured key setting (comma-separated, newest first) into keys."""
    if isinstance(value, str):
        value = value.split(",")
    return [key.strip() for key in value if key and key.strip()]


def load_or_create_key_file(folder: str) -> str:
    """Read the generated key kept in `folder`, creating it on first use."""
    return load_or_create_secret_file(Path(folder) / KEY_FILE_NAME,
                                      lambda: Fernet.generate_key().decode())


def load_or_create_secret_file(path: Path, make: Callable[[], str]) -> str:
    """Read the secret kept at `path`; on first use, write `make()` there, readable by us only."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = make()
    # O_EXCL: two processes starting at once must not write different secrets.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secret + "\n")
    return secret


class SecretBox:
    """Encrypts and decrypts credential maps; the first key encrypts, all decrypt."""

    def __init__(self, keys: list[str]):
        if not keys:
            raise ValueError("at least one encryption key is required")
        try:
            self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        except ValueError as exc:
            raise ValueError(
                "PREHEAT_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64 bytes)"
            ) from exc

    def __repr__(self) -> str:
        return "<SecretBox>"

    def seal(self, data: dict[str, str]) -> str:
        """Encrypt a credential map into an opaque token."""
        return self._fernet.encrypt(json.dumps(data).encode()).decode()

    def open(self, token: str | None) -> dict[str, str]:
        """Decrypt a token made by `seal`; an empty token is an empty map."""
        if not token:
            return {}
        try:
            return json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken:
            raise SecretError(
                "stored credentials cannot be decrypted: the encryption key changed"
            ) from None

    def rotate(self, token: str) -> str:
        """Re-encrypt a token with the newest key."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise SecretError("stored credentials cannot be decrypted with any configured key")\
                from None
