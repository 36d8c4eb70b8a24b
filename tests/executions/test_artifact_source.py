"""A host's own artifact source (init_app(artifact_source=...)) feeds executions.

The host's catalog (host_catalog.py) knows its images itself (as a portal in front of its
own registry does): the images are real, pushed to a real registry, and the
Dragonfly stand-in pulls them from the manifest URLs the catalog gives. The
registry Preheat has stored for the project is a dead address, so a run that
succeeds read nothing but the host's source.
"""
from __future__ import annotations

import pytest

from preheat.models import Policy, Task
from preheat.services import instances, projects, registries
from tests.executions.conftest import PAT, run_to_end
from tests.executions.host_catalog import SETTING, SOURCE, CatalogFile

DEAD_REGISTRY = "http://127.0.0.1:9"


@pytest.fixture
def catalog(tmp_path) -> CatalogFile:
    return CatalogFile(tmp_path / "catalog.json")


@pytest.fixture
def app_config(app_config, catalog):
    """The host catalog as the app's artifact source, by name, so Celery workers read it too."""
    return {**app_config, "PREHEAT_ARTIFACT_SOURCE": SOURCE, SETTING: str(catalog.path)}


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
