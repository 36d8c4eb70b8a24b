"""Every response body the API sends, declared once for the document.

`serialize` builds every answer as one of these models.
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, RootModel

from ..services.audit import ACTIONS, OUTCOMES
from .errors import CODES
from .fields import AuthMode, Name, Vendor

STATUS_NAMES = {"healthy": "Healthy", "unhealthy": "Unhealthy", "unknown": "Unknown"}
Status = Literal[tuple(dict.fromkeys(STATUS_NAMES.values()))]
UnixSeconds = Optional[int]


class Answer(BaseModel):
    """A JSON object with exactly these fields, all present."""

    model_config = ConfigDict(extra="forbid", regex_engine="python-re")


class Instance(Answer):
    """An instance as the API shows it. auth_info is write-only and never appears."""

    id: int = Field(ge=1)
    name: Name
    description: str = Field(description="Empty when there is none.")
    vendor: Vendor
    endpoint: str = Field(description="Normalized: lower-case scheme and host, no default"
                                      " port, no trailing slash.")
    auth_mode: AuthMode
    status: Status = Field(description="The stored result of the latest health check.")
    enabled: bool
    default: bool = Field(description="At most one instance is the default.")
    insecure: bool = Field(description="Skip TLS certificate verification.")
    setup_timestamp: int = Field(description="Creation time, in unix seconds.")


class RegistryCredentialInfo(Answer):
    """A registry's credential as Harbor shows it, without access_secret (write-only)."""

    type: Literal["basic"]
    access_key: str = Field(description="The user name; empty when there are no credentials.")


class Registry(Answer):
    """A registry as Harbor's API shows it, with Preheat's public_url."""

    id: int = Field(ge=1)
    name: Name
    description: str = Field(description="Empty when there is none.")
    url: str = Field(description="Normalized: lower-case scheme and host, no default port, no"
                                 " trailing slash.")
    public_url: Optional[str] = Field(description="Where providers pull from, when it is not"
                                                  " url; null when they use url.")
    type: Literal["docker-registry"]
    credential: RegistryCredentialInfo
    insecure: bool = Field(description="Skip TLS certificate verification.")
    status: Literal["healthy", "unhealthy", "unknown"] = Field(
        description="The stored result of the latest check; unknown before the first one.")
    creation_time: datetime = Field(description="RFC 3339, UTC.")
    update_time: datetime = Field(description="RFC 3339, UTC.")
    webhook_url: str = Field(description="Where the registry sends its notifications (Preheat's"
                                         " own field; configure it with the webhook secret).")
    webhook_secret_hint: Optional[str] = Field(
        description="The last four characters of the webhook secret; null before one is"
                    " generated (POST .../webhook-secret, the only answer holding it).")


class Project(Answer):
    """A project, a namespace of one registry, as Harbor's API shows it."""

    project_id: int = Field(ge=1)
    name: str
    registry_id: Optional[int] = Field(ge=1, description="The registry whose namespace this"
                                       " is; null for a project of the host's image source.")
    creation_time: datetime = Field(description="RFC 3339, UTC.")
    update_time: datetime = Field(description="RFC 3339, UTC.")
    repo_count: Optional[int] = Field(ge=0, description="Repositories the registry's catalog"
                                      " held for it when last read; null before that.")


class Health(Answer):
    """A health check's result (all null but status before the first check)."""

    status: Status
    reason: Optional[str] = Field(description="Why, in a sentence for a sysadmin.")
    http_status: Optional[int]
    latency_ms: Optional[int]
    checked_at: UnixSeconds = Field(description="Unix seconds.")


class Provider(Answer):
    """A provider driver Preheat can talk to."""

    id: Vendor
    name: str
    icon: str
    maintainers: list[str]
    version: str
    source: str


class AuditEntry(Answer):
    """Who changed or tried what, when, from where, and the outcome."""

    id: int
    time: int = Field(description="When it happened, in unix seconds.")
    username: str
    address: Optional[str]
    action: Literal[ACTIONS]
    object_type: str
    object_id: Optional[int]
    object_name: Optional[str]
    outcome: Literal[OUTCOMES]
    detail: Optional[str]
    count: int = Field(ge=1, description="How many times it happened: repeated refusals of one"
                                         " user on one route within a minute share one entry.")


class Error(Answer):
    """One error: a code for programs, a message for people, the input it is about."""

    code: Literal[tuple(dict.fromkeys(CODES.values()))]
    message: str
    field: str = Field(None, description="The input the error is about, e.g. name or"
                                         " auth_info.password; absent when there is none.")


class Errors(Answer):
    """Every error answer of the API."""

    errors: list[Error] = Field(min_length=1)


class Instances(RootModel[list[Instance]]):
    """One page of instances."""


class Providers(RootModel[list[Provider]]):
    """The provider drivers."""


class AuditEntries(RootModel[list[AuditEntry]]):
    """One page of audit entries, newest first."""


class Registries(RootModel[list[Registry]]):
    """One page of registries."""


class Projects(RootModel[list[Project]]):
    """One page of projects."""
