"""Every request body the API takes, declared once: validation and document come from here.

PUT, PATCH and POST differ only in what is required and what an absent field
means. Creating an instance, and testing an unsaved one, need the secrets of
their auth mode, so those bodies are one variant per auth_mode; a PUT or
PATCH may leave secrets out while the auth mode stays (the stored ones are
kept), which depends on the stored instance, so they take any auth_info.
"""
from __future__ import annotations

from typing import Annotated, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, RootModel, Tag, create_model

from ..models import AUTH_MODES
from .fields import (AuthMode, Description, Endpoint, GivenSecret, Ignored, Name, Secret, Text,
                     Vendor, WholeNumber)

STORED = "STORED"


class Payload(BaseModel):
    """A JSON object with exactly the declared fields, each of exactly its JSON type."""

    model_config = ConfigDict(strict=True, extra="forbid", regex_engine="python-re")


class AuthInfo(Payload):
    """Credentials: BASIC takes username and password, OAUTH a token, NONE nothing.

    Write-only: no response contains them. A blank or absent secret keeps the
    stored one while auth_mode (and the endpoint's origin) stay the same.
    """

    model_config = ConfigDict(json_schema_extra={"writeOnly": True})
    username: Optional[Secret] = None
    password: Optional[Secret] = None
    token: Optional[Secret] = None


class BasicAuthInfo(AuthInfo):
    """The credentials of a BASIC instance: both are required."""

    username: GivenSecret
    password: GivenSecret


class TokenAuthInfo(AuthInfo):
    """The credentials of an OAUTH instance: the token is required."""

    token: GivenSecret


class ReadOnly(Payload):
    """What GET returns and a client may send back: type-checked, otherwise ignored.

    A PUT or PATCH whose id is not the instance's own is refused.
    """

    id: Optional[WholeNumber] = Ignored
    status: Optional[Text] = Ignored
    setup_timestamp: Optional[WholeNumber] = Ignored


class InstancePatch(ReadOnly):
    """PATCH: only the fields sent change."""

    name: Name = None
    description: Optional[Description] = None
    vendor: Vendor = Field(None, description="It cannot change after creation.")
    endpoint: Endpoint = None
    auth_mode: AuthMode = None
    auth_info: Optional[AuthInfo] = None
    enabled: bool = None
    default: bool = Field(None, description="Making an instance the default takes it from"
                                            " the previous default.")
    insecure: bool = Field(None, description="Skip TLS certificate verification.")


class InstanceReplace(InstancePatch):
    """PUT: name and endpoint are required; any other absent field takes its default."""

    name: Name
    endpoint: Endpoint
    auth_mode: AuthMode = "NONE"
    enabled: bool = True
    default: bool = False
    insecure: bool = False


class _NewInstance(InstanceReplace):
    """POST: vendor, name and endpoint are required, and the auth mode's secrets."""

    vendor: Vendor


class _Unsaved(InstancePatch):
    """An unsaved instance to test: vendor, endpoint and the auth mode's secrets."""

    id: None = Field(None, description="null or absent: the body is the instance to test.")
    vendor: Vendor
    endpoint: Endpoint


class InstancePingStored(InstancePatch):
    """A stored instance to test, with its stored credentials; other fields are ignored."""

    id: WholeNumber


class _NoAuth(Payload):
    auth_mode: Literal["NONE"] = "NONE"
    auth_info: Optional[AuthInfo] = None


class _BasicAuth(Payload):
    auth_mode: Literal["BASIC"]
    auth_info: BasicAuthInfo


class _TokenAuth(Payload):
    auth_mode: Literal["OAUTH"]
    auth_info: TokenAuthInfo


AUTH_VARIANTS = {"NONE": _NoAuth, "BASIC": _BasicAuth, "OAUTH": _TokenAuth}


def auth_mode_of(body) -> str | None:
    """The auth mode a body asks for (NONE when it names none), if it is a valid one."""
    mode = body.get("auth_mode", "NONE") if isinstance(body, dict) else None
    return mode if mode in AUTH_MODES else None


def ping_kind(body) -> str | None:
    """STORED for a ping of a stored instance (a non-null id), else the auth mode."""
    if isinstance(body, dict) and body.get("id") is not None:
        return STORED
    return auth_mode_of(body)


def _variants(base: type[Payload], name: str) -> list:
    """`base` once per auth mode, each variant with the auth_info its mode needs."""
    return [Annotated[create_model(f"{name}{mode.title()}", __base__=(variant, base),
                                   __doc__=f"{base.__doc__} With auth_mode {mode}."),
                      Tag(mode)]
            for mode, variant in AUTH_VARIANTS.items()]


class InstanceCreate(RootModel):
    """POST: vendor, name and endpoint are required, and the secrets of the auth mode."""

    root: Annotated[Union[tuple(_variants(_NewInstance, "InstanceCreate"))],
                    Discriminator(auth_mode_of)]


class InstancePing(RootModel):
    """Either {"id": N} for a stored instance, or an unsaved instance to test."""

    root: Annotated[Union[tuple([Annotated[InstancePingStored, Tag(STORED)],
                                 *_variants(_Unsaved, "InstancePing")])],
                    Discriminator(ping_kind)]
