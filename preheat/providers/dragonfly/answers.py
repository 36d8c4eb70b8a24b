"""What the Dragonfly manager says in its answers, read only where its shape is known."""
from __future__ import annotations

from ...transport.untrusted import scrubbed
from ..probe import status_text

UPGRADE = "upgrade to Dragonfly >= 2.1.59"
TOKEN_HINTS = {
    "inactive": "Activate the token in the Dragonfly console, or create a new one.",
    "expired": "Create a new personal access token in the Dragonfly console.",
}
SCOPE_HINT = "The token must be active, unexpired and have the job scope."


def says_ok(response) -> bool:
    """Whether a /healthy answer is the manager's "OK"."""
    # The manager answers JSON "OK"; a proxy in front may drop the quotes.
    return response.text.strip().strip('"') == "OK" and not response.truncated


def raw_message(response) -> str:
    """The manager's error text, unchecked: `message` (500, 401, 403) or `errors` (422).

    A 429 comes from the rate limiter, which answers plain text ("rate limit exceeded").
    """
    data = response.json()
    if isinstance(data, dict):
        for key in ("message", "errors"):
            if isinstance(data.get(key), str):
                return data[key]
        return ""
    plain = response.status == 429 and data is None and len(response.body) < 200
    return response.text if plain else ""


def message(response, secrets=()) -> str | None:
    """The manager's own error message, if it is safe to repeat."""
    return scrubbed(raw_message(response), tuple(response.secrets) + tuple(secrets))


def quoted(response, secrets=()) -> str:
    """': “<message>”' for a sentence, or a note that the message repeated a secret."""
    if not raw_message(response).strip():
        return ""
    said = message(response, secrets)
    # Dropped, but say so: an answer that repeats the token is itself worth knowing.
    which = "a credential" if secrets else "the token"
    return f": “{said}”" if said else f" (its message repeated {which}, so it is not shown)"


def token_hint(response) -> str:
    """The advice matching the manager's 403 message."""
    # Only picks one of our own sentences, so reading the raw message is safe.
    said = raw_message(response).lower()
    return next((hint for word, hint in TOKEN_HINTS.items() if word in said), SCOPE_HINT)


def token_refusal(response, what: str) -> str | None:
    """The sentence for a 401 or 403 from the Open API, or None for any other status."""
    if response.status == 401:
        return (f"Token rejected: Dragonfly answered {status_text(401)} to {what}. The manager"
                " does not know this personal access token: it was deleted, revoked or"
                " mistyped.")
    if response.status == 403:
        return (f"Token refused: Dragonfly answered {status_text(403)} to {what}"
                f"{quoted(response)}. {token_hint(response)}")
    return None
