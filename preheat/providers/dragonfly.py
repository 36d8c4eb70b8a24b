"""Dragonfly v2 manager driver: /healthy, then the token against the Open API."""
from __future__ import annotations

from urllib.parse import urlsplit

from ..transport import HttpClient, Target
from ..transport.untrusted import scrubbed
from .base import CheckResult, Provider
from .probe import failed, fetch, passed, status_text, unexpected_body, unexpected_status

JOBS_PROBE = "/oapi/v1/jobs?page=1&per_page=1"
UPGRADE = "upgrade to Dragonfly >= 2.1.59"
TOKEN_HINTS = {
    "inactive": "Activate the token in the Dragonfly console, or create a new one.",
    "expired": "Create a new personal access token in the Dragonfly console.",
}
SCOPE_HINT = "The token must be active, unexpired and have the job scope."


class Dragonfly(Provider):
    id = "dragonfly"
    name = "Dragonfly"
    version = "2.1.59"
    icon = "https://raw.githubusercontent.com/dragonflyoss/Dragonfly2/master/docs/images/logo/dragonfly-linear.png"
    maintainers = ("chlins.zhang@gmail.com", "gaius.qi@gmail.com")
    source = "https://github.com/dragonflyoss/Dragonfly2"
    auth_modes = ("OAUTH",)

    def auth_note(self, mode: str) -> str | None:
        if mode == "BASIC":
            return ("Dragonfly's Open API accepts only personal access tokens: Basic"
                    " credentials cannot work. Choose OAuth and enter a token with the job scope.")
        if mode == "NONE":
            return ("Without a token only the manager's /healthy can be checked; preheating"
                    " needs a personal access token (OAuth).")
        return None

    def endpoint_note(self, endpoint: str) -> str | None:
        try:
            port = urlsplit(endpoint).port
        except ValueError:
            return None
        if port == 8002:
            return ("Port 8002 was Dragonfly v1's API port and is the v2 scheduler's gRPC port;"
                    " the Dragonfly v2 manager usually listens on 8080.")
        return None

    def check_health(self, target: Target, http: HttpClient) -> CheckResult:
        response, failure = fetch(http, target, "/healthy", authenticate=False)
        if failure:
            return failure
        if response.status != 200:
            return self._legacy(target, http, response) or \
                unexpected_status(response, "GET /healthy", _message(response))
        if not _says_ok(response):
            return unexpected_body(response, "GET /healthy", "“OK”")
        mode = target.credentials.mode
        if mode == "BASIC":
            return failed(response, "The Dragonfly manager is up, but " + self.auth_note(mode))
        if mode != "OAUTH":
            return passed(response, "The Dragonfly manager is up. No token is configured, so"
                                    " access to the Open API, which preheating needs,"
                                    " was not checked.")
        return self._check_token(target, http, response.latency_ms)

    def _check_token(self, target: Target, http: HttpClient, before_ms: int) -> CheckResult:
        response, failure = fetch(http, target, JOBS_PROBE)
        if failure:
            return failure
        what = "GET /oapi/v1/jobs"
        latency = before_ms + response.latency_ms
        if response.status == 200:
            if not isinstance(response.json(), list) or response.truncated:
                return unexpected_body(response, what, "a JSON list of jobs")
            return passed(response, "The Dragonfly manager is up and accepted the personal"
                                    " access token.", latency)
        if response.status == 401:
            return failed(response, f"Token rejected: Dragonfly answered {status_text(401)}"
                                    f" to {what}. The manager does not know this personal"
                                    " access token: it was deleted, revoked or mistyped.")
        if response.status == 403:
            return failed(response, f"Token refused: Dragonfly answered {status_text(403)}"
                                    f" to {what}{_quoted(response)}. {_token_hint(response)}")
        if 300 <= response.status < 400:
            return failed(response, f"The Dragonfly manager has no Open API: {what} was"
                                    f" redirected to {response.location() or 'another page'};"
                                    f" {UPGRADE}.")
        return unexpected_status(response, what, _message(response))

    def _legacy(self, target: Target, http: HttpClient, healthy) -> CheckResult | None:
        """A legacy (v1-era) Dragonfly answers /_ping where v2 answers /healthy."""
        response, failure = fetch(http, target, "/_ping", authenticate=False)
        if failure or response.status != 200 or not _says_ok(response):
            return None
        return failed(healthy, "Legacy Dragonfly API: /_ping answers but /healthy does not"
                               f" ({status_text(healthy.status)}). Preheat speaks the v2"
                               f" manager's Open API: {UPGRADE} and use the manager's"
                               " address (port 8080).")


def _says_ok(response) -> bool:
    # The manager answers JSON "OK"; a proxy in front may drop the quotes.
    return response.text.strip().strip('"') == "OK" and not response.truncated


def _raw_message(response) -> str:
    """The `message` of the manager's JSON error body ({"message": "..."}), unchecked."""
    data = response.json()
    message = data.get("message") if isinstance(data, dict) else None
    return message if isinstance(message, str) else ""


def _message(response) -> str | None:
    """The manager's own error message, if it is safe to repeat."""
    return scrubbed(_raw_message(response), response.secrets)


def _quoted(response) -> str:
    if not _raw_message(response):
        return ""
    message = _message(response)
    # Dropped, but say so: an answer that repeats the token is itself worth knowing.
    return f": “{message}”" if message else " (its message repeated the token, so it is not shown)"


def _token_hint(response) -> str:
    # Only picks one of our own sentences, so reading the raw message is safe.
    said = _raw_message(response).lower()
    return next((hint for word, hint in TOKEN_HINTS.items() if word in said), SCOPE_HINT)
