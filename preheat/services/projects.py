"""Creating and deleting projects, the namespaces of a registry that policies belong to.

A project holds the repositories `<name>/*` of its registry; project
`library` also holds the repositories without a namespace (`alpine`), as
Docker's convention has it. Nothing here touches the registry itself. With a
host's image source, its projects are stored as it names them, with no
registry (`adopt`): their policies belong to them.
"""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import PROJECT_NAME_MAX, Project, Registry, insert_new, utcnow
from ..registry import namespace_of
from . import audit
from .errors import FieldError, NotFound
from .saving import (audit_failure, commit, commit_delete, ensure_unique, gone_meanwhile, in_use,
                     refused_deletes)

PROJECT_NAME = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*")
NAME_RULE = ("Project names are lower-case letters and digits, with single '.', '_' or '-'"
             f" between them, at most {PROJECT_NAME_MAX} characters.")
AS_PROJECT = {"object_type": "project"}
_CONFLICTS = {"uq_preheat_project_name": ("name", "A project with this name already exists.")}


def check_project_name(value) -> str:
    """A valid project name, or FieldError saying the rule."""
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise FieldError("name", "Project name is required.")
    if len(name) > PROJECT_NAME_MAX or not PROJECT_NAME.fullmatch(name):
        hint = " Use lower case." if PROJECT_NAME.fullmatch(name.lower()) else ""
        raise FieldError("name", NAME_RULE + hint)
    return name


def get(session: Session, project_id: int) -> Project:
    """Return the project with this id or raise NotFound."""
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"Project {project_id} does not exist.")
    return project


def get_by_name(session: Session, name: str) -> Project:
    """Return the project with this name or raise NotFound."""
    if not _valid(name):
        raise NotFound(f"No project has this name. {NAME_RULE}")
    project = session.scalar(select(Project).where(Project.name == name))
    if project is None:
        raise NotFound(f"Project {name!r} does not exist.")
    return project


def get_by_name_or_id(session: Session, value: str) -> Project:
    """The project named `value`, or with id `value` when it is a number (Harbor's rule)."""
    return get(session, int(value)) if value.isdigit() else get_by_name(session, value)


def create(session: Session, name, registry: Registry, repo_count: int | None = None) -> Project:
    """Store a new project on `registry`; raise FieldError or Conflict."""
    with audit_failure(session, "create", str(name or ""), **AS_PROJECT):
        now = utcnow()
        project = Project(name=check_project_name(name), image_registry=registry,
                          created_at=now, updated_at=now, repo_count=repo_count,
                          repos_counted_at=now if repo_count is not None else None)
        ensure_unique(session, project, Project.name, project.name, "name",
                      f"A project named {project.name} already exists.")
        session.add(project)
        return commit(session, project, "create", f"project on registry {registry.name}",
                      _CONFLICTS, **AS_PROJECT, noun="project")


def adopt(session: Session, names) -> list[str]:
    """Store the host source's projects that Preheat lacks, each once even when another
    process adopts it at the same moment; the names adopted. Names Preheat cannot store
    (not a project name) are left out."""
    wanted = {name for name in names if isinstance(name, str) and _valid(name)}
    stored = set(session.scalars(select(Project.name).where(Project.name.in_(wanted))))
    missing = sorted(wanted - stored)
    if not missing:
        return []
    now = utcnow()
    rows = [{"name": name, "created_at": now, "updated_at": now} for name in missing]
    adopted = session.execute(insert_new(session, Project, ["name"])
                              .returning(Project.id, Project.name), rows).all()
    for project_id, name in adopted:
        audit.record(session, "create", name=name, object_id=project_id,
                     detail="project of the host's image source", **AS_PROJECT)
    session.commit()
    return sorted(name for _, name in adopted)


def describe(project: Project) -> str:
    """Where a project's images are, for the audit log."""
    registry = project.image_registry
    return f"project on registry {registry.name}" if registry else \
        "project of the host's image source"


def count_repositories(session: Session, project: Project, count: int) -> None:
    """Remember how many repositories the registry's catalog holds for the project."""
    project.repo_count = count
    project.repos_counted_at = utcnow()
    with gone_meanwhile(session, "project"):
        session.commit()


def delete(session: Session, projects: list[Project]) -> None:
    """Delete the projects, or none while any holds policies; the registry is not touched."""
    holding = [(p.name, [policy.name for policy in p.policies]) for p in projects if p.policies]
    with refused_deletes(session, [p.name for p in projects], **AS_PROJECT):
        if holding:
            raise in_use(holding, _holds, "policy", "policies")
        for project in projects:
            audit.record(session, "delete", name=project.name, object_id=project.id,
                         detail=describe(project),
                         **AS_PROJECT)
            session.delete(project)
        # A policy may have been created in one of them since we looked.
        commit_delete(session, "project", "A policy was just created in a project; reload the"
                                          " page and try again.")


def _valid(name: str) -> bool:
    return len(name) <= PROJECT_NAME_MAX and PROJECT_NAME.fullmatch(name) is not None


def _holds(name: str, policies: list[str]) -> str:
    noun = "policy" if len(policies) == 1 else "policies"
    return f"{name} holds preheat {noun} {', '.join(policies)}"


def in_project(project_name: str, repository: str) -> bool:
    """Whether `repository` (its full path in the registry) belongs to the project."""
    return namespace_of(repository) == project_name
