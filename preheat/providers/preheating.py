"""What a preheat asks of a provider and what comes back: the drivers' shared vocabulary.

The execution engine builds a PreheatRequest per tag, calls the driver's
`submit`, then `progress` until the state is "success" or "failure" (only
for drivers whose `confirms` is true). Failures are exceptions carrying a
sentence for a sysadmin and whether trying again is safe.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any, Mapping

STATES = ("pending", "running", "success", "failure")


@dataclass(frozen=True)
class PreheatRequest:
    """One image to preheat: where providers fetch it and with which credential.

    `manifest_url` is built on the registry's "URL as providers reach it";
    `authorization` is the registry pull credential as an Authorization
    header value (`Bearer <token>`, `Basic <b64>`), or None for an open
    registry. `options` are the policy's provider options, as the driver's
    `validate_options` returned them. `timeout` (seconds) is how long the
    provider may take, when it accepts one.
    """

    repository: str
    tag: str
    digest: str
    media_type: str
    manifest_url: str
    authorization: str | None = field(default=None, repr=False)
    options: Mapping[str, Any] = field(default_factory=dict)
    timeout: float | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        """What of the pull credential must never come back: the header, its token, its password."""
        return credential_secrets(self.authorization)


def credential_secrets(authorization: str | None) -> tuple[str, ...]:
    """The secret pieces of an Authorization header value, as the scrubbing knows them."""
    if not authorization:
        return ()
    scheme, _, value = authorization.partition(" ")
    found = [authorization, value]
    if scheme.lower() == "basic":
        try:
            pair = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            pair = ""
        found += [pair, pair.partition(":")[2]]
    return tuple(dict.fromkeys(piece for piece in found if piece))


@dataclass(frozen=True)
class Submission:
    """A provider accepted a preheat: its job id (None when it gives none), state and message."""

    job_id: str | None
    state: str
    message: str


@dataclass(frozen=True)
class Peer:
    """One peer's part of a preheat: where it is, and whether it got the image."""

    cluster_id: int | None
    hostname: str
    ip: str
    ok: bool
    description: str | None = None


@dataclass(frozen=True)
class Progress:
    """How far a provider's job has got: state, a message, and the peers it reported."""

    state: str
    message: str
    peers: tuple[Peer, ...] = ()

    @property
    def done(self) -> bool:
        return self.state in ("success", "failure")


class SubmitError(Exception):
    """The provider did not take the preheat.

    `retry`: nothing was done, the same request may be sent again (after
    `retry_after` seconds when the provider said so). `maybe_submitted`: the
    request was sent and its answer lost; the job may exist on the provider,
    so sending it again could make a second one.
    """

    def __init__(self, reason: str, *, retry: bool = False, retry_after: float | None = None,
                 maybe_submitted: bool = False, http_status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.retry_after = retry_after
        self.maybe_submitted = maybe_submitted
        self.http_status = http_status


class ProgressError(Exception):
    """The job's state could not be read; `retry` tells whether asking again may work."""

    def __init__(self, reason: str, *, retry: bool = True, retry_after: float | None = None,
                 http_status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.retry_after = retry_after
        self.http_status = http_status


@dataclass(frozen=True)
class OptionField:
    """One provider option of a policy, declared as data for the dialog and the API.

    `kind` is "choice" (one of `choices`, pairs of value and label), "text"
    or "integers" (a comma-separated list; the validated value is a list).
    """

    name: str
    label: str
    kind: str = "text"
    choices: tuple[tuple[str, str], ...] = ()
    default: str = ""
    help: str = ""
    placeholder: str = ""


class OptionError(ValueError):
    """Policy options the driver refuses: `errors` maps each field name to its message."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        self.field, self.message = next(iter(self.errors.items()))
        super().__init__(self.message)
