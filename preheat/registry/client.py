"""The registry client: every call to a registry, authenticated as it asks, and counted."""
from __future__ import annotations

import threading
import time
from dataclasses import replace

from ..transport import Credentials, HttpClient, HttpFailure, HttpResponse, Target
from . import artifacts as _artifacts
from . import check as _check
from . import listing as _listing
from . import pull as _pull
from .auth import Challenge, TokenCache, read_challenge, scope_for
from .errors import RegistryError


class RegistryClient:
    """Talks to OCI Distribution registries through one guarded HttpClient.

    Knows each registry's challenge once it has seen it, so later calls send
    the right credentials straight away; `counts` tells how many requests went
    to registries and to token services.
    """

    def __init__(self, http: HttpClient, *, clock=time.time):
        self.http = http
        self.tokens = TokenCache(http, self._count, clock)
        self._challenges: dict[str, Challenge] = {}
        self._counts = {"registry": 0, "token service": 0}
        self._lock = threading.Lock()

    def check(self, target: Target) -> _check.RegistryCheck:
        """Whether `target` is a registry these credentials may use; never raises."""
        return _check.check(self, target)

    def catalog_access(self, target: Target) -> tuple[bool, str]:
        """Whether the catalog may be listed, and the sentence that says so; never raises."""
        return _check.catalog_access(self, target)

    def catalog(self, target: Target, *, page_size: int = _listing.LARGEST_PAGE) -> list[str]:
        """Every repository name, sorted; raise CatalogNotAllowed or RegistryError."""
        return _listing.catalog(self, target, page_size=page_size)

    def tags(self, target: Target, repository: str) -> list[str]:
        """The repository's tags in natural order; raise RegistryError."""
        return _listing.tags(self, target, repository)

    def artifact(self, target: Target, repository: str, tag: str) -> _artifacts.Artifact:
        """Digest, media type and platforms of one tag; raise RegistryError."""
        return _artifacts.artifact(self, target, repository, tag)

    def artifacts(self, target: Target, repository: str, tags, *, concurrency: int = 8,
                  deadline: float | None = None) -> list[_artifacts.Artifact]:
        """Resolve many tags in parallel within one deadline; never raises."""
        return _artifacts.artifacts(self, target, repository, tags, concurrency=concurrency,
                                    deadline=deadline)

    def pull_authorization(self, target: Target, repository: str, *,
                           min_lifetime: float | None = None,
                           deadline: float | None = None) -> _pull.PullCredential:
        """The credential a provider pulls `repository` with; raise RegistryError."""
        return _pull.pull_authorization(self, target, repository, min_lifetime=min_lifetime,
                                        deadline=deadline)

    @property
    def counts(self) -> dict[str, int]:
        """Requests made so far: {"registry": n, "token service": m}."""
        with self._lock:
            return dict(self._counts)

    @property
    def requests_made(self) -> int:
        """Requests made so far to registries (token services not included)."""
        return self.counts["registry"]

    def reset_counts(self) -> None:
        with self._lock:
            self._counts = dict.fromkeys(self._counts, 0)

    def _count(self, peer: str) -> None:
        with self._lock:
            self._counts[peer] += 1

    def send(self, target: Target, method: str, path: str, *, scope: str | None = None,
             deadline: float | None = None, **options) -> HttpResponse:
        """One request with the credentials the registry asks for; raise RegistryError.

        A 401 is answered with the target's Basic credentials, or with a token
        fetched for the challenge's scope (`scope`, or the one the request
        needs, when the challenge names none); a token the registry calls
        invalid is fetched again once. Any other answer is returned.
        """
        target = replace(target, peer="registry")
        scope = scope_for(method, path) if scope is None else scope
        sent = self._credentials(target, self._challenges.get(target.endpoint), scope, deadline)
        response = self._call(target, method, path, sent, deadline, options)
        renewed = False
        for _ in range(2):
            challenge = read_challenge(response.headers.get("WWW-Authenticate")) \
                if response.status == 401 else None
            if challenge is None or target.credentials.mode == "OAUTH":
                break
            self._challenges[target.endpoint] = replace(challenge, scope="", error="")
            wanted = challenge.scope or scope
            if challenge.scheme == "bearer" and sent.mode == "OAUTH":
                if challenge.error != "invalid_token" or renewed:
                    if wanted == scope:
                        break  # the token we had is all the rights we get
                else:
                    self.tokens.forget(target, challenge, scope)
                    renewed = True
            elif challenge.scheme != "bearer" and (challenge.scheme != "basic"
                                                   or sent.mode == "BASIC"):
                break
            sent = self._credentials(target, challenge, wanted, deadline)
            if sent.mode == "NONE":
                break
            scope = wanted
            response = self._call(target, method, path, sent, deadline, options)
        return response

    def _credentials(self, target: Target, challenge: Challenge | None, scope: str,
                     deadline) -> Credentials:
        """What to send for `challenge`: Basic, a token for `scope`, or nothing."""
        if target.credentials.mode == "OAUTH":
            return target.credentials  # a token the user gave, for the registry itself
        if challenge is None:
            return Credentials()
        if challenge.scheme == "basic":
            return target.credentials if target.credentials.mode == "BASIC" else Credentials()
        if challenge.scheme == "bearer":
            return Credentials.bearer(self.tokens.token(target, challenge, scope, deadline))
        return Credentials()

    def _call(self, target: Target, method: str, path: str, credentials: Credentials,
              deadline, options) -> HttpResponse:
        self._count("registry")
        try:
            return self.http.request(method, target, path, credentials=credentials,
                                     deadline=deadline, **options)
        except HttpFailure as failure:
            raise RegistryError(failure.reason, transient=failure.transient) from None

    def known_challenge(self, target: Target) -> Challenge | None:
        """The challenge the registry at `target` last answered with, if any."""
        return self._challenges.get(target.endpoint)

    def remember_challenge(self, target: Target, challenge: Challenge) -> None:
        """Keep the registry's challenge, so later calls send the right credentials at once."""
        self._challenges[target.endpoint] = replace(challenge, scope="", error="")
