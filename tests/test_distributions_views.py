"""The Distributions pages through the test client, with and without htmx."""
import json
import re

import pytest
from sqlalchemy import select

from preheat.models import Instance, Policy
from tests.helpers import NEW_INSTANCE as FORM, create, project_id, stored


def test_full_page_has_navigation_and_table_and_partial_has_only_the_table(admin):
    page = admin.get("/distributions")
    html = page.get_data(as_text=True)
    assert "Administration" in html and ">Distributions</a>" in html
    assert 'id="preheat-instances"' in html and "New instance" in html
    partial = admin.get("/distributions", htmx=True)
    body = partial.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="preheat-instances"')
    assert "<html" not in body
    assert "HX-Request" in partial.headers["Vary"] and "HX-Request" in page.headers["Vary"]


def test_table_shows_the_columns_of_the_seed(admin):
    html = admin.get("/distributions").get_data(as_text=True)
    for column in ("Name", "Provider", "Endpoint", "Status", "Enabled", "Auth mode",
                   "Description", "Setup timestamp"):
        assert re.search(rf'<th scope="col"[^>]*>\s*(<button[^>]*>)?{column}\s*(<|$)', html,
                         re.MULTILINE), column


def test_new_instance_dialog_has_the_fields_and_buttons(admin):
    html = admin.get("/distributions/new", htmx=True).get_data(as_text=True)
    for label in ("Provider", "Name", "Description", "Endpoint", "Auth Mode", "Username",
                  "Password", "Token", "Enable", "Skip certificate verification"):
        assert re.search(rf"<label for=\"preheat-field-\w+\">{label}</label>", html), label
    assert re.search(r'<option selected value="dragonfly">Dragonfly</option>', html)
    assert re.search(r'id="preheat-field-enabled"[^>]* checked', html) or \
        re.search(r'checked[^>]*id="preheat-field-enabled"', html)
    for button in ("Test connection", "Cancel", "OK"):
        assert f">{button}</button>" in html


def test_valid_save_answers_204_with_an_event_the_table_listens_to(admin, session):
    response = create(admin, description="Main manager")
    events = json.loads(response.headers["HX-Trigger"])
    assert "preheat:instances-changed" in events and "preheat:close-dialog" in events
    instance = stored(session, "df-prod")
    assert instance.description == "Main manager" and instance.enabled
    assert "df-prod" in admin.get("/distributions", htmx=True).get_data(as_text=True)


