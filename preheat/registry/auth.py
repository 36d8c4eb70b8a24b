"""How a registry asks for credentials, and the pull tokens its token service issues.

A registry answers 401 with a challenge: Basic (send the user name and
password) or Bearer (fetch a token at the challenge's realm for the scope
the request needs, then send that). Tokens are cached per realm, service,
scope and credentials until shortly before they expire.
"""
from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode, urlsplit, urlunsplit

from ..providers.probe import status_text
from ..transport import Credentials, HttpClient, HttpFailure, Target, parse_challenges
from ..transport.untrusted import scrubbed
from .errors import RegistryError

# A token is no longer sent this long before it expires: it must outlive the request.
EXPIRY_MARGIN = 10.0
# Docker's token specification: no expires_in means 60 s, and less than 60 s counts as 60.
SHORTEST_LIFETIME = 60


@dataclass(frozen=True)
class Challenge:
    """A registry's WWW-Authenticate challenge, as far as a client acts on it."""

    scheme: str
    realm: str = ""
    service: str = ""
    scope: str = ""
    error: str = ""


def read_challenge(header: str | None) -> Challenge | None:
    """The Bearer challenge of a WWW-Authenticate header, else its Basic one, else its first."""
    challenges = parse_challenges(header)
    for wanted in ("bearer", "basic"):
        for scheme, params in challenges:
            if scheme == wanted:
                return Challenge(scheme, params.get("realm", ""), params.get("service", ""),
                                 params.get("scope", ""), params.get("error", ""))
    return Challenge(challenges[0][0]) if challenges else None


def scope_for(method: str, path: str) -> str:
    """The grant a request needs (Distribution's rules): catalog, pull, push or delete."""
    path = path.split("?", 1)[0]
    if path.endswith("/v2/_catalog"):
        return "registry:catalog:*"
    name = _repository_in(path)
    if not name:
        return ""
    actions = {"DELETE": "delete", "POST": "pull,push", "PUT": "pull,push",
               "PATCH": "pull,push"}.get(method.upper(), "pull")
    return f"repository:{name}:{actions}"


def _repository_in(path: str) -> str:
    tail = urlsplit(path).path.partition("/v2/")[2]
    for marker in ("/manifests/", "/blobs/", "/tags/list"):
        if marker in tail:
            return tail.rpartition(marker)[0]
    return ""


def realm_shown(realm: str, secrets=()) -> str:
    """The realm as a sentence names it: no user info or query, never an echo of a secret."""
    parts = urlsplit(realm)
    bare = urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
    shown = scrubbed(bare, secrets)
    return f"at {shown}" if shown else "it names"


class TokenCache:
    """Bearer tokens per (realm, service, scope, credentials), reused until they expire."""

    def __init__(self, http: HttpClient, count, clock=time.time, margin: float = EXPIRY_MARGIN):
        self.http, self.count, self.clock, self.margin = http, count, clock, margin
        self._tokens: dict[tuple, tuple[str, float]] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._lock = threading.Lock()

    def token(self, target: Target, challenge: Challenge, scope: str,
              deadline: float | None = None) -> str:
        """A token for `scope`: the cached one while valid, else a new one from the realm."""
        key = self._key(target, challenge, scope)
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        # One fetch per key at a time: concurrent callers wait for it and share the token.
        with lock:
            cached = self._tokens.get(key)
            if cached and cached[1] > self.clock():
                return cached[0]
            value, lifetime = self.issue(target, challenge, scope, deadline)
            self._tokens[key] = (value, self.clock() + lifetime - self.margin)
            return value

    def forget(self, target: Target, challenge: Challenge, scope: str) -> None:
        """Drop the cached token (the registry called it invalid)."""
        self._tokens.pop(self._key(target, challenge, scope), None)

    @staticmethod
    def _key(target: Target, challenge: Challenge, scope: str) -> tuple:
        # Tokens carry the rights of the credentials they were issued for, so
        # two registries sharing one token service must not share tokens.
        creds = target.credentials
        identity = hashlib.sha256(f"{creds.mode}\0{creds.username}\0{creds.password}"
                                  .encode()).hexdigest() if creds.mode == "BASIC" else ""
        return challenge.realm, challenge.service, scope, identity

    def issue(self, target: Target, challenge: Challenge, scope: str,
              deadline: float | None = None) -> tuple[str, float]:
        """A new token for `scope`, not cached, and the seconds it stays valid; raise RegistryError."""
        creds = target.credentials if target.credentials.mode == "BASIC" else Credentials()
        secrets = (creds.password,) if creds.password else ()
        where = f"The registry's token service {realm_shown(challenge.realm, secrets)}"
        if not challenge.realm:
            raise RegistryError("The registry asks for a token but names no token service"
                                " (its Bearer challenge has no realm).", 401)
        url = _token_url(challenge, scope, creds.username)
        self.count("token service")
        try:
            response = self.http.get(target, url, credentials=creds, peer="token service",
                                     deadline=deadline)
        except HttpFailure as failure:
            raise RegistryError(f"{where} could not be reached: {failure.reason}",
                                transient=failure.transient) from None
        if response.status in (401, 403):
            if creds.mode == "BASIC":
                raise RegistryError(f"{where} rejected the user name or password"
                                    f" ({status_text(response.status)}).", response.status)
            raise RegistryError(f"{where} refused an anonymous token"
                                f" ({status_text(response.status)}): the registry needs"
                                " credentials, and none are configured.", response.status)
        if response.status != 200:
            raise RegistryError(f"{where} answered {status_text(response.status)} instead"
                                " of a token.", response.status)
        return self._read(response.json(), where)

    def _read(self, body, where: str) -> tuple[str, float]:
        """The token and the seconds it has left from now."""
        body = body if isinstance(body, dict) else {}
        value = body.get("token") or body.get("access_token")
        if not isinstance(value, str) or not value:
            raise RegistryError(f"{where} answered without a token.")
        lifetime = body.get("expires_in")
        lifetime = lifetime if isinstance(lifetime, (int, float)) else SHORTEST_LIFETIME
        issued = _timestamp(body.get("issued_at"))
        now = self.clock()
        # An issue time from a clock far from ours would make the token look dead or eternal.
        start = issued if issued is not None and abs(issued - now) < 300 else now
        return value, start + max(lifetime, SHORTEST_LIFETIME) - now


def _token_url(challenge: Challenge, scope: str, username: str | None) -> str:
    query = [("service", challenge.service)] if challenge.service else []
    query += [("scope", each) for each in scope.split()]
    if username:
        query.append(("account", username))
    joiner = "&" if "?" in challenge.realm else "?"
    return challenge.realm + (joiner + urlencode(query) if query else "")


def _timestamp(value) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None
