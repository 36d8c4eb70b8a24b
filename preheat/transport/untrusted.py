"""What an endpoint answers is untrusted: the few pieces of it we repeat, made safe.

A provider, a registry or a token service (or whoever answers at its address)
may repeat the credentials it was sent, whole or transformed (reversed,
case-changed, base64, URL-encoded, split in pieces), hoping a message carries
them back to a page, the audit log or the stored health. So nothing of an
answer goes into a message unless the caller knows its shape, and then only
as `scrubbed` lets it through: one printable line, short, and dropped
entirely if it echoes the credentials. The client applies the same test to
its own sentences when they name a URL or host an answer gave it.
"""
from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import quote, quote_plus

MESSAGE_LENGTH = 200
# Pieces of a secret this long are caught wherever they appear; shorter ones
# would match ordinary words. Only letters and digits count, so separators
# put between the pieces of a split echo do not hide it.
CHUNK = 6
SHORTEST_SECRET = 3
NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def scrubbed(text, secrets=()) -> str | None:
    """`text` as one short printable line, or None if it is empty or echoes `secrets`."""
    if not isinstance(text, str):
        return None
    line = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    # Cut first: only what is kept needs checking, and a long answer stays cheap.
    kept = line[:MESSAGE_LENGTH] + ("..." if len(line) > MESSAGE_LENGTH else "")
    return None if not line or echoes(kept, secrets) else kept


def echoes(text: str, secrets=(), *, pieces: bool = True) -> bool:
    """Whether `text` holds one of `secrets` in any usual disguise (with `pieces`, even a part)."""
    flat = _flat(text)
    # Whole short secrets would match words of our own sentences; pieces are only
    # looked for in what a provider wrote.
    shortest = SHORTEST_SECRET if pieces else CHUNK
    for form in _disguises(secrets):
        if len(form) < shortest:
            continue
        if form in flat:
            return True
        if pieces and len(form) > CHUNK and any(
                flat[i:i + CHUNK] in form for i in range(len(flat) - CHUNK + 1)):
            return True
    return False


def _disguises(secrets) -> set[str]:
    """Each secret as it may come back, flattened as `_flat` flattens text."""
    forms = set()
    for secret in secrets:
        if not secret or len(secret) < SHORTEST_SECRET:
            continue
        raw = secret.encode("utf-8", errors="replace")
        variants = [secret, quote(secret, safe=""), quote_plus(secret), raw.hex()]
        # Base64 at each byte alignment, so the encoding of any piece is caught too.
        for start in range(3):
            variants += [base64.b64encode(raw[start:]).decode(),
                         base64.urlsafe_b64encode(raw[start:]).decode(),
                         binascii.b2a_base64(raw[start:][::-1], newline=False).decode()]
        for variant in variants:
            forms.update((_flat(variant), _flat(variant[::-1])))
    forms.discard("")
    return forms


def _flat(text: str) -> str:
    return NOT_ALNUM.sub("", text.lower())
