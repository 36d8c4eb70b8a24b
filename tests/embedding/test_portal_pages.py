"""Preheat inside Ops Portal: the portal's layout, sign-in, roles and CSRF rules hold."""
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import helpers
from tests.helpers import NEW_INSTANCE as FORM
from tests.test_access import PAGES, POSTS

from .conftest import PREFIX, SIGN_IN
from .markup import foreign_events, guest_markup


def create(admin, **fields):
    return helpers.create(admin, prefix=PREFIX, **fields)


def test_portal_pages_still_work_with_preheat_mounted(admin, host_csrf):
    data = {"text": "Maintenance on Friday"}
    if host_csrf:
        data["csrf_token"] = admin.token_from(admin.get("/"))
    assert admin.http.post("/bulletins", data=data).status_code == 302
    home = admin.get("/").get_data(as_text=True)
    assert "<title>Bulletins · Ops Portal</title>" in home
    assert "Maintenance on Friday" in home and 'class="preheat' not in home


def test_portal_csrf_protect_still_guards_the_portals_own_forms(admin, host_csrf):
    response = admin.http.post("/bulletins", data={"text": "forged"})
    assert response.status_code == (400 if host_csrf else 302)


def test_unknown_urls_get_the_portals_404_and_missing_instances_ours(admin):
    for url in ("/no-such-page", f"{PREFIX}/no-such-page"):
        response = admin.get(url)
        assert response.status_code == 404
        assert "Ops Portal has no such page" in response.get_data(as_text=True)
    ours = admin.get(f"{PREFIX}/distributions/999/edit").get_data(as_text=True)
    assert "Ops Portal has no such page" not in ours
    assert 'id="navbar"' in ours and "Instance 999 does not exist." in ours


def test_distributions_page_sits_inside_the_portal_layout(admin):
    html = admin.get(f"{PREFIX}/distributions").get_data(as_text=True)
    assert "<title>Distributions · Ops Portal</title>" in html
    assert 'id="navbar"' in html and ">P2P distribution</a>" in html
    assert html.index('id="content"') < html.index('id="preheat-root"') < html.index("footer")
    assert f'href="{PREFIX}/preheat-static/preheat/preheat.css"' in html


def test_anonymous_visitors_are_sent_to_the_portals_sign_in_page(anonymous):
    response = anonymous.get(f"{PREFIX}/distributions")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == SIGN_IN
    assert parse_qs(location.query)["next"] == [f"{PREFIX}/distributions"]
    htmx = anonymous.get(f"{PREFIX}/distributions", htmx=True)
    assert htmx.status_code == 401 and htmx.headers["HX-Refresh"] == "true"


def test_signing_in_leads_back_to_preheat(anonymous, host_csrf):
    target = anonymous.get(f"{PREFIX}/distributions").headers["Location"]
    form = anonymous.get(target)
    data = {"email": "ops@example.com", "password": "ops-password"}
    if host_csrf:
        data["csrf_token"] = anonymous.token_from(form)
    response = anonymous.http.post(target, data=data)
    assert response.headers["Location"] == f"{PREFIX}/distributions"
    assert anonymous.get(f"{PREFIX}/distributions").status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_member_without_the_ops_admin_role_gets_403(user, url):
    page = user.get(PREFIX + url)
    assert page.status_code == 403
    assert 'id="navbar"' in page.get_data(as_text=True), "the 403 page keeps the portal layout"
    assert user.get(PREFIX + url, htmx=True).status_code == 403


@pytest.mark.parametrize("url", POSTS)
def test_member_without_the_ops_admin_role_cannot_change_anything(user, url):
    assert user.post(PREFIX + url, {"instance": "1"}).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_ops_admin_reaches_every_page(admin, url):
    create(admin)
    assert admin.get(PREFIX + url).status_code == 200


def test_unsafe_request_without_preheats_token_is_refused(admin):
    response = admin.post(f"{PREFIX}/distributions/new", FORM, csrf=False)
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert "df-prod" not in admin.get(f"{PREFIX}/distributions").get_data(as_text=True)


def test_save_with_preheats_token_works_with_or_without_portal_csrf(admin):
    response = create(admin)
    assert set(json.loads(response.headers["HX-Trigger"])) == \
        {"preheat:toast", "preheat:instances-changed", "preheat:close-dialog"}
    assert "df-prod" in admin.get(f"{PREFIX}/distributions", htmx=True).get_data(as_text=True)


def guest_pages(admin):
    """Every page and partial Preheat serves, with the instance they show."""
    create(admin, auth_mode="BASIC", username="ops", password="pw")
    yield admin.get(f"{PREFIX}/distributions").get_data(as_text=True), False
    yield admin.get(f"{PREFIX}/distributions/1/edit").get_data(as_text=True), False
    yield admin.get(f"{PREFIX}/distributions/999/edit").get_data(as_text=True), False
    for url in ("/distributions", "/distributions/new", "/distributions/1/edit",
                "/distributions/1/status", "/distributions/actions/delete/confirm?instance=1",
                "/distributions/actions/deactivate/confirm?instance=1"):
        yield admin.get(PREFIX + url, htmx=True).get_data(as_text=True), True
    for url in ("/distributions/new", "/distributions/test-connection"):
        yield admin.post(PREFIX + url, {**FORM, "name": "--"}).get_data(as_text=True), True


def test_every_id_class_and_event_of_preheat_carries_the_prefix(admin):
    for html, partial in guest_pages(admin):
        markup = guest_markup(html, whole=partial)
        assert markup.names, html[:300]
        assert [n for n in markup.names if not n.startswith("preheat-")] == []
        assert foreign_events(markup) == []


def test_every_url_preheat_renders_stays_under_its_prefix(admin):
    for html, partial in guest_pages(admin):
        urls = guest_markup(html, whole=partial).urls
        assert [url for url in urls if not url.startswith(PREFIX + "/")] == []


def test_preheat_loads_htmx_for_a_portal_that_does_not(admin):
    html = admin.get(f"{PREFIX}/distributions").get_data(as_text=True)
    assert html.count("htmx.min.js") == 1
    assert f'src="{PREFIX}/preheat-static/preheat/htmx.min.js"' in html
    assert 'name="htmx-config"' in html


@pytest.mark.parametrize("portal_overrides", [{"LOADS_HTMX": True}])
def test_a_portal_that_loads_htmx_itself_gets_no_second_copy(admin):
    html = admin.get(f"{PREFIX}/distributions").get_data(as_text=True)
    assert html.count("htmx.min.js") == 1 and 'src="/vendor/htmx.min.js"' in html
    assert html.count('name="htmx-config"') == 1, "only the portal's own htmx config"


def test_the_metrics_sit_at_the_portals_root_for_its_sysadmins_only(admin, user, anonymous):
    scraped = admin.get("/metrics")
    assert scraped.status_code == 200 and "preheat_instances{" in scraped.get_data(as_text=True)
    assert admin.get(f"{PREFIX}/metrics").status_code == 404
    assert user.get("/metrics").status_code == 403
    assert anonymous.get("/metrics").status_code == 401
