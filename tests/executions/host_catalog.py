"""A host's image catalog, as a portal in front of its own registry keeps one.

`CATALOG` is the artifact source a test app (and its Celery workers, which
import it by name: PREHEAT_ARTIFACT_SOURCE=tests.executions.host_catalog:CATALOG)
reads. It keeps nothing itself: what it holds is in the JSON file named by
the app's PREHEAT_TEST_HOST_CATALOG, which the test writes through
`CatalogFile`, so every process reads the same catalog and records its calls.
"""
from __future__ import annotations

import json
from pathlib import Path

from flask import current_app

from preheat.registry import Artifact, PullCredential
from preheat.sources import SourceError

SOURCE = "tests.executions.host_catalog:CATALOG"
SETTING = "PREHEAT_TEST_HOST_CATALOG"
ORIGIN = "host catalog"


class CatalogFile:
    """The test's side: {project: {repository: {tag: (digest, media type)}}}, the registry
    the manifests are on, an outage (`down`, its reason) and the calls made."""

    def __init__(self, path: Path):
        self.path = path
        self._write({"images": {}, "registry_url": "", "down": None})
        self.calls_path.write_text("")

    @property
    def calls_path(self) -> Path:
        return self.path.with_suffix(".calls")

    @property
    def calls(self) -> list[str]:
        return self.calls_path.read_text().split()

    def __getattr__(self, name: str):
        if name in ("images", "registry_url", "down"):
            return json.loads(self.path.read_text())[name]
        raise AttributeError(name)

    def __setattr__(self, name: str, value) -> None:
        if name in ("images", "registry_url", "down"):
            self._write({**json.loads(self.path.read_text()), name: value})
        else:
            super().__setattr__(name, value)

    def _write(self, content: dict) -> None:
        staged = self.path.with_suffix(".new")
        staged.write_text(json.dumps(content))
        staged.replace(self.path)  # readers never see half a file


class HostCatalog:
    """The artifact source over the catalog file of the current app."""

    def projects(self) -> list[str]:
        return sorted(self._answer("projects")["images"])

    def check(self, project: str) -> None:
        self._answer("check")

    def repositories(self, project: str) -> list[str]:
        return sorted(self._answer("repositories")["images"].get(project, {}))

    def tags(self, project: str, repository: str) -> list[str]:
        return sorted(self._answer("tags")["images"][project][repository])

    def artifact(self, project: str, repository: str, reference: str) -> Artifact:
        images = self._answer("artifact")["images"]
        for tag, (digest, media_type) in images[project][repository].items():
            if reference in (tag, digest):
                return Artifact(tag, digest, media_type)
        raise SourceError(f"{repository} has no {reference}.", ORIGIN)

    def manifest_url(self, project: str, repository: str, digest: str) -> str:
        return f"{self._read()['registry_url']}/v2/{repository}/manifests/{digest}"

    def pull_credential(self, project: str, repository: str, *,
                        min_lifetime: float | None = None) -> PullCredential:
        self._answer("pull_credential")
        return PullCredential(None)  # the host's registry is open

    def _answer(self, call: str) -> dict:
        path = Path(current_app.config[SETTING])
        with open(path.with_suffix(".calls"), "a") as calls:
            calls.write(call + "\n")
        content = self._read()
        if content["down"]:
            raise SourceError(content["down"], ORIGIN)
        return content

    @staticmethod
    def _read() -> dict:
        return json.loads(Path(current_app.config[SETTING]).read_text())


CATALOG = HostCatalog()
