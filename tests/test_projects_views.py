"""The Projects page and the New project dialog, against a real registry's catalog."""
import json
import re
import time

from sqlalchemy import select

from preheat.models import Instance, Policy, Project, Registry
from tests.helpers import add_projects, add_registries
from tests.providers.faults import free_port, silent
from tests.registry.fixtures import pusher_for


def names_in(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return re.findall(r'name="project"\s+value="\d+"\s+aria-label="Select ([^"]+)"',
                      response.get_data(as_text=True))


def stored(session, name):
    session.expire_all()
    return session.scalar(select(Project).where(Project.name == name))


def test_page_is_in_the_navigation_and_lists_each_project(admin, app):
    hub, = add_registries(app, {"name": "hub"})
    add_projects(app, hub, "library", repo_count=3)
    add_projects(app, hub, "team")
    html = admin.get("/projects").get_data(as_text=True)
    assert '<a href="/projects" aria-current="page">Projects</a>' in html
    for column in ("Name", "Registry", "Repositories", "Policies", "Creation time"):
        assert re.search(rf'<th scope="col"[^>]*>\s*(<button[^>]*>)?{column}\s*(<|$)', html,
                         re.MULTILINE), column
    row = re.search(r'<a href="/projects/library">library</a></td>\s*<td>hub</td>\s*'
                    r'<td>3</td>\s*<td>0</td>', html)
    assert row, "name links to the project page; registry, repositories, policies follow"
    assert re.search(r'<a href="/projects/team">team</a></td>\s*<td>hub</td>\s*<td>—</td>',
                     html), "an unknown count reads as a dash"
    assert admin.get("/projects/library").status_code == 200


def test_filter_paging_and_sort(admin, app):
    hub, other = add_registries(app, {"name": "hub"}, {"name": "alt", "url": "http://alt"})
    add_projects(app, hub, *(f"p{n:02}" for n in range(1, 17)))
    add_projects(app, other, "zeta")
    assert names_in(admin.get("/projects?page=2", htmx=True)) == ["p16", "zeta"]
    assert names_in(admin.get("/projects?q=ZET", htmx=True)) == ["zeta"]
    assert names_in(admin.get("/projects?sort=registry", htmx=True))[0] == "zeta"
    assert names_in(admin.get("/projects?sort=-name", htmx=True))[:2] == ["zeta", "p16"]
    assert "No project name contains" in admin.get("/projects?q=nope").get_data(as_text=True)


def test_new_project_dialog_offers_the_registries(admin, app):
    add_registries(app, {"name": "hub"}, {"name": "alt", "url": "http://alt"})
    html = admin.get("/projects/-/new", htmx=True).get_data(as_text=True)
    assert re.search(r'<option value="2">alt</option><option value="1">hub</option>', html)
    assert 'hx-trigger="load, change from:#preheat-field-registry"' in html
    assert "Loading the catalog" in html


def test_without_registries_the_dialog_says_to_add_one(admin):
    html = admin.get("/projects/-/new", htmx=True).get_data(as_text=True)
    assert "There is no registry yet" in html and 'href="/registries"' in html


def test_namespaces_come_from_the_catalog_with_their_counts(admin, app, own_registry):
    pusher = pusher_for(own_registry)
    for repository in ("alpine", "library/nginx", "team/app", "team/db", "solo/x"):
        pusher.image(repository, "1")
    hub, = add_registries(app, {"name": "hub", "url": own_registry.url})
    add_projects(app, hub, "solo")
    html = admin.get(f"/projects/-/namespaces?registry={hub}", htmx=True).get_data(as_text=True)
    found = re.findall(r'data-preheat-namespace="([^"]+)"\s+data-preheat-count="(\d+)"', html)
    assert found == [("library", "2"), ("solo", "1"), ("team", "2")]
    assert re.search(r'data-preheat-namespace="solo"[^>]*disabled', html)
    assert "already a project" in html


def test_a_dead_registry_says_why_within_the_timeout(admin, app):
    hub, = add_registries(app, {"name": "hub", "url": f"http://127.0.0.1:{free_port()}"})
    html = admin.get(f"/projects/-/namespaces?registry={hub}").get_data(as_text=True)
    assert "The catalog could not be read:" in html and "refused" in html
    assert "Type the project name instead." in html
    with silent() as url:
        slow, = add_registries(app, {"name": "slow", "url": url})
        started = time.monotonic()
        html = admin.get(f"/projects/-/namespaces?registry={slow}").get_data(as_text=True)
    assert time.monotonic() - started < 8, "the HTTP client's deadline bounds the wait"
    assert "The catalog could not be read:" in html


def test_a_registry_that_refuses_its_catalog_leaves_typing(admin, app, token_registry,
                                                          token_service):
    token_service.state["grant_catalog"] = False
    hub, = add_registries(app, {"name": "hub", "url": token_registry.url})
    html = admin.get(f"/projects/-/namespaces?registry={hub}").get_data(as_text=True)
    assert "does not let these credentials list its repositories" in html
    assert "type project names by hand" in html
    response = admin.post("/projects/-/new", {"registry": str(hub), "name": "typed"})
    assert response.status_code == 204


def test_unknown_registry_asks_to_pick_one(admin):
    assert "Pick a registry first." in admin.get("/projects/-/namespaces?registry=9").get_data(
        as_text=True)


def test_save_creates_the_project_with_its_count(admin, app, session):
    hub, = add_registries(app, {"name": "hub"})
    response = admin.post("/projects/-/new", {"registry": str(hub), "name": "library",
                                              "repo_count": "4"})
    assert response.status_code == 204
    events = json.loads(response.headers["HX-Trigger"])
    assert events["preheat:toast"] == {"message": "Project library created."}
    assert "preheat:projects-changed" in events
    project = stored(session, "library")
    assert project.repo_count == 4 and project.image_registry.name == "hub"
    response = admin.post("/projects/-/new", {"registry": str(hub), "name": "typed",
                                              "repo_count": ""})
    assert response.status_code == 204 and stored(session, "typed").repo_count is None


def test_a_bad_name_is_refused_on_its_field_keeping_the_input(admin, app, session):
    hub, = add_registries(app, {"name": "hub"})
    response = admin.post("/projects/-/new", {"registry": str(hub), "name": "Library"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="preheat-field-name-error">Project names are lower-case[^<]*'
                     r'Use lower case\.', html)
    assert 'value="Library"' in html and re.search(r'<option selected value="1">hub', html)
    long = admin.post("/projects/-/new", {"registry": str(hub), "name": "a" * 256})
    assert long.status_code == 422
    admin.post("/projects/-/new", {"registry": str(hub), "name": "library"})
    taken = admin.post("/projects/-/new", {"registry": str(hub), "name": "library"})
    assert taken.status_code == 422 and "A project named library already exists" in \
        taken.get_data(as_text=True)
    gone = admin.post("/projects/-/new", {"registry": "99", "name": "x"})
    assert gone.status_code == 422 and "Not a valid choice" in gone.get_data(as_text=True)
    assert session.scalar(select(Project).where(Project.name != "library")) is None


def test_delete_is_confirmed_and_leaves_the_registry_alone(admin, app, session):
    hub, = add_registries(app, {"name": "hub"})
    add_projects(app, hub, "library")
    html = admin.get("/projects/-/actions/delete/confirm?project=1",
                     htmx=True).get_data(as_text=True)
    assert "Do you want to delete project <strong>library</strong>?" in html
    assert "Nothing in the registry is deleted" in html
    response = admin.post("/projects/-/actions/delete", {"project": "1"})
    assert response.status_code == 204
    assert json.loads(response.headers["HX-Trigger"])["preheat:toast"] == {
        "message": "Project library deleted."}
    assert stored(session, "library") is None and session.scalar(select(Registry)) is not None



def test_each_project_shows_how_many_policies_it_holds(admin, app, session):
    add_projects(app, *add_registries(app, {"name": "hub"}), "library", "team")
    instance = Instance(name="df", vendor="dragonfly", endpoint="http://df.example")
    library = stored(session, "library")
    session.add_all([Policy(name=name, project=library, instance=instance)
                     for name in ("nightly", "on-push")])
    session.commit()
    response = admin.get("/projects?sort=-policy_count", htmx=True)
    assert names_in(response) == ["library", "team"]
    rows = re.findall(r'<tr id="preheat-project-\d+".*?</tr>', response.get_data(as_text=True),
                      re.S)
    assert [re.findall(r"<td>(\d+)</td>", row)[-1] for row in rows] == ["2", "0"]
