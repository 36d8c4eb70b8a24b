"""The portal's own image source for Preheat: the images it has released, on its registry.

Mounted as Preheat's `artifact_source` when IMAGE_REGISTRY_URL is set: an
execution then preheats the portal's releases, whatever else the registry holds.
"""
from __future__ import annotations

from preheat.sources import Artifact, PullCredential, SourceError
from sqlalchemy import select

from .models import Release, db

ORIGIN = "portal's release list"


class PortalImages:
    """Preheat's ArtifactSource over the `released_images` table; the registry is open."""

    label = "Ops Portal's releases"  # what Preheat's pages call this source

    def __init__(self, registry_url: str):
        self.registry_url = registry_url.rstrip("/")

    def projects(self) -> list[str]:
        return list(db.session.scalars(select(Release.project_name).distinct()
                                       .order_by(Release.project_name)))

    def check(self, project: str) -> None:
        if not self.repositories(project):
            raise SourceError(f"project {project} has released no images", ORIGIN)

    def repositories(self, project: str) -> list[str]:
        return list(db.session.scalars(select(Release.repository).distinct()
                                       .where(Release.project_name == project)
                                       .order_by(Release.repository)))

    def tags(self, project: str, repository: str) -> list[str]:
        return [release.tag for release in self._releases(project, repository)]

    def artifact(self, project: str, repository: str, reference: str) -> Artifact:
        for release in self._releases(project, repository):
            if reference in (release.tag, release.digest):
                return Artifact(release.tag, release.digest, release.media_type)
        raise SourceError(f"{repository}:{reference} was never released", ORIGIN)

    def manifest_url(self, project: str, repository: str, digest: str) -> str:
        return f"{self.registry_url}/v2/{repository}/manifests/{digest}"

    def pull_credential(self, project: str, repository: str, *,
                        min_lifetime: float | None = None) -> PullCredential:
        return PullCredential(None)

    def _releases(self, project: str, repository: str) -> list[Release]:
        return list(db.session.scalars(select(Release).where(
            Release.project_name == project, Release.repository == repository)
            .order_by(Release.tag)))
