"""Deleting a selection of which some are used by preheat policies: delete the others."""
import re

from preheat.models import Policy
from tests.helpers import create, project_id, stored


def confirm_delete(admin, *ids):
    response = admin.get("/distributions/actions/delete/confirm",
                         query_string={"instance": [str(i) for i in ids]}, htmx=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def offered(html) -> list[str]:
    return re.findall(r'<input type="hidden" name="instance" value="(\d+)">', html)


def text_of(html) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def three_with_policies(admin, session):
    for name in ("free", "one-policy", "two-policies"):
        create(admin, name=name, endpoint=f"http://{name}.example")
    session.add_all([Policy(project_id=project_id(session), name="p1", instance_id=2), Policy(project_id=project_id(session), name="p2", instance_id=3),
                     Policy(project_id=project_id(session), name="p3", instance_id=3)])
    session.commit()


def test_the_confirmation_offers_the_free_instances_and_names_the_blocked_ones(admin, session):
    three_with_policies(admin, session)
    html = confirm_delete(admin, 1, 2, 3)
    assert offered(html) == ["1"]
    text = text_of(html)
    assert "one-policy is used by preheat policy p1 (project library)" in text
    assert "two-policies is used by preheat policies p2 (project library), p3 (project library)" in text
    assert "Do you want to delete the other instance free?" in text
    assert re.search(r'type="submit"[^>]*>\s*Delete 1 instance</button>', html)


def test_with_every_instance_blocked_only_cancel_is_left(admin, session):
    three_with_policies(admin, session)
    html = confirm_delete(admin, 2)
    assert offered(html) == [] and 'type="submit"' not in html
    assert "This instance is still in use and cannot be deleted" in text_of(html)
    assert "Delete that policy first to delete it." in text_of(html)


def test_deleting_the_offered_instances_leaves_the_blocked_ones(admin, session):
    three_with_policies(admin, session)
    offer = offered(confirm_delete(admin, 1, 2, 3))
    assert admin.post("/distributions/actions/delete", {"instance": offer}).status_code == 204
    assert stored(session, "free") is None
    assert stored(session, "one-policy") is not None and stored(session, "two-policies")


def test_an_instance_put_to_use_meanwhile_is_refused_and_the_rest_offered_again(admin,
                                                                                 session):
    three_with_policies(admin, session)
    create(admin, name="also-free", endpoint="http://also-free.example")
    offer = offered(confirm_delete(admin, 1, 4))
    session.add(Policy(project_id=project_id(session), name="late", instance_id=4))
    session.commit()
    response = admin.post("/distributions/actions/delete", {"instance": offer})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert offered(html) == ["1"]
    assert "also-free is used by preheat policy late (project library)" in text_of(html)
    assert stored(session, "free") is not None


def test_the_deactivate_confirmation_says_which_policies_stop(admin, session):
    three_with_policies(admin, session)
    html = admin.get("/distributions/actions/deactivate/confirm?instance=2&instance=3",
                     htmx=True).get_data(as_text=True)
    assert offered(html) == ["2", "3"]
    assert "one-policy is used by preheat policy p1 (project library); it will not preheat" in text_of(html)
    assert "two-policies is used by preheat policies p2 (project library), p3 (project library); they will not" in text_of(html)