def test_invalid_input_answers_422_with_the_message_next_to_the_field(admin, session):
    response = admin.post("/distributions/new", {**FORM, "name": "-bad-", "endpoint": "ftp://x"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="preheat-field-name-error">Name may contain', html)
    assert re.search(r'id="preheat-field-endpoint-error">Endpoint must start with', html)
    assert 'value="-bad-"' in html, "what the user typed is kept"
    assert session.scalar(select(Instance)) is None


def test_duplicate_name_is_reported_on_the_name_field(admin):
    create(admin)
    response = admin.post("/distributions/new", {**FORM, "name": "DF-PROD",
                                                 "endpoint": "http://other"})
    assert response.status_code == 422
    assert re.search(r'name-error">An instance named DF-PROD already exists',
                     response.get_data(as_text=True))


def test_non_htmx_save_redirects_to_the_list(admin, session):
    response = admin.post("/distributions/new", FORM, htmx=False)
    assert response.status_code == 303
    assert stored(session, "df-prod") is not None


def test_secrets_are_never_rendered_into_html(admin):
    create(admin, auth_mode="OAUTH", token="canary-token-5f1")
    instance_html = admin.get("/distributions").get_data(as_text=True)
    edit_html = admin.get("/distributions/1/edit", htmx=True).get_data(as_text=True)
    failed = admin.post("/distributions/1/edit", {**FORM, "auth_mode": "OAUTH", "token": "",
                                                  "name": "--"}).get_data(as_text=True)
    for html in (instance_html, edit_html, failed):
        assert "canary-token-5f1" not in html


def test_edit_dialog_is_filled_in_and_says_the_provider_is_fixed(admin):
    create(admin, vendor="kraken", auth_mode="BASIC", username="ops", password="pw-canary")
    html = admin.get("/distributions/1/edit", htmx=True).get_data(as_text=True)
    assert 'value="df-prod"' in html and 'value="ops"' in html
    assert "pw-canary" not in html
    assert re.search(r'<select[^>]*disabled[^>]*id="preheat-field-vendor"|'
                     r'<select[^>]*id="preheat-field-vendor"[^>]*disabled', html)
    assert "cannot be changed after creation" in html
    assert "Leave empty to keep the stored password" in html


def test_edit_with_blank_password_keeps_the_stored_password(admin, app, session):
    create(admin, auth_mode="BASIC", username="ops", password="stored-pw")
    response = admin.post("/distributions/1/edit", {**FORM, "name": "renamed", "auth_mode":
                                                    "BASIC", "username": "ops", "password": ""})
    assert response.status_code == 204
    instance = stored(session, "renamed")
    box = app.extensions["preheat"].secret_box
    assert box.open(instance.auth_secret) == {"username": "ops", "password": "stored-pw"}


def test_edit_switching_mode_without_new_secret_is_refused(admin, session):
    create(admin, auth_mode="BASIC", username="ops", password="stored-pw")
    response = admin.post("/distributions/1/edit", {**FORM, "auth_mode": "OAUTH", "token": ""})
    assert response.status_code == 422
    assert 'id="preheat-field-token-error">Token is required' in response.get_data(as_text=True)
    assert stored(session, "df-prod").auth_mode == "BASIC"


def test_edit_to_none_clears_the_stored_secrets(admin, session):
    create(admin, auth_mode="OAUTH", token="t0k")
    assert admin.post("/distributions/1/edit", {**FORM, "auth_mode": "NONE"}).status_code == 204
    assert stored(session, "df-prod").auth_secret is None


def test_filter_and_paging(admin):
    for number in range(20):
        create(admin, name=f"node-{number:02d}", endpoint=f"http://node{number}.example")
    create(admin, name="kraken-a", endpoint="http://kraken.example", vendor="kraken")
    first = admin.get("/distributions", htmx=True).get_data(as_text=True)
    assert first.count('class="preheat-row"') == 15
    assert "1 - 15 of 21 instances" in first
    second = admin.get("/distributions?page=2", htmx=True).get_data(as_text=True)
    assert second.count('class="preheat-row"') == 6
    filtered = admin.get("/distributions?q=KRAKEN", htmx=True).get_data(as_text=True)
    assert filtered.count('class="preheat-row"') == 1 and "kraken-a" in filtered
    wildcard = admin.get("/distributions?q=%25", htmx=True).get_data(as_text=True)
    assert "No instance name contains" in wildcard


def test_names_with_markup_are_escaped(admin):
    create(admin, description='<img src=x onerror="alert(1)">')
    html = admin.get("/distributions").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_enable_and_deactivate(admin, session):
    create(admin)
    confirm = admin.get("/distributions/actions/deactivate/confirm?instance=1", htmx=True)
    assert "Do you want to deactivate instance <strong>df-prod</strong>?" in \
        confirm.get_data(as_text=True)
    assert admin.post("/distributions/actions/deactivate", {"instance": "1"}).status_code == 204
    assert stored(session, "df-prod").enabled is False
    assert admin.post("/distributions/actions/enable", {"instance": "1"}).status_code == 204
    assert stored(session, "df-prod").enabled is True


def test_delete_confirmation_names_all_selected_instances(admin):
    create(admin, name="a", endpoint="http://a")
    create(admin, name="b", endpoint="http://b")
    html = admin.get("/distributions/actions/delete/confirm?instance=1&instance=2",
                     htmx=True).get_data(as_text=True)
    assert "Do you want to delete instances <strong>a, b</strong>?" in html


def test_delete_of_a_referenced_instance_is_refused_naming_the_policies(admin, session):
    create(admin, name="used", endpoint="http://used")
    create(admin, name="free", endpoint="http://free")
    session.add(Policy(project_id=project_id(session), name="nightly-warmup", instance_id=1))
    session.commit()
    response = admin.post("/distributions/actions/delete", {"instance": ["1", "2"]})
    assert response.status_code == 409
    assert "used is used by preheat policy nightly-warmup (project library)" in response.get_data(as_text=True)
    assert stored(session, "free") is not None
    assert admin.post("/distributions/actions/delete", {"instance": "2"}).status_code == 204
    assert stored(session, "free") is None


def test_edit_action_needs_exactly_one_selection(admin):
    create(admin, name="a", endpoint="http://a")
    create(admin, name="b", endpoint="http://b")
    response = admin.get("/distributions/actions/edit?instance=1&instance=2", htmx=True)
    assert response.status_code == 400
    assert response.get_data(as_text=True) == "Select exactly one instance to edit."
    one = admin.get("/distributions/actions/edit?instance=2", htmx=True)
    assert 'value="b"' in one.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/distributions/999/edit", "/distributions/999/status",
                                 "/distributions/actions/delete/confirm?instance=999"])
def test_missing_instance_is_a_404_with_a_message(admin, url):
    response = admin.get(url, htmx=True)
    assert response.status_code == 404
    assert response.content_type.startswith("text/plain")


@pytest.mark.parametrize("url", ["/distributions?page=abc", "/distributions?page=-5&page_size=7",
                                 "/distributions?q=" + "x" * 5000,
                                 "/distributions/actions/delete/confirm?instance=abc"])
def test_odd_query_strings_never_cause_a_server_error(admin, url):
    assert admin.get(url).status_code < 500


@pytest.mark.parametrize("url", ["/distributions?q=a%00b", "/distributions?q=%00",
                                 "/audit-log?instance=%00&user=x%00"])
def test_control_characters_in_filters_are_ignored(admin, url):
    for htmx in (False, True):
        assert admin.get(url, htmx=htmx).status_code == 200
