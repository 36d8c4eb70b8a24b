"""Every change the dialogs and the Actions menu make answers with a success message."""
import json

import pytest

from tests.helpers import NEW_INSTANCE as FORM, create


def toast(response) -> str | None:
    assert response.status_code == 204, response.get_data(as_text=True)
    events = json.loads(response.headers["HX-Trigger"])
    assert list(events)[0] == "preheat:toast", "fired before the dialog that asked is closed"
    return events["preheat:toast"]["message"]


def test_create_and_edit_say_which_instance(admin):
    assert toast(create(admin)) == "Instance df-prod created."
    response = admin.post("/distributions/1/edit", {**FORM, "name": "df-renamed"})
    assert toast(response) == "Instance df-renamed updated."


@pytest.mark.parametrize("action, verb", [("deactivate", "deactivated"), ("enable", "enabled"),
                                          ("delete", "deleted")])
def test_actions_say_what_they_did_to_which_instances(admin, action, verb):
    for name in ("a", "b", "c", "d"):
        create(admin, name=name, endpoint=f"http://{name}.example")
    assert toast(admin.post(f"/distributions/actions/{action}", {"instance": "1"})) \
        == f"Instance a {verb}."
    assert toast(admin.post(f"/distributions/actions/{action}", {"instance": ["3", "2"]})) \
        == f"2 instances {verb}: b, c."


def test_many_instances_are_counted_not_listed(admin):
    for number in range(5):
        create(admin, name=f"node-{number}", endpoint=f"http://node{number}.example")
    response = admin.post("/distributions/actions/delete", {"instance": ["1", "2", "3", "4", "5"]})
    assert toast(response) == "5 instances deleted."


def test_a_refused_save_says_nothing_of_success(admin):
    response = admin.post("/distributions/new", {**FORM, "name": "-bad-"})
    assert response.status_code == 422 and "HX-Trigger" not in response.headers
