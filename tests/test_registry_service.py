"""Registries and projects in the service layer: rules, secrets, uniqueness, delete protection."""
import pytest
from sqlalchemy import select

from preheat.models import AuditEntry, Instance, Policy, Project, Registry
from preheat.services import projects, registries
from preheat.services.errors import Conflict, FieldError, InUse, NotFound

CANARY = "pw-canary-registry-service-7c1e"


@pytest.fixture
def box(app):
    return app.extensions["preheat"].secret_box


def new(session, box, **data):
    values = {"name": "hub", "url": "http://registry.example:5000", **data}
    return registries.create(session, box, values)


def test_created_registry_is_normalised_with_its_password_encrypted(session, box):
    registry = new(session, box, url="HTTP://Registry.Example:5000/", auth_mode="basic",
                   auth_info={"username": "puller", "password": CANARY})
    assert registry.url == "http://registry.example:5000"
    assert registry.auth_mode == "BASIC" and CANARY not in registry.auth_secret
    assert registries.credentials(box, registry).password == CANARY
    assert registries.target(box, registry).peer == "registry"


def test_registries_take_no_token_auth(session, box):
    with pytest.raises(FieldError, match="NONE or BASIC") as error:
        new(session, box, auth_mode="OAUTH", auth_info={"token": "t"})
    assert error.value.field == "auth_mode"


def test_blank_password_on_edit_keeps_the_stored_one(session, box):
    registry = new(session, box, auth_mode="BASIC",
                   auth_info={"username": "puller", "password": CANARY})
    registries.update(session, box, registry, {"auth_mode": "BASIC",
                                                "auth_info": {"username": "puller"}})
    assert registries.credentials(box, registry).password == CANARY


def test_moving_the_url_elsewhere_needs_the_password_again(session, box):
    registry = new(session, box, auth_mode="BASIC",
                   auth_info={"username": "puller", "password": CANARY})
    with pytest.raises(FieldError, match="URL it was saved with") as error:
        registries.update(session, box, registry, {"url": "http://attacker.example"})
    assert error.value.field == "password"
    assert registry.url == "http://registry.example:5000"


def test_names_and_urls_are_unique(session, box):
    new(session, box)
    with pytest.raises(Conflict) as by_name:
        new(session, box, name="HUB", url="http://other.example")
    with pytest.raises(Conflict) as by_url:
        new(session, box, name="other")
    assert (by_name.value.field, by_url.value.field) == ("name", "url")


def test_changes_are_audited_with_the_password_only_as_changed(session, box):
    registry = new(session, box, auth_mode="BASIC",
                   auth_info={"username": "puller", "password": CANARY})
    registries.update(session, box, registry, {"auth_info": {"username": "puller",
                                                              "password": CANARY + "-2"},
                                                "description": "mirror"})
    details = [e.detail for e in session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "registry"))]
    assert any("credentials changed" in d and 'description: (empty) -> "mirror"' in d
               for d in details)
    assert not any(CANARY in (d or "") for d in details)


def test_a_changed_url_forgets_the_stored_health(session, box):
    registry = new(session, box)
    registry.health_status, registry.health_reason = "healthy", "fine"
    session.commit()
    registries.update(session, box, registry, {"url": "http://elsewhere.example"})
    assert registry.health_status == "unknown" and registry.health_reason is None


@pytest.mark.parametrize("url, warned", [
    ("http://127.0.0.1:5000", True), ("http://localhost:5000", True),
    ("http://169.254.10.1", True), ("http://[::1]:5000", True),
    ("http://10.0.0.5:5000", False), ("https://registry.example", False), (None, False)])
def test_a_public_url_providers_cannot_dial_is_warned_about(url, warned):
    assert bool(registries.public_url_warning(url)) is warned


def test_deleting_a_registry_that_projects_use_is_refused_naming_them(session, box):
    registry = new(session, box)
    projects.create(session, "library", registry)
    projects.create(session, "team-a", registry)
    with pytest.raises(InUse, match="hub holds projects library, team-a"):
        registries.delete(session, [registry])
    assert session.scalar(select(Registry.id)) == registry.id


def test_a_deleted_project_frees_its_registry(session, box):
    registry = new(session, box)
    project = projects.create(session, "library", registry)
    projects.delete(session, [project])
    registries.delete(session, [registry])
    assert session.scalar(select(Registry.id)) is None


@pytest.mark.parametrize("name, hint", [
    ("Library", "Use lower case."), ("-a", ""), ("a..b", ""), ("a" * 256, ""), ("", "")])
def test_project_names_follow_the_rule(session, box, name, hint):
    registry = new(session, box)
    with pytest.raises(FieldError) as error:
        projects.create(session, name, registry)
    assert error.value.field == "name" and error.value.message.endswith(hint or ".")


def test_project_names_are_unique_across_registries(session, box):
    projects.create(session, "library", new(session, box))
    other = new(session, box, name="other", url="http://other.example")
    with pytest.raises(Conflict, match="already exists"):
        projects.create(session, "library", other)
    assert session.scalar(select(Project.registry_id)) is not None


def test_projects_are_found_by_name_or_id(session, box):
    project = projects.create(session, "team.a", new(session, box))
    assert projects.get_by_name_or_id(session, str(project.id)) is project
    assert projects.get_by_name_or_id(session, "team.a") is project
    with pytest.raises(NotFound):
        projects.get_by_name_or_id(session, "Team.A")


@pytest.mark.parametrize("repository, project", [
    ("alpine", "library"), ("library/nginx", "library"), ("team/app/api", "team")])
def test_repositories_belong_to_their_first_path_part_or_library(repository, project):
    assert projects.in_project(project, repository)
    assert not projects.in_project("other", repository)


def test_deleting_a_project_that_holds_policies_is_refused_naming_them(session, box):
    project = projects.create(session, "library", new(session, box))
    instance = Instance(name="df", vendor="dragonfly", endpoint="http://df.example")
    session.add(Policy(name="nightly", project=project, instance=instance))
    session.commit()
    with pytest.raises(InUse, match="library holds preheat policy nightly. Delete that policy"):
        projects.delete(session, [project])
    assert session.get(Project, project.id) is not None
