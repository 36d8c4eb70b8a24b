"""A host's own image source names the projects: none is created in Preheat.

The host's catalog lists projects library and team; Preheat has no registry
at all. Its pages and API show those projects, their repositories and tags
as the catalog lists them, and a policy of one of them preheats the catalog's
images, pulled from a real registry by the Dragonfly stand-in.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app import create_user, db
from preheat.models import AuditEntry, Policy, Project, Registry
from preheat.services import instances
from tests.accounts import ADMIN, MAINTAINER
from tests.api.conftest import ApiClient, error_of
from tests.executions.conftest import PAT, run_to_end
from tests.executions.host_catalog import SETTING, SOURCE
from tests.helpers import Client, basic

from .test_artifact_source import catalog  # noqa: F401

MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json"


@pytest.fixture
def app_config(app_config, catalog):  # noqa: F811
    return {**app_config, "PREHEAT_ARTIFACT_SOURCE": SOURCE, SETTING: str(catalog.path),
            "PREHEAT_CAN_MANAGE_PROJECT": "tests.accounts.maintains"}


@pytest.fixture
def listed(catalog, images):
    """library/app 1.0 and 1.1 and team/tool 2.0 pushed to a real registry and listed by
    the catalog; the pushed digests by tag."""
    digests = {**images(["1.0", "1.1"]), **images(["2.0"], repository="team/tool")}
    catalog.registry_url = images.registry.url
    catalog.images = {
        "library": {"library/app": {tag: (digests[tag], MEDIA_TYPE) for tag in ("1.0", "1.1")}},
        "team": {"team/tool": {"2.0": (digests["2.0"], MEDIA_TYPE)}}}
    return digests


@pytest.fixture
def maintainer(app) -> Client:
    """bob, who maintains project library (tests.accounts.MAINTAINED) and not team."""
    with app.app_context():
        create_user(*MAINTAINER, sysadmin=False)
        db.session.commit()
    return Client(app).login(*MAINTAINER)


def test_the_projects_page_shows_the_hosts_projects_and_offers_no_new_project(
        admin, session, listed):
    html = admin.get("/projects").get_data(as_text=True)
    assert "The projects the host&#39;s image source lists, with their preheat policies." \
        in html
    assert "New project" not in html
    for name in ("library", "team"):
        assert f'href="/projects/{name}"' in html
    assert html.count("The host&#39;s image source</td>") == 2
    stored = session.scalars(select(Project).order_by(Project.name)).all()
    assert [(p.name, p.registry_id) for p in stored] == [("library", None), ("team", None)]
    assert session.scalar(select(Registry.id)) is None
    details = session.scalars(select(AuditEntry.detail).where(
        AuditEntry.object_type == "project", AuditEntry.action == "create")).all()
    assert details == ["project of the host's image source"] * 2
    admin.get("/projects")
    assert len(session.scalars(select(Project)).all()) == 2, "each is stored once"


def test_a_project_the_source_lists_later_opens_before_the_projects_page_shows_it(
        admin, catalog, listed):
    catalog.images = {**catalog.images, "late": {}}
    page = admin.get("/projects/late")
    assert page.status_code == 200
    assert "No repository of this project is listed by the host&#39;s image source yet." in \
        page.get_data(as_text=True)
    assert admin.get("/projects/never-listed").status_code == 404


def test_the_repositories_tab_reads_the_source(admin, project_page_of, listed):
    html = project_page_of("/projects/library")
    assert "Project of the host&#39;s image source" in html
    assert ">library/app</a>" in html and "team/tool" not in html
    tags = project_page_of("/projects/library/repositories/app")
    for tag in ("1.0", "1.1"):
        assert f">{tag}<" in tags and listed[tag][:19] in tags
    for page in (html, tags):
        assert '<a href="/projects" aria-current="page">Projects</a>' in page
        assert page.count('aria-current="page"') == 2, "one link of the navigation, one tab"


@pytest.fixture
def project_page_of(admin):
    def read(url: str) -> str:
        response = admin.get(url)
        assert response.status_code == 200, url
        return response.get_data(as_text=True)
    return read


def test_a_source_that_cannot_answer_is_named_on_the_pages(admin, catalog, listed):
    admin.get("/projects")
    catalog.down = "the catalog service answered 503"
    listing = admin.get("/projects").get_data(as_text=True)
    assert "The projects of the host&#39;s image source could not be listed:" in listing
    assert 'href="/projects/team"' in listing, "the stored projects still show"
    html = admin.get("/projects/team?refresh=1").get_data(as_text=True)
    assert "The host catalog could not be read: the catalog service answered 503" in html


def test_projects_cannot_be_created_in_preheat(admin, app, listed):
    assert admin.get("/projects/-/new", htmx=True).status_code == 409
    api = ApiClient(app, basic(*ADMIN))
    refused = api.post("/projects", {"project_name": "other", "registry_id": 1})
    assert refused.status_code == 409
    assert "Projects come from the host's image source" in error_of(refused)["message"]


def test_the_api_lists_the_hosts_projects_and_their_repositories(app, listed):
    api = ApiClient(app, basic(*ADMIN))
    listing = api.get("/projects").get_json()
    assert [(p["name"], p["registry_id"]) for p in listing] == [("library", None),
                                                                 ("team", None)]
    repositories = api.get("/projects/team/repositories").get_json()
    assert [(r["name"], r["artifact_count"]) for r in repositories] == [("team/tool", 1)]
    artifacts = api.get("/projects/team/repositories/tool/artifacts").get_json()
    assert [(a["digest"], [t["name"] for t in a["tags"]]) for a in artifacts] == [
        (listed["2.0"], ["2.0"])]


def test_a_maintainer_sees_their_project_of_the_source_alone(maintainer, listed):
    html = maintainer.get("/projects").get_data(as_text=True)
    assert 'href="/projects/library"' in html and 'href="/projects/team"' not in html
    assert maintainer.get("/projects/library/preheat").status_code == 200
    assert maintainer.get("/projects/team/preheat").status_code == 403


def test_a_policy_of_a_source_project_preheats_the_sources_images(app, admin, session, box,
                                                                  catalog, listed, dragonfly):
    provider = dragonfly()
    instance = instances.create(session, box, {
        "vendor": "dragonfly", "name": "df", "endpoint": provider.url, "auth_mode": "OAUTH",
        "auth_info": {"token": PAT}})
    session.commit()
    api = ApiClient(app, basic(*ADMIN))
    created = api.post("/projects/library/preheat/policies", {
        "name": "warm", "provider_id": instance.id,
        "trigger": '{"type":"manual","trigger_setting":{}}',
        "filters": '[{"type":"repository","value":"**"},{"type":"tag","value":"1.*"}]'})
    assert created.status_code == 201, created.get_json()
    policy = session.scalar(select(Policy).where(Policy.name == "warm"))
    execution = run_to_end(app, session, policy)
    assert execution.status == "Success", execution.status_message
    assert sorted(provider.book.submissions) == sorted(
        f"{catalog.registry_url}/v2/library/app/manifests/{listed[tag]}"
        for tag in ("1.0", "1.1"))
