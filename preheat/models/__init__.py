"""Database tables owned by Preheat, one module per part of the domain."""
from __future__ import annotations

from .base import (AUTH_MODES, HEALTH_STATES, NAME_CHECK_POSTGRESQL, NAME_CHECK_SQLITE,
                   NAMING_CONVENTION, Base, NamedEndpoint, UTCDateTime, insert_new, utcnow)
from .events import EVENT_STATUSES, RegistryEvent
from .instances import Instance
from .policies import ENDED, STATUSES, TRIGGERS, Execution, Policy, Task
from .records import AuditEntry, PeriodicRun
from .registries import PROJECT_NAME_MAX, REGISTRY_AUTH_MODES, Project, Registry

__all__ = ["ENDED", "STATUSES", "TRIGGERS", "Execution", "Task", "AUTH_MODES", "HEALTH_STATES", "NAME_CHECK_POSTGRESQL", "NAME_CHECK_SQLITE",
           "NAMING_CONVENTION", "PROJECT_NAME_MAX", "REGISTRY_AUTH_MODES", "AuditEntry", "Base",
           "EVENT_STATUSES", "Instance", "NamedEndpoint", "PeriodicRun", "Policy", "Project",
           "Registry", "RegistryEvent",
           "UTCDateTime", "insert_new", "utcnow"]
