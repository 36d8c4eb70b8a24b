"""A registry's webhook secret: generated here, sealed at rest, checked in constant time.

The registry sends it with every notification in `Authorization: Bearer
<secret>`, a header its `notifications.endpoints[].headers` configures. The
secret is shown once, when it is generated; afterwards only its last four
characters.
"""
from __future__ import annotations

import hmac
import secrets

from ..crypto import SecretBox, SecretError
from ..models import Registry, utcnow
from . import audit

HEADER = "Authorization"
SCHEME = "Bearer"
SECRET_BYTES = 32
# Stands in for the secret in the configuration a page shows after it was generated.
PLACEHOLDER = "<the secret shown when it was generated>"


def generate(session, box: SecretBox, registry: Registry) -> str:
    """Give `registry` a new webhook secret (the old one stops working); return it, once."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    registry.webhook_secret = box.seal({"secret": secret})
    registry.webhook_secret_hint = secret[-4:]
    registry.webhook_secret_at = utcnow()
    audit.record(session, "update", name=registry.name, object_id=registry.id,
                 object_type="registry",
                 detail="generated a new webhook secret; the previous one no longer works")
    session.commit()
    return secret


def header_value(secret: str) -> str:
    """What the registry sends in the header for `secret`."""
    return f"{SCHEME} {secret}"


def refusal(box: SecretBox, registry: Registry | None, given: str | None) -> str | None:
    """Why the header value `given` does not carry the registry's webhook secret (a reason
    for the log, never the secret); None when it does."""
    sealed = registry.webhook_secret if registry is not None else None
    try:
        stored = box.open(sealed).get("secret", "") if sealed else ""
    except SecretError:
        stored = ""
    # Compared in constant time, and always compared, so a missing secret takes as long.
    expected = header_value(stored or secrets.token_urlsafe(SECRET_BYTES))
    matches = hmac.compare_digest((given or "").encode(), expected.encode())
    if registry is None:
        return "no such registry"
    if not sealed:
        return "the registry has no webhook secret yet"
    if not given:
        return "no Authorization header"
    return None if matches and stored else "not the registry's webhook secret"


def notifications_yaml(url: str, secret: str | None) -> str:
    """The `notifications:` block to paste into docker-registry's configuration."""
    value = header_value(secret) if secret else f"{SCHEME} {PLACEHOLDER}"
    return "\n".join([
        "notifications:",
        "  endpoints:",
        "    - name: preheat",
        f"      url: {url}",
        "      headers:",
        f"        {HEADER}: [\"{value}\"]",
        "      timeout: 2s",
        "      threshold: 5",
        "      backoff: 10s",
        "      # Only manifest pushes matter to Preheat: leave out blob traffic and pulls.",
        "      ignoredmediatypes:",
        "        - application/octet-stream",
        "      ignore:",
        "        actions: [pull, mount, delete]",
    ]) + "\n"
