"""The portal's membership table decides who manages a project's preheating."""
from sqlalchemy import select

from tests.helpers import add_projects, add_registries
from tests.host_portal.models import Maintainer, Member, db

from .conftest import MAINTAINER, PREFIX, VIEWER, PortalClient


def test_a_maintainer_reaches_their_projects_policies_and_no_other(app, maintainer):
    add_projects(app, add_registries(app, {})[0], "library", "other")
    assert maintainer.get(f"{PREFIX}/projects/library/preheat").status_code == 200
    assert maintainer.get(f"{PREFIX}/api/projects/library/preheat/policies").status_code == 200
    refused = maintainer.get(f"{PREFIX}/projects/other/preheat")
    assert refused.status_code == 403
    assert "policies of project other" in refused.get_data(as_text=True)
    assert maintainer.get(f"{PREFIX}/api/projects/other/preheat/policies").status_code == 403
    assert maintainer.get(f"{PREFIX}/distributions").status_code == 403


def test_membership_added_or_removed_in_the_portal_counts_at_once(app, maintainer):
    add_projects(app, add_registries(app, {})[0], "library", "other")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["portal", "add-maintainer", MAINTAINER[0], "other"])
    assert result.exit_code == 0, result.output
    assert maintainer.get(f"{PREFIX}/projects/other/preheat").status_code == 200
    with app.app_context():
        db.session.execute(db.delete(Maintainer).where(Maintainer.project_name == "library"))
        db.session.commit()
    assert maintainer.get(f"{PREFIX}/projects/library/preheat").status_code == 403


def test_add_maintainer_refuses_an_unknown_member(app):
    result = app.test_cli_runner().invoke(args=["portal", "add-maintainer", "nobody@x", "lib"])
    assert result.exit_code != 0 and "No member nobody@x" in result.output


def test_a_member_who_maintains_nothing_sees_no_my_projects_link(app, maintainer):
    add_projects(app, add_registries(app, {})[0], "library")
    assert "My projects" in maintainer.get("/").get_data(as_text=True)
    viewer = PortalClient(app).login(*VIEWER)
    assert "My projects" not in viewer.get("/").get_data(as_text=True)
    assert viewer.get(f"{PREFIX}/projects/library/preheat").status_code == 403
    with app.app_context():
        emails = db.session.scalars(select(Member.email).join(Member.maintained)).all()
    assert emails == [MAINTAINER[0]]
