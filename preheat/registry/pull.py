"""The credential a P2P provider pulls an image with: what goes in its Authorization header.

The provider (and later its peers) fetch the manifest and blobs themselves,
so the header must work on its own: a token-auth registry gets a token
issued fresh for exactly `repository:<name>:pull`, whose lifetime is said;
a Basic registry gets `Basic <base64>`; an open registry gets nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..providers.probe import status_text
from ..transport import Credentials, Target
from ..transport.target import authorization_header
from .auth import read_challenge
from .errors import RegistryError
from .names import repository_problem


@dataclass(frozen=True)
class PullCredential:
    """An Authorization header value (None: the registry is open), its lifetime and a note."""

    header: str | None = field(repr=False)
    expires_in: float | None = None
    note: str | None = None


def pull_authorization(client, target: Target, repository: str, *,
                       min_lifetime: float | None = None,
                       deadline: float | None = None) -> PullCredential:
    """The pull credential for `repository` on `target`; raise RegistryError."""
    problem = repository_problem(repository)
    if problem:
        raise RegistryError(problem)
    target = replace(target, peer="registry")
    creds = target.credentials
    if creds.mode == "OAUTH":  # a token the user gave for the registry itself
        return PullCredential(authorization_header(creds)["Authorization"])
    challenge = _challenge(client, target, deadline)
    if challenge is None:
        return PullCredential(None)
    if challenge.scheme == "basic":
        if creds.mode != "BASIC":
            raise RegistryError("The registry asks for a user name and password (Basic), and"
                                " none are configured: providers could not pull from it.", 401)
        return PullCredential(authorization_header(creds)["Authorization"])
    if challenge.scheme != "bearer":
        raise RegistryError(f"The registry asks for {challenge.scheme} authentication, which"
                            " providers cannot be given.", 401)
    scope = f"repository:{repository}:pull"
    token, lifetime = client.tokens.issue(target, challenge, scope, deadline)
    return PullCredential(f"Bearer {token}", lifetime, _note(lifetime, min_lifetime))


def _challenge(client, target: Target, deadline):
    """The registry's challenge: the one it last sent, else what an anonymous GET /v2/ gets."""
    known = client.known_challenge(target)
    if known is not None:
        return known
    response = client._call(target, "GET", "/v2/", Credentials(), deadline, {})
    if response.status == 200:
        return None
    challenge = read_challenge(response.headers.get("WWW-Authenticate")) \
        if response.status == 401 else None
    if challenge is None:
        raise RegistryError(f"{status_text(response.status)} from GET /v2/: not the answer of"
                            " a registry.", response.status)
    client.remember_challenge(target, challenge)
    return challenge


def _note(lifetime: float, needed: float | None) -> str | None:
    if needed is None or lifetime >= needed:
        return None
    return (f"The registry's pull tokens last {lifetime:.0f} s, less than the {needed:.0f} s"
            " a preheat may take: peers that download layers after that are refused. Make"
            " its token service issue tokens that last longer.")
