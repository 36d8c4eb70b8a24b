"""The request bodies of registries and projects, in Harbor's shapes, declared once.

POST takes Harbor's `Registry` (credentials nested in `credential`), PUT its
`RegistryUpdate` and ping its `RegistryPing` (credentials flat), as Harbor's
generated clients send them; `public_url` is Preheat's own. In PUT a null or
absent field stays as stored, as in Harbor.
"""
from __future__ import annotations

from typing import Annotated, Literal, Optional, Union

from pydantic import Discriminator, Field, RootModel, Tag

from ..models import PROJECT_NAME_MAX
from .fields import (Description, Endpoint, EndpointOrEmpty, GivenSecret, Ignored, Name, Secret,
                     Text, WholeNumber, text)
from .models import STORED, Payload

UNSAVED = "UNSAVED"
CredentialType = Literal["basic"]
RegistryType = Literal["docker-registry"]
PublicUrl = Optional[EndpointOrEmpty]
ProjectName = text(Field(description="Lower-case letters and digits, with single '.', '_' or"
                                     " '-' between them; unique."),
                   max_length=PROJECT_NAME_MAX, pattern=r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
ACCESS_KEY = "The user name; empty (or no credential) for a registry without credentials."
ACCESS_SECRET = ("The password: write-only, never returned. Blank keeps the stored one while"
                 " the URL's origin stays the same.")
HARBOR_ONLY = Field(None, description="Accepted as Harbor's clients send it, and ignored.")
PUBLIC_URL = ("The URL providers pull from when it differs from url (Preheat's own field);"
              " empty for none.")


KEY = Field(None, description=ACCESS_KEY)
PASSWORD = Field(None, description=ACCESS_SECRET, json_schema_extra={"writeOnly": True})


class RegistryCredential(Payload):
    """Harbor's credential of a registry: basic, with a user name and a password."""

    type: Optional[CredentialType] = Field(None, description="Only basic; absent means basic.")
    access_key: Optional[Secret] = KEY
    access_secret: Optional[Secret] = PASSWORD


class RegistryCredentialNone(RegistryCredential):
    """No credentials: access_key and access_secret empty or absent."""

    access_key: Optional[Literal[""]] = KEY
    access_secret: Optional[Literal[""]] = PASSWORD


class RegistryCredentialBasic(RegistryCredential):
    """A user name and its password: both are required."""

    access_key: GivenSecret = Field(description=ACCESS_KEY)
    access_secret: GivenSecret = Field(description=ACCESS_SECRET,
                                       json_schema_extra={"writeOnly": True})


def credential_kind(value) -> str:
    """BASIC when a credential gives a user name or a password, else NONE."""
    given = isinstance(value, dict) and (value.get("access_key") or value.get("access_secret"))
    return "BASIC" if given else "NONE"


NewCredential = Annotated[Union[Annotated[RegistryCredentialNone, Tag("NONE")],
                                Annotated[RegistryCredentialBasic, Tag("BASIC")]],
                          Discriminator(credential_kind)]
CREDENTIAL_TAGS = ("NONE", "BASIC")


class RegistryReadOnly(Payload):
    """What GET returns and a client may send back: type-checked, otherwise ignored."""

    id: Optional[WholeNumber] = Ignored
    status: Optional[Text] = Ignored
    creation_time: Optional[Text] = Ignored
    update_time: Optional[Text] = Ignored
    webhook_url: Optional[Text] = Ignored
    webhook_secret_hint: Optional[Text] = Ignored


class RegistryCreate(RegistryReadOnly):
    """POST: name and url are required; no credential means none."""

    name: Name
    description: Optional[Description] = None
    url: Endpoint
    public_url: PublicUrl = Field(None, description=PUBLIC_URL)
    type: RegistryType = "docker-registry"
    credential: Optional[NewCredential] = None
    insecure: bool = Field(False, description="Skip TLS certificate verification.")


class _FlatCredential(Payload):
    """Harbor's credential as RegistryUpdate and RegistryPing send it: flat."""

    credential_type: Optional[CredentialType] = None
    access_key: Optional[Secret] = KEY
    access_secret: Optional[Secret] = PASSWORD
    insecure: Optional[bool] = None


class RegistryUpdate(_FlatCredential):
    """PUT: the fields to change; a null or absent one stays as stored.

    access_key "" removes the credentials; a blank access_secret keeps the stored password.
    """

    name: Optional[Name] = None
    description: Optional[Description] = None
    url: Optional[Endpoint] = None
    public_url: PublicUrl = Field(None, description=PUBLIC_URL)


class _PingFields(_FlatCredential):
    type: Optional[RegistryType] = None


class RegistryPingStored(_PingFields):
    """A stored registry to check, with its stored settings but for the fields sent."""

    id: WholeNumber
    url: Optional[Endpoint] = None


class RegistryPingUnsaved(_PingFields):
    """An unsaved registry to check: its url and credentials."""

    id: None = Field(None, description="null or absent: the body is the registry to test.")
    url: Endpoint


def ping_kind(body) -> str:
    """STORED for a ping of a stored registry (a non-null id), else UNSAVED."""
    return STORED if isinstance(body, dict) and body.get("id") is not None else UNSAVED


class RegistryPing(RootModel):
    """Either {"id": N} (optionally with fields to try instead) or an unsaved registry."""

    root: Annotated[Union[Annotated[RegistryPingStored, Tag(STORED)],
                          Annotated[RegistryPingUnsaved, Tag(UNSAVED)]],
                    Discriminator(ping_kind)]


class ProjectCreate(Payload):
    """POST: Harbor's ProjectReq, with the registry whose namespace the project is.

    public, metadata, cve_allowlist and storage_limit are accepted as Harbor's
    clients send them, and ignored.
    """

    project_name: ProjectName
    registry_id: WholeNumber = Field(description="The registry whose namespace this is.")
    public: Optional[bool] = HARBOR_ONLY
    metadata: Optional[dict] = HARBOR_ONLY
    cve_allowlist: Optional[dict] = HARBOR_ONLY
    storage_limit: Optional[WholeNumber] = HARBOR_ONLY
