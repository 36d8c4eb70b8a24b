"""What the Actions menu, its confirmation and its toasts need to know about a table's rows."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..htmx import INSTANCES_CHANGED, POLICIES_CHANGED, PROJECTS_CHANGED, REGISTRIES_CHANGED
from ..models import Instance, Policy, Project, Registry
from ..services import instances, policies, projects, registries


@dataclass(frozen=True)
class Kind:
    """One kind of row: its words, its model, how a delete goes and what blocks it.

    `param` is the name the selected rows' checkboxes are sent under;
    `blockers(row)` the names of what keeps a row from being deleted, said with
    `used_by(name, names)`; `note` a sentence the delete confirmation adds.
    """

    one: str
    many: str
    param: str
    model: type
    list_endpoint: str
    changed: str
    delete: Callable
    blockers: Callable = lambda row: []
    used_by: Callable | None = None
    blocker_one: str = ""
    blocker_many: str = ""
    order: tuple = ()
    loads: tuple = ()
    note: str = ""


INSTANCE = Kind("instance", "instances", "instance", Instance, "preheat.distributions",
                INSTANCES_CHANGED, instances.delete,
                blockers=instances.policy_labels, used_by=instances.used_by,
                blocker_one="policy", blocker_many="policies",
                order=(Instance.name_key, Instance.id), loads=(Instance.policies,))
REGISTRY = Kind("registry", "registries", "registry", Registry, "preheat.registries",
                REGISTRIES_CHANGED, registries.delete,
                blockers=lambda r: [p.name for p in r.projects], used_by=registries.used_by,
                blocker_one="project", blocker_many="projects",
                order=(Registry.name_key, Registry.id), loads=(Registry.projects,))
PROJECT = Kind("project", "projects", "project", Project, "preheat.projects",
               PROJECTS_CHANGED, projects.delete, order=(Project.name, Project.id),
               loads=(Project.image_registry,),
               note="Nothing in the registry is deleted: its repositories and images stay.")
POLICY = Kind("policy", "policies", "policy", Policy, "preheat.projects", POLICIES_CHANGED,
              policies.delete, order=(Policy.name, Policy.id), loads=(Policy.project,),
              note="Its executions and their tasks are deleted with it; what the provider"
                   " already preheated stays on its peers.")
