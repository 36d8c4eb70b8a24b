"""A host's own artifact source (init_app(artifact_source=...)) feeds executions.

The host's catalog below knows its images itself (as a portal in front of its
own registry does): the images are real, pushed to a real registry, and the
Dragonfly stand-in pulls them from the manifest URLs the catalog gives. The
registry Preheat has stored for the project is a dead address, so a run that
succeeds read nothing but the host's source.
"""
from __future__ import annotations

import pytest

from preheat.models import Policy, Task
from preheat.registry import Artifact, PullCredential
from preheat.services import instances, projects, registries
from preheat.sources import SourceError
from tests.executions.conftest import PAT, run_to_end

DEAD_REGISTRY = "http://127.0.0.1:9"


class HostCatalog:
    """A host's image catalog: {project: {repository: {tag: (digest, media type)}}}."""

    def __init__(self):
        self.images: dict[str, dict[str, dict[str, tuple[str, str]]]] = {}
        self.registry_url = ""
        self.down: str | None = None
        self.calls: list[str] = []

    def projects(self) -> list[str]:
        return sorted(self.images)

    def check(self, project: str) -> None:
        self._answer("check")

    def repositories(self, project: str) -> list[str]:
        self._answer("repositories")
        return sorted(self.images.get(project, {}))

    def tags(self, project: str, repository: str) -> list[str]:
        self._answer("tags")
        return sorted(self.images[project][repository])

    def artifact(self, project: str, repository: str, reference: str) -> Artifact:
        self._answer("artifact")
        for tag, (digest, media_type) in self.images[project][repository].items():
            if reference in (tag, digest):
                return Artifact(tag, digest, media_type)
        raise SourceError(f"{repository} has no {reference}.", "host catalog")

    def manifest_url(self, project: str, repository: str, digest: str) -> str:
        return f"{self.registry_url}/v2/{repository}/manifests/{digest}"

    def pull_credential(self, project: str, repository: str, *,
                        min_lifetime: float | None = None) -> PullCredential:
        self._answer("pull_credential")
        return PullCredential(None)  # the host's registry is open

    def _answer(self, call: str) -> None:
        self.calls.append(call)
        if self.down:
            raise SourceError(self.down, "host catalog")


@pytest.fixture
def catalog(broker) -> HostCatalog:
    if broker:
        pytest.skip("the host's catalog is an object of this process; Celery workers run"
                    " in processes of their own")
    return HostCatalog()


@pytest.fixture
def app_config(app_config, catalog):
    return {**app_config, "PREHEAT_ARTIFACT_SOURCE": catalog}


@pytest.fixture
def host_policy(session, box, images, catalog, dragonfly):
    """Policy warm of project library (stored on a dead registry), images in the catalog."""
    def make(pushed: list[str], **fields) -> Policy:
        digests = images(pushed)
        catalog.registry_url = images.registry.url
        catalog.images = {"library": {"library/app": {
            tag: (digest, "application/vnd.docker.distribution.manifest.v2+json")
            for tag, digest in digests.items()}}}
        registry = registries.create(session, box, {"name": "hub", "url": DEAD_REGISTRY})
        project = projects.create(session, "library", registry)
        instance = instances.create(session, box, {
            "vendor": "dragonfly", "name": "df", "endpoint": make.provider.url,
            "auth_mode": "OAUTH", "auth_info": {"token": PAT}})
        row = Policy(name="warm", project=project, instance=instance, **fields)
        session.add(row)
        session.commit()
        return row
    make.provider = dragonfly()
    return make


def test_a_run_preheats_the_images_the_hosts_source_names(app, session, catalog, host_policy):
    policy = host_policy(["1.0", "1.1", "2.0"], tags="1.*")
    execution = run_to_end(app, session, policy)
    assert execution.status == "Success", execution.status_message
    tasks = session.query(Task).filter_by(execution_id=execution.id).order_by(Task.id).all()
    wanted = catalog.images["library"]["library/app"]
    assert [(t.tag, t.digest, t.status) for t in tasks] == [
        ("1.0", wanted["1.0"][0], "Success"), ("1.1", wanted["1.1"][0], "Success")]
    urls = sorted(host_policy.provider.book.submissions)
    assert urls == sorted(f"{catalog.registry_url}/v2/library/app/manifests/{wanted[tag][0]}"
                          for tag in ("1.0", "1.1"))
    assert {"repositories", "tags", "artifact", "pull_credential"} <= set(catalog.calls)


def test_a_source_that_cannot_answer_leaves_an_error_execution_naming_it(app, session, catalog,
                                                                         host_policy):
    policy = host_policy(["1.0"])
    catalog.down = "the catalog service answered 503"
    execution = run_to_end(app, session, policy)
    assert execution.status == "Error"
    assert execution.status_message == ("The host catalog could not be read:"
                                        " the catalog service answered 503")


def test_the_policy_dialogs_preview_counts_what_the_hosts_source_holds(admin, catalog,
                                                                       host_policy):
    host_policy(["1.0", "1.1", "2.0"])
    preview = "/projects/library/preheat/preview?repositories=**&tags=1.*"
    html = admin.get(preview, htmx=True).get_data(as_text=True)
    assert "<strong>2 tags</strong>" in html and "<code>library/app:1.1</code>" in html
    catalog.down = "the catalog service answered 503"
    html = admin.get(preview.replace("1.*", "2.*"), htmx=True).get_data(as_text=True)
    assert "<strong>1 tag</strong>" in html, "the lists stay kept briefly, as for a registry"


def test_the_preview_names_a_source_that_cannot_answer(admin, catalog, host_policy):
    host_policy(["1.0"])
    catalog.down = "the catalog service answered 503"
    html = admin.get("/projects/library/preheat/preview?repositories=**&tags=**",
                     htmx=True).get_data(as_text=True)
    assert "The host catalog could not be read: the catalog service answered 503" in html
