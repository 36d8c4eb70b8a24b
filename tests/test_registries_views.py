"""The Registries page through the test client, with and without htmx."""
import json
import re

from sqlalchemy import select

from preheat.models import AuditEntry, Registry
from tests.helpers import NEW_REGISTRY as FORM, add_projects, add_registries
from tests.registry.fixtures import PASSWORD, USER
from tests.providers.faults import free_port

CANARY = "pw-canary-R3g1stry"


def stored(session, name="hub"):
    session.expire_all()
    return session.scalar(select(Registry).where(Registry.name == name))


def save(admin, path="/registries/new", **fields):
    response = admin.post(path, {**FORM, **fields})
    assert response.status_code == 204, response.get_data(as_text=True)
    return response


def names_in(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return re.findall(r'name="registry"\s+value="\d+"\s+aria-label="Select ([^"]+)"',
                      response.get_data(as_text=True))


def test_page_sits_under_administration_next_to_distributions(admin):
    html = admin.get("/registries").get_data(as_text=True)
    assert re.search(r'<a href="/registries" aria-current="page">Registries</a>', html)
    assert '<a href="/distributions">Distributions</a>' in html
    assert 'id="preheat-registries"' in html and "New registry" in html
    partial = admin.get("/registries", htmx=True).get_data(as_text=True)
    assert partial.lstrip().startswith('<div id="preheat-registries"') and "<html" not in partial


def test_table_has_the_columns_and_reads_each_registry(admin, app):
    add_registries(app, {"name": "hub", "url": "https://hub.example", "auth_mode": "BASIC",
                         "auth_info": {"username": "ops", "password": CANARY},
                         "public_url": "https://hub.internal", "insecure": True,
                         "description": "Team images"})
    html = admin.get("/registries").get_data(as_text=True)
    for column in ("Name", "URL", "Status", "Auth", "Skip certificate verification",
                   "Description", "Creation time"):
        assert re.search(rf'<th scope="col"[^>]*>\s*(<button[^>]*>)?{column}\s*(<|$)', html,
                         re.MULTILINE), column
    assert "https://hub.example" in html and "providers: https://hub.internal" in html
    assert "Basic (ops)" in html and "Team images" in html and ">Unknown" in html
    assert CANARY not in html


def test_the_status_shows_the_stored_health_with_its_reason(admin, app, session):
    add_registries(app, {})
    registry = stored(session)
    registry.health_status, registry.health_reason = "unhealthy", "Connection refused."
    from preheat.models import utcnow
    registry.health_checked_at = utcnow()
    session.commit()
    html = admin.get("/registries", htmx=True).get_data(as_text=True)
    assert "preheat-badge-bad" in html and "Connection refused." in html


def test_filter_paging_and_sort(admin, app):
    add_registries(app, *({"name": f"reg-{n}", "url": f"http://reg{n}.example"}
                          for n in range(1, 18)))
    assert names_in(admin.get("/registries", htmx=True))[:3] == ["reg-1", "reg-2", "reg-3"]
    assert names_in(admin.get("/registries?page=2", htmx=True)) == ["reg-16", "reg-17"]
    assert names_in(admin.get("/registries?sort=-name&page=2", htmx=True)) == ["reg-2", "reg-1"]
    response = admin.get("/registries?q=REG-1", htmx=True)
    assert names_in(response) == ["reg-1"] + [f"reg-{n}" for n in range(10, 18)]
    assert response.headers["HX-Replace-Url"] == "/registries?q=REG-1"
    assert "No registry name contains" in admin.get("/registries?q=zzz").get_data(as_text=True)


def test_new_dialog_has_the_fields_and_buttons(admin):
    html = admin.get("/registries/new", htmx=True).get_data(as_text=True)
    for label in ("Name", "Description", "URL", "URL as providers reach it", "Credentials",
                  "Username", "Password", "Skip certificate verification"):
        assert re.search(rf'<label for="preheat-field-\w+">{label}</label>', html), label
    for button in ("Test connection", "Cancel", "OK"):
        assert f">{button}</button>" in html


def test_save_stores_the_registry_and_tells_the_table(admin, session):
    response = save(admin, auth_mode="BASIC", username="ops", password=CANARY,
                    public_url="http://hub.internal:5000", insecure="y")
    events = json.loads(response.headers["HX-Trigger"])
    assert events["preheat:toast"] == {"message": "Registry hub created."}
    assert "preheat:registries-changed" in events and "preheat:close-dialog" in events
    registry = stored(session)
    assert registry.public_url == "http://hub.internal:5000" and registry.insecure
    assert CANARY not in registry.auth_secret
    assert admin.post("/registries/new", {**FORM, "name": "two", "url": "http://b"},
                      htmx=False).status_code == 303


def test_bad_input_is_refused_next_to_each_field_keeping_what_was_typed(admin, session):
    response = admin.post("/registries/new", {**FORM, "name": "-bad-", "url": "ftp://x",
                                              "public_url": "nope", "description": "kept",
                                              "auth_mode": "BASIC", "username": "ops",
                                              "password": CANARY})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="preheat-field-name-error">Name may contain', html)
    assert re.search(r'id="preheat-field-url-error">URL must start with', html)
    assert re.search(r'id="preheat-field-public_url-error">URL as providers reach it', html)
    assert 'value="-bad-"' in html and 'value="ops"' in html and "kept</textarea>" in html
    assert CANARY not in html
    assert stored(session, "-bad-") is None


def test_a_taken_name_or_url_is_said_on_its_field(admin):
    save(admin)
    html = admin.post("/registries/new", {**FORM, "name": "HUB", "url": "http://other"}
                      ).get_data(as_text=True)
    assert re.search(r'name-error">A registry named HUB already exists', html)
    html = admin.post("/registries/new", {**FORM, "name": "two"}).get_data(as_text=True)
    assert re.search(r'url-error">Another registry already uses the URL', html)


def test_edit_with_a_blank_password_keeps_the_stored_one(admin, app, session):
    save(admin, auth_mode="BASIC", username="ops", password=CANARY)
    html = admin.get("/registries/1/edit", htmx=True).get_data(as_text=True)
    assert 'value="hub"' in html and 'value="ops"' in html and CANARY not in html
    assert "Leave empty to keep the stored password; it is only sent to" \
           " http://registry.example:5000" in html
    response = save(admin, "/registries/1/edit", name="renamed", auth_mode="BASIC",
                    username="ops", password="")
    assert json.loads(response.headers["HX-Trigger"])["preheat:toast"] == {
        "message": "Registry renamed updated."}
    box = app.extensions["preheat"].secret_box
    assert box.open(stored(session, "renamed").auth_secret) == {"username": "ops",
                                                                "password": CANARY}


def test_edit_that_moves_the_url_needs_the_password_again(admin):
    save(admin, auth_mode="BASIC", username="ops", password=CANARY)
    response = admin.post("/registries/1/edit", {**FORM, "url": "http://elsewhere.example",
                                                 "auth_mode": "BASIC", "username": "ops"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="preheat-field-password-error">Type the password again' in html
    assert 'value="http://elsewhere.example"' in html


def test_public_url_warning_follows_what_is_typed(admin):
    html = admin.get("/registries/public-url-warning?public_url=http://127.0.0.1:5000",
                     htmx=True).get_data(as_text=True)
    assert "loopback address" in html
    assert admin.get("/registries/public-url-warning?public_url=http://hub.internal",
                     htmx=True).get_data(as_text=True).strip() == ""
    dialog = admin.post("/registries/new", {**FORM, "name": "", "public_url":
                                            "http://169.254.1.1"}).get_data(as_text=True)
    assert "link-local address" in dialog


def test_delete_is_confirmed_then_done(admin, app, session):
    add_registries(app, {"name": "a", "url": "http://a"}, {"name": "b", "url": "http://b"})
    html = admin.get("/registries/actions/delete/confirm?registry=1&registry=2",
                     htmx=True).get_data(as_text=True)
    assert "Do you want to delete registries <strong>a, b</strong>?" in html
    response = admin.post("/registries/actions/delete", {"registry": ["1", "2"]})
    assert response.status_code == 204
    assert json.loads(response.headers["HX-Trigger"])["preheat:toast"] == {
        "message": "2 registries deleted: a, b."}
    assert session.scalar(select(Registry)) is None


def test_delete_is_refused_naming_the_projects_that_use_it(admin, app, session):
    ids = add_registries(app, {"name": "hub"}, {"name": "free", "url": "http://free"})
    add_projects(app, ids[0], "library", "team")
    html = admin.get("/registries/actions/delete/confirm?registry=1&registry=2",
                     htmx=True).get_data(as_text=True)
    assert "hub holds projects library, team" in html
    assert "Delete those projects first to delete it." in html
    assert "Do you want to delete the other registry <strong>free</strong>?" in html
    response = admin.post("/registries/actions/delete", {"registry": ["1"]})
    assert response.status_code == 409
    assert "Cannot delete: hub holds projects library, team" in response.get_data(as_text=True)
    assert stored(session) is not None


def test_test_connection_checks_the_registry_and_is_audited(admin, session, open_registry):
    response = admin.post("/registries/test-connection", {**FORM, "url": open_registry.url})
    html = response.get_data(as_text=True)
    assert "Connection OK." in html and "the catalog is readable" in html
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "test_connection"))
    assert entry.object_type == "registry" and entry.object_name == "hub"
    assert stored(session) is None, "a test saves nothing"


def test_test_connection_says_why_it_failed(admin, basic_registry):
    html = admin.post("/registries/test-connection", {
        **FORM, "url": basic_registry.url, "auth_mode": "BASIC", "username": USER,
        "password": CANARY}).get_data(as_text=True)
    assert "Connection failed." in html and "rejected the user name or password" in html
    assert CANARY not in html
    refused = admin.post("/registries/test-connection",
                         {**FORM, "url": f"http://127.0.0.1:{free_port()}"})
    assert "refused" in refused.get_data(as_text=True)
    invalid = admin.post("/registries/test-connection", {**FORM, "url": "ftp://x"})
    assert "Not tested:" in invalid.get_data(as_text=True)


def test_a_saved_registry_is_tested_with_its_stored_password(admin, basic_registry):
    save(admin, url=basic_registry.url, auth_mode="BASIC", username=USER, password=PASSWORD)
    html = admin.post("/registries/1/test-connection", {
        **FORM, "url": basic_registry.url, "auth_mode": "BASIC", "username": USER,
        "password": ""}).get_data(as_text=True)
    assert "Connection OK." in html and PASSWORD not in html


def token_of_test(html: str) -> str:
    return re.search(r'name="tested" value="([^"]+)"', html).group(1)


def test_a_tested_registry_starts_with_its_test_result(admin, session, open_registry):
    fields = {**FORM, "url": open_registry.url}
    html = admin.post("/registries/test-connection", fields).get_data(as_text=True)
    save(admin, **fields, tested=token_of_test(html))
    registry = stored(session)
    assert registry.health_status == "healthy" and "catalog is readable" in registry.health_reason
    listed = admin.get("/registries", htmx=True).get_data(as_text=True)
    assert ">Healthy" in listed


def test_a_test_result_counts_only_for_the_settings_it_tested(admin, session, open_registry):
    html = admin.post("/registries/test-connection", {**FORM, "url": open_registry.url}
                      ).get_data(as_text=True)
    token = token_of_test(html)
    save(admin, tested=token)  # another URL than the one tested
    assert stored(session).health_checked_at is None
    save(admin, name="two", url=open_registry.url, tested=token[:-2] + "xx")
    assert stored(session, "two").health_checked_at is None
