"""The webhook's request and answer bodies: Distribution's notification envelope, declared once.

The registry's envelope carries more than Preheat reads (request, source,
references...): unknown fields are accepted and ignored, since a newer
registry adding one must not have its events refused and resent forever.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from .responses import Answer

LENIENT = ConfigDict(extra="ignore", regex_engine="python-re")
EVENTS_MAX = 1000


class EventTarget(BaseModel):
    """What the event is about: a manifest or blob of a repository, with its tag if named."""

    model_config = LENIENT
    mediaType: Optional[str] = Field(None, max_length=255)
    digest: Optional[str] = Field(None, max_length=80)
    repository: str = Field(min_length=1, max_length=255)
    tag: Optional[str] = Field(None, max_length=128)
    url: Optional[str] = Field(None, max_length=2048)


class EventActor(BaseModel):
    """Who made the request, when the registry authenticated them."""

    model_config = LENIENT
    name: Optional[str] = Field(None, max_length=255)


class Event(BaseModel):
    """One notification event, as docker-registry sends it."""

    model_config = LENIENT
    id: str = Field(min_length=1, max_length=128, description="Unique; resent with the same id.")
    timestamp: Optional[datetime] = None
    action: str = Field(max_length=32, description="push, pull, mount or delete.")
    target: EventTarget
    actor: Optional[EventActor] = None


class Envelope(BaseModel):
    """A notification envelope: `{"events": [...]}` (docker-registry 2.8 sends one a POST)."""

    model_config = LENIENT
    events: list[Event] = Field(max_length=EVENTS_MAX)


class EventsReceived(Answer):
    """How the events of one envelope were taken."""

    received: int = Field(ge=0, description="Events in the envelope.")
    recorded: int = Field(ge=0, description="Tag pushes of manifests recorded to run the"
                                            " event-based policies they match.")
    duplicates: int = Field(ge=0, description="Events already received (the registry resent"
                                              " them); nothing new happens for them.")
    ignored: int = Field(ge=0, description="Events that are not a tag push of a manifest, or"
                                           " of a repository no project covers.")


class WebhookSecret(Answer):
    """Where the registry sends its notifications, and the header that authenticates them."""

    url: str = Field(description="The webhook URL of this registry.")
    headers: dict[str, str] = Field(description="The header to configure in the registry's"
                                                " notifications endpoint; shown only here.")
