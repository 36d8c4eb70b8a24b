"""Preheat policies, executions and tasks in Harbor's shapes: bodies, answers and parameters.

Harbor writes a policy's filters, trigger and extra_attrs as JSON encoded in
strings; the bodies here take them as strings, and `policy_payload` reads
what they hold.
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal, Optional

from pydantic import BaseModel, Field, RootModel

from ..models import STATUSES, TRIGGERS
from ..validation import NAME_MAX, NAME_PATTERN
from .fields import Description, Ignored, Name, Text, WholeNumber, text
from .models import Payload
from .parameters import MAX_ID
from .responses import Answer

JSON_MAX = 4096
FILTERS = ('JSON in a string: [{"type": "repository", "value": "**"}, {"type": "tag", "value":'
           ' "v1.*"}]. Doublestar globs relative to the project; an absent type matches all.')
TRIGGER = ('JSON in a string: {"type": "manual", "trigger_setting": {}}, {"type": "scheduled",'
           ' "trigger_setting": {"cron": "0 0 2 * * *", "timezone": "UTC"}} or {"type":'
           ' "event_based"}. cron: 5 fields, or 6 with seconds first (they must be 0);'
           ' timezone: an IANA name, UTC when absent. Answers add the next_scheduled_time'
           ' (RFC 3339, UTC) of a scheduled policy.')
EXTRA_ATTRS = ('JSON in a string: the provider\'s options, such as {"scope": "all_peers",'
               ' "cluster_ids": [1], "platform": "linux/amd64"} for Dragonfly.')
SCOPE = ("Harbor 2.12's scope (single_peer or all_peers, or Dragonfly's single_seed_peer,"
         " all_seed_peers, all_peers); it takes precedence over extra_attrs' scope.")
JsonText = text(max_length=JSON_MAX)


class PolicyBody(Payload):
    """PUT: the fields to change; an absent or null one stays as stored."""

    id: Optional[WholeNumber] = Ignored
    name: Optional[Name] = None
    description: Optional[Description] = None
    project_id: Optional[WholeNumber] = Ignored
    provider_id: Optional[WholeNumber] = Field(None, description="The provider instance's id;"
                                                                 " it must be enabled.")
    provider_name: Optional[Text] = Ignored
    filters: Optional[JsonText] = Field(None, description=FILTERS)
    trigger: Optional[JsonText] = Field(None, description=TRIGGER)
    enabled: Optional[bool] = None
    extra_attrs: Optional[JsonText] = Field(None, description=EXTRA_ATTRS)
    scope: Optional[text(max_length=64)] = Field(None, description=SCOPE)
    creation_time: Optional[Text] = Ignored
    update_time: Optional[Text] = Ignored


class PolicyCreate(PolicyBody):
    """POST: name and provider_id are required; absent filters match every tag."""

    name: Name
    provider_id: WholeNumber = Field(description="The provider instance's id; it must be"
                                                 " enabled.")


class ExecutionStop(Payload):
    """PATCH: the one change an execution takes, stopping it."""

    status: Literal["Stopped"] = Field(description="Stopped: pending tasks are never"
                                                   " submitted, running ones no longer"
                                                   " followed.")


class PreheatPolicy(Answer):
    """A policy as Harbor's API shows it."""

    id: int = Field(ge=1)
    name: Name
    description: str = Field(description="Empty when there is none.")
    project_id: int = Field(ge=1)
    provider_id: int = Field(ge=1)
    provider_name: str
    filters: str = Field(description=FILTERS)
    trigger: str = Field(description=TRIGGER)
    enabled: bool
    extra_attrs: str = Field(description=EXTRA_ATTRS)
    scope: Optional[str] = Field(description="The options' scope, for Harbor 2.12's clients;"
                                             " null when the provider has none.")
    creation_time: datetime = Field(description="RFC 3339, UTC.")
    update_time: datetime = Field(description="RFC 3339, UTC.")


class ProviderUnderProject(Answer):
    """A provider instance a policy of the project may use (when enabled)."""

    id: int = Field(ge=1)
    provider: str = Field(description="The instance's name.")
    enabled: bool
    default: bool


class Metrics(Answer):
    """How many tasks of an execution are in each status."""

    task_count: int = Field(ge=0)
    success_task_count: int = Field(ge=0)
    error_task_count: int = Field(ge=0)
    pending_task_count: int = Field(ge=0)
    running_task_count: int = Field(ge=0)
    scheduled_task_count: int = Field(ge=0, description="Always 0: a task is Pending until"
                                                        " submitted.")
    stopped_task_count: int = Field(ge=0)


class Execution(Answer):
    """One run of a policy, as Harbor's API shows it."""

    id: int = Field(ge=1)
    vendor_type: Literal["P2P_PREHEAT"]
    vendor_id: int = Field(ge=1, description="The policy's id.")
    status: Literal[STATUSES]
    status_message: str = Field(description="Why it ended so, or what it is doing.")
    metrics: Metrics
    trigger: Literal[TRIGGERS]
    extra_attrs: dict = Field(description="retry_of: the execution whose failed tasks this"
                                          " one retries, when it does. A scheduled run's"
                                          " due_at, schedule, timezone, late_seconds, and"
                                          " late (\"late by 3 h 2 min\") when it started"
                                          " later than a tick or two. An event_based one:"
                                          " events (id, repository, tag, digest, time and user"
                                          " of each push that started it, the first 100),"
                                          " events_total, and artifacts (the pushed tags with"
                                          " their digests).")
    start_time: datetime = Field(description="RFC 3339, UTC: when it was started.")
    end_time: Optional[datetime] = Field(description="RFC 3339, UTC; null until it ends.")


class Peer(Answer):
    """One peer's result of a Dragonfly job."""

    cluster_id: Optional[int]
    hostname: Optional[str]
    ip: Optional[str]
    ok: bool
    description: Optional[str] = Field(description="Why it failed, when it did.")


class TaskAttrs(Answer):
    """What a task preheats and where its provider job is."""

    artifact: str = Field(description="project/repository:tag")
    digest: Optional[str]
    kind: Literal["image"]
    provider_job_id: Optional[str]
    peers: list[Peer] = Field(description="Dragonfly's per-peer results, failed ones first.")


class Task(Answer):
    """One image tag of an execution, as Harbor's API shows it."""

    id: int = Field(ge=1)
    execution_id: int = Field(ge=1)
    status: Literal[STATUSES]
    status_message: str
    run_count: int = Field(ge=0)
    extra_attrs: TaskAttrs
    creation_time: datetime = Field(description="RFC 3339, UTC.")
    update_time: datetime = Field(description="RFC 3339, UTC.")
    start_time: Optional[datetime] = Field(description="RFC 3339, UTC; null until submitted.")
    end_time: Optional[datetime] = Field(description="RFC 3339, UTC; null until it ends.")


class Policies(RootModel[list[PreheatPolicy]]):
    """One page of a project's policies."""


class ProvidersUnderProject(RootModel[list[ProviderUnderProject]]):
    """The provider instances."""


class Executions(RootModel[list[Execution]]):
    """One page of a policy's executions, newest first."""


class Tasks(RootModel[list[Task]]):
    """One page of an execution's tasks."""


class PolicyPath(BaseModel):
    """The policy, execution and task a URL names."""

    preheat_policy_name: str = Field(max_length=NAME_MAX, pattern=f"^{NAME_PATTERN.pattern}$",
                                     description="The policy's name (without regard to case).")
    execution_id: int = Field(ge=1, le=MAX_ID, description="The execution's id.")
    task_id: int = Field(ge=1, le=MAX_ID, description="The task's id.")
