"""Is this a registry, and may these credentials use it? One check, in a sysadmin's words."""
from __future__ import annotations

from dataclasses import dataclass

from ..providers.base import CheckResult
from ..providers.probe import status_text, unexpected_body, unexpected_status
from ..transport import HttpResponse, Target
from .auth import read_challenge
from .errors import RegistryError

API_VERSION = "Docker-Distribution-API-Version"
CATALOG_PROBE = "/v2/_catalog?n=1"
BY_HAND = "type project names by hand"


@dataclass(frozen=True)
class RegistryCheck(CheckResult):
    """A check's outcome, plus whether the catalog may be listed (None: not known)."""

    catalog_allowed: bool | None = None


def check(client, target: Target) -> RegistryCheck:
    """GET /v2/ as the registry asks, then probe the catalog; never raises."""
    try:
        response = client.send(target, "GET", "/v2/", scope="")
    except RegistryError as error:
        return RegistryCheck(False, error.reason, error.http_status)
    problem = _problem(response, target)
    if problem:
        return RegistryCheck(False, problem, response.status, response.latency_ms)
    allowed, note = catalog_access(client, target)
    return RegistryCheck(True, f"Registry v2 API answered in {response.latency_ms} ms; {note}",
                         response.status, response.latency_ms, catalog_allowed=allowed)


def catalog_access(client, target: Target) -> tuple[bool, str]:
    """Whether these credentials may list the catalog, and the sentence that says so."""
    try:
        response = client.send(target, "GET", CATALOG_PROBE)
    except RegistryError as error:
        return False, f"the catalog could not be read ({error.reason}): {BY_HAND}."
    if response.status == 200 and isinstance(_field(response, "repositories"), list):
        return True, "the catalog is readable."
    if response.status in (401, 403, 404):
        return False, f"catalog not allowed: {BY_HAND}."
    return False, (f"the catalog could not be read ({status_text(response.status)}"
                   f" from GET /v2/_catalog): {BY_HAND}.")


def _problem(response: HttpResponse, target: Target) -> str | None:
    """Why this answer to GET /v2/ is not a usable registry, or None."""
    what = "GET /v2/"
    if response.status == 401:
        return _refusal(response, target)
    if response.status == 404:
        return (f"{status_text(404)} from {what}: there is no registry v2 API at this"
                " address. Is the endpoint the registry's?")
    if response.status != 200:
        return unexpected_status(response, what).reason.replace(
            "; check the endpoint address.", "; check the registry address.")
    if API_VERSION not in response.headers:
        return (f"{what} answered {status_text(200)} without a {API_VERSION} header: this"
                " is not a registry. Is the endpoint the registry's?")
    if not isinstance(response.json(), dict):
        return unexpected_body(response, what, "a JSON object").reason
    return None


def refused_credentials(response: HttpResponse, target: Target, what: str) -> str | None:
    """Why a 401 to `what` is the credentials' fault, not a missing right; or None."""
    challenge = read_challenge(response.headers.get("WWW-Authenticate"))
    if response.status != 401 or (challenge is not None and challenge.scheme == "bearer"
                                  and challenge.error == "insufficient_scope"):
        return None
    return _refusal(response, target, what)


def _refusal(response: HttpResponse, target: Target, what: str = "GET /v2/") -> str:
    """The sentence for a 401 that survived the answer to the registry's challenge."""
    challenge = read_challenge(response.headers.get("WWW-Authenticate"))
    mode = target.credentials.mode
    head = f"{status_text(401)} from {what}"
    if challenge is None or challenge.scheme not in ("basic", "bearer"):
        scheme = f" ({challenge.scheme})" if challenge else ""
        return f"{head}: the registry asks for an authentication scheme{scheme} Preheat does" \
               " not speak."
    if mode == "NONE":
        return (f"{head}: the registry asks for credentials, and none are configured;"
                " choose Basic and give a user name and password.")
    if mode == "OAUTH":
        return f"{head}: the registry rejected the token."
    if challenge.scheme == "basic":
        return f"{head}: the registry rejected the user name or password."
    return (f"{head}: the registry refused the token its token service issued for these"
            " credentials.")


def _field(response: HttpResponse, name: str):
    body = response.json()
    return body.get(name) if isinstance(body, dict) else None
