"""Where projects and their images come from: what executions, the Repositories tab and
the policy preview read.

Without `init_app(app, artifact_source=...)`, `RegistrySource` reads the
registries and projects stored in Preheat. A host that already knows its
images (a portal in front of its own registry) passes any object with the
methods of `ArtifactSource`; each names the project by its name, and raises
`SourceError` when it cannot answer. Its projects are then the ones it
lists, stored in Preheat as they are first asked for (`source_projects`),
since their policies belong to them. An optional `label` attribute is what
the pages call the source ("Ops Portal's releases").
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from .crypto import SecretError
from .models import Project
from .registry import Artifact, PullCredential, RegistryClient, RegistryError, namespace_of
from .registry import manifest_url as registry_manifest_url
from .services.credentials import target as credential_target

__all__ = ["Artifact", "ArtifactSource", "PullCredential", "RegistrySource", "SourceError",
           "unreadable"]
SECRET_UNUSABLE = ("its stored password cannot be decrypted with the current keys;"
                   " enter it again on the registry")


class SourceError(RegistryError):
    """The source could not answer; `reason` says why (never with a secret), and `origin`
    what could not be read ("registry hub")."""

    def __init__(self, reason: str, origin: str = "image source",
                 http_status: int | None = None, transient: bool = False):
        super().__init__(reason, http_status, transient)
        self.origin = origin


def unreadable(error: RegistryError) -> str:
    """What an execution or a task says when the images it needs could not be read."""
    return f"The {getattr(error, 'origin', 'registry')} could not be read: {error.reason}"


class ArtifactSource(Protocol):
    """What Preheat asks of the images behind its projects."""

    def projects(self) -> list[str]:
        """The names of the projects whose images the source holds."""

    def check(self, project: str) -> None:
        """Return when the project's images can be read now; raise SourceError if not."""

    def repositories(self, project: str) -> list[str]:
        """The project's repositories, by their paths in the registry (`library/app`)."""

    def tags(self, project: str, repository: str) -> list[str]:
        """The repository's tag names."""

    def artifact(self, project: str, repository: str, reference: str) -> Artifact:
        """A tag or digest of the repository, with its digest and media type."""

    def manifest_url(self, project: str, repository: str, digest: str) -> str:
        """The URL a P2P provider pulls the image's manifest from."""

    def pull_credential(self, project: str, repository: str, *,
                        min_lifetime: float | None = None) -> PullCredential:
        """The Authorization header a provider pulls the repository with, valid for at
        least `min_lifetime` seconds when it expires at all."""


METHODS = ("projects", "check", "repositories", "tags", "artifact", "manifest_url",
           "pull_credential")


class RegistrySource:
    """The registries and projects stored in Preheat, read with its registry client.

    Each call looks the project up in a short session of its own, so no
    database connection is held while a registry answers.
    """

    def __init__(self, db, box, client: RegistryClient):
        self.db, self.box, self.client = db, box, client

    def projects(self) -> list[str]:
        with Session(self.db.engine) as session:
            return list(session.scalars(select(Project.name).order_by(Project.name)))

    def check(self, project: str) -> None:
        target, _, origin = self._open(project)
        result = self.client.check(target)
        if not result.ok:
            raise SourceError(result.reason, origin)

    def repositories(self, project: str) -> list[str]:
        target, _, origin = self._open(project)
        with _as_source_error(origin):
            return [path for path in self.client.catalog(target)
                    if namespace_of(path) == project]

    def tags(self, project: str, repository: str) -> list[str]:
        target, _, origin = self._open(project)
        with _as_source_error(origin):
            return self.client.tags(target, repository)

    def artifact(self, project: str, repository: str, reference: str) -> Artifact:
        target, _, origin = self._open(project)
        with _as_source_error(origin):
            return self.client.artifact(target, repository, reference)

    def manifest_url(self, project: str, repository: str, digest: str) -> str:
        _, pull_url, _ = self._open(project)
        return registry_manifest_url(pull_url, repository, digest)

    def pull_credential(self, project: str, repository: str, *,
                        min_lifetime: float | None = None) -> PullCredential:
        target, _, origin = self._open(project)
        with _as_source_error(origin):
            return self.client.pull_authorization(target, repository,
                                                  min_lifetime=min_lifetime)

    def _open(self, project: str):
        """The project's registry: its target, the URL providers pull from, and its name."""
        with Session(self.db.engine) as session:
            found = session.scalar(select(Project).where(Project.name == project))
            if found is None:
                raise SourceError(f"There is no project {project}.")
            registry = found.image_registry
            origin = f"registry {registry.name}"
            try:
                return credential_target(self.box, registry), registry.pull_url, origin
            except SecretError:
                raise SourceError(SECRET_UNUSABLE, origin) from None


@contextmanager
def _as_source_error(origin: str):
    """Raise a registry's RegistryError as a SourceError naming `origin`."""
    try:
        yield
    except SourceError:
        raise
    except RegistryError as error:
        raise SourceError(error.reason, origin, error.http_status, error.transient) from None
