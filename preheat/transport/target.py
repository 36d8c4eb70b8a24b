"""Where a request goes and who it says it is: targets and credentials."""
from __future__ import annotations

import base64
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Credentials:
    """How to authenticate to an endpoint; secrets are kept out of repr.

    The modes are Harbor's: NONE, BASIC (username and password) and OAUTH
    (a bearer token).
    """

    mode: str = "NONE"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    @classmethod
    def from_auth_info(cls, mode: str, info: dict[str, str]) -> Credentials:
        """Build credentials from an auth mode and its auth_info map."""
        return cls(mode, info.get("username"), info.get("password"), info.get("token"))

    @classmethod
    def basic(cls, username: str, password: str) -> Credentials:
        """Username and password, sent as `Authorization: Basic`."""
        return cls("BASIC", username, password)

    @classmethod
    def bearer(cls, token: str) -> Credentials:
        """A token, sent as `Authorization: Bearer` (a registry's pull token, say)."""
        return cls("OAUTH", token=token)


@dataclass(frozen=True)
class Target:
    """An endpoint as the network layer needs it.

    `peer` names what answers there in the sentences a user reads ("the
    provider did not answer").
    """

    endpoint: str
    credentials: Credentials = Credentials()
    insecure: bool = False
    peer: str = "provider"


def authorization_header(credentials: Credentials) -> dict[str, str]:
    """The Authorization header for a Credentials value (empty for NONE)."""
    if credentials.mode == "BASIC":
        pair = f"{credentials.username or ''}:{credentials.password or ''}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
    if credentials.mode == "OAUTH":
        return {"Authorization": f"Bearer {credentials.token or ''}"}
    return {}


def secrets_of(*credentials: Credentials | None) -> tuple[str, ...]:
    """The secrets requests with these credentials send (echoes knows their disguises)."""
    values = []
    for each in credentials:
        if each is None:
            continue
        values += [each.password, each.token]
        if each.mode == "BASIC":
            values.append(f"{each.username or ''}:{each.password or ''}")
    return tuple(dict.fromkeys(v for v in values if v))
