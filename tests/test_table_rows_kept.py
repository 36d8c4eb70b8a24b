"""The instance table keeps its rendered rows and tables, and never shows one that no
longer says what is stored."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.helpers import add_instances, stored

ROW = re.compile(r'<tr id="preheat-instance-\d+" class="preheat-row">.*?</tr>', re.S)


@pytest.fixture
def kr(app, session):
    """One instance whose health was checked 5 s ago, so the list does not check it again."""
    add_instances(app, {"vendor": "kraken", "name": "kr", "endpoint": "http://kr.example:81"})
    set_health(session, "healthy", "The provider answered.", age_s=5)


def set_health(session, status: str, reason: str, age_s: int) -> None:
    instance = stored(session, "kr")
    instance.health_status, instance.health_reason = status, reason
    instance.health_checked_at = datetime.now(timezone.utc) - timedelta(seconds=age_s)
    session.commit()


def only_row(admin, **kwargs) -> str:
    html = admin.get("/distributions", htmx=True, **kwargs).get_data(as_text=True)
    rows = ROW.findall(html)
    assert len(rows) == 1, html
    return rows[0]


def renderings(app) -> dict:
    """How many times each kept template was rendered."""
    return {name: kept.cache_info().misses
            for name, kept in app.extensions["preheat"].kept_html.items()}


def test_an_unchanged_table_is_not_rendered_again(app, admin, kr):
    first = admin.get("/distributions", htmx=True).get_data(as_text=True)
    before = renderings(app)
    assert set(before) == {"preheat/_instance_row.html", "preheat/_instances.html"}
    assert admin.get("/distributions", htmx=True).get_data(as_text=True) == first
    assert renderings(app) == before


def test_a_row_that_reads_as_before_is_not_rendered_again(app, admin, session, kr):
    add_instances(app, {"vendor": "kraken", "name": "other", "endpoint": "http://o.example:81"})
    stored(session, "other").enabled = False
    session.commit()
    only_row(admin, query_string={"q": "kr"})
    rows = renderings(app)["preheat/_instance_row.html"]
    html = admin.get("/distributions", htmx=True).get_data(as_text=True)
    assert "Deactivated" in html and len(ROW.findall(html)) == 2
    assert renderings(app)["preheat/_instance_row.html"] == rows + 1


def test_a_kept_row_shows_new_health_as_soon_as_it_is_stored(admin, session, kr):
    assert "Healthy" in only_row(admin) and "The provider answered." in only_row(admin)
    set_health(session, "unhealthy", "Connection refused.", age_s=5)
    row = only_row(admin)
    assert "Unhealthy" in row and "Connection refused." in row
    assert "The provider answered." not in row


def test_a_kept_row_says_how_long_ago_it_was_checked_now(admin, session, kr):
    assert re.search(r"checked [5-9] s ago", only_row(admin))
    set_health(session, "healthy", "The provider answered.", age_s=30)
    assert "checked 30 s ago" in only_row(admin)


def test_a_kept_row_shows_an_edit_and_a_deactivation(admin, session, kr):
    only_row(admin)
    instance = stored(session, "kr")
    instance.description, instance.enabled = "Moved to rack 7", False
    session.commit()
    row = only_row(admin)
    assert "Moved to rack 7" in row and "Deactivated" in row and "Check now" not in row


def test_the_table_under_another_root_links_there(admin, kr):
    plain = admin.get("/distributions?sort=-name", htmx=True).get_data(as_text=True)
    assert re.search(r'hx-post="/distributions/\d+/check"', plain)
    mounted = admin.get("/distributions?sort=-name", htmx=True,
                        base_url="http://localhost/portal").get_data(as_text=True)
    links = re.findall(r'hx-(?:get|post)="([^"]+)"', mounted)
    assert links and all(link.startswith("/portal/") for link in links), links
    assert re.search(r'hx-post="/portal/distributions/\d+/check"', mounted)
