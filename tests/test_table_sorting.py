"""The instance table sorts by its columns, names naturally, in SQL, and keeps it in the URL."""
import re
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, select, update

from preheat import migrate
from preheat.models import Instance
from preheat.natural_sort import natural_key
from tests.helpers import add_instances


def fleet(app, *names, **fields):
    """Deactivated instances (never checked in the background) with these names."""
    return add_instances(app, *({"vendor": "kraken", "name": name, "enabled": False,
                                 "endpoint": f"http://{name}.example", **fields}
                                for name in names))


def row_names(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return re.findall(r'class="preheat-select"[^>]*aria-label="Select ([^"]+)"',
                      response.get_data(as_text=True))


def sorted_header(response) -> list[tuple[str, str]]:
    return re.findall(r'aria-sort="(\w+)">\s*<button[^>]*data-preheat-sort="(\w+)"',
                      response.get_data(as_text=True))


@pytest.mark.parametrize("names", [
    ["bulk-1", "bulk-2", "bulk-10"],
    ["a", "a-1", "a.1", "a1", "a2", "a10", "a_1", "ab"],
    ["node-01", "node-2", "node-003", "node-20"],
    ["v1.2.9", "v1.2.10", "v1.10.0", "v2"],
    ["x9", "x" + "9" * 40, "x1" + "0" * 40],
])
def test_natural_key_orders_numbers_by_value(names):
    assert sorted(reversed(names), key=natural_key) == names


def test_natural_key_ignores_case():
    assert natural_key("Bulk-7") == natural_key("bulk-7")


def test_names_sort_naturally_across_pages(admin, app):
    fleet(app, *(f"bulk-{number}" for number in range(1, 18)))
    first = row_names(admin.get("/distributions", htmx=True))
    assert first[:4] == ["bulk-1", "bulk-2", "bulk-3", "bulk-4"]
    assert row_names(admin.get("/distributions?page=2", htmx=True)) == ["bulk-16", "bulk-17"]
    assert row_names(admin.get("/distributions?sort=-name&page=2", htmx=True)) == \
        ["bulk-2", "bulk-1"]


def test_a_renamed_instance_sorts_by_its_new_name(admin, app):
    fleet(app, "bulk-1", "bulk-2", "bulk-3")
    response = admin.post("/distributions/1/edit", {
        "name": "bulk-20", "endpoint": "http://bulk-1.example", "auth_mode": "NONE"})
    assert response.status_code == 204, response.get_data(as_text=True)
    assert row_names(admin.get("/distributions", htmx=True)) == ["bulk-2", "bulk-3", "bulk-20"]


def test_each_sortable_column_sorts_both_ways(admin, app, session):
    fleet(app, "b-kraken", vendor="kraken")
    fleet(app, "a-dragonfly", vendor="dragonfly", auth_mode="OAUTH", auth_info={"token": "t"})
    fleet(app, "c-enabled", vendor="dragonfly")
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for index, name in enumerate(["c-enabled", "a-dragonfly", "b-kraken"]):
        session.execute(update(Instance).where(Instance.name == name)
                        .values(setup_timestamp=start + timedelta(days=index)))
    # Shown as Healthy, though stored health of deactivated ones reads Deactivated.
    session.execute(update(Instance).where(Instance.name == "c-enabled").values(
        enabled=True, health_status="healthy", health_checked_at=datetime.now(timezone.utc)))
    session.execute(update(Instance).where(Instance.name == "b-kraken").values(
        health_status="healthy", health_checked_at=start))
    session.commit()
    expected = {
        "name": ["a-dragonfly", "b-kraken", "c-enabled"],
        "vendor": ["a-dragonfly", "c-enabled", "b-kraken"],
        "status": ["a-dragonfly", "b-kraken", "c-enabled"],
        "enabled": ["a-dragonfly", "b-kraken", "c-enabled"],
        "auth_mode": ["b-kraken", "c-enabled", "a-dragonfly"],
        "setup_timestamp": ["c-enabled", "a-dragonfly", "b-kraken"],
    }
    for field, names in expected.items():
        ascending = admin.get(f"/distributions?sort={field}", htmx=True)
        assert row_names(ascending) == names, field
        assert sorted_header(ascending) == [("ascending", field)]
        descending = admin.get(f"/distributions?sort=-{field}", htmx=True)
        assert sorted_header(descending) == [("descending", field)]
        if field in ("name", "setup_timestamp"):  # others have ties, kept in name order
            assert row_names(descending) == names[::-1], field


def test_a_header_click_reverses_its_column_or_sorts_another_ascending(admin, app):
    fleet(app, "one")
    html = admin.get("/distributions?sort=name", htmx=True).get_data(as_text=True)
    assert re.search(r'data-preheat-sort="name"\s+hx-get="[^"]*sort=-name', html)
    assert re.search(r'data-preheat-sort="vendor"\s+hx-get="[^"]*sort=vendor', html)
    html = admin.get("/distributions?sort=-name", htmx=True).get_data(as_text=True)
    assert re.search(r'data-preheat-sort="name"\s+hx-get="[^"]*sort=name[&"]', html)


@pytest.mark.parametrize("sort", ["", "colour", "--name", "-", "name,vendor"])
def test_an_unknown_sort_is_by_name(admin, app, sort):
    fleet(app, "bulk-10", "bulk-9")
    response = admin.get("/distributions", query_string={"sort": sort}, htmx=True)
    assert row_names(response) == ["bulk-9", "bulk-10"]
    assert sorted_header(response) == [("ascending", "name")]


def test_the_table_puts_its_filter_page_size_and_sort_in_the_address_bar(admin, app):
    fleet(app, *(f"bulk-{number}" for number in range(1, 30)))
    response = admin.get("/distributions?q=bulk&page=2&page_size=25&sort=-setup_timestamp",
                         htmx=True)
    assert response.headers["HX-Replace-Url"] == \
        "/distributions?q=bulk&page=2&page_size=25&sort=-setup_timestamp"
    assert admin.get("/distributions", htmx=True).headers["HX-Replace-Url"] == "/distributions"
    assert "HX-Replace-Url" not in admin.get("/distributions").headers


def test_a_full_page_load_shows_the_table_its_url_describes(admin, app):
    fleet(app, *(f"bulk-{number}" for number in range(1, 30)))
    response = admin.get("/distributions?q=bulk-1&page=2&page_size=15&sort=-name")
    html = response.get_data(as_text=True)
    assert 'name="q" value="bulk-1"' in html
    assert '<option value="15" selected>' in html
    assert sorted_header(response) == [("descending", "name")]
    # bulk-1 and bulk-10 .. bulk-19 match; the second page of 15 holds none.
    assert row_names(admin.get("/distributions?q=bulk-1&page=1&sort=-name")) == \
        ["bulk-19", "bulk-18", "bulk-17", "bulk-16", "bulk-15", "bulk-14", "bulk-13",
         "bulk-12", "bulk-11", "bulk-10", "bulk-1"]
    assert 'id="preheat-sort" name="sort" value="-name"' in html


@pytest.mark.parametrize("page", ["3", "99", str(10**40)])
def test_a_page_past_the_end_shows_the_last_page(admin, app, page):
    fleet(app, *(f"bulk-{number:02d}" for number in range(1, 18)))
    response = admin.get(f"/distributions?q=bulk&page={page}&page_size=15", htmx=True)
    assert row_names(response) == ["bulk-16", "bulk-17"]
    assert "16 - 17 of 17 instances" in response.get_data(as_text=True)
    assert "page=2" in response.headers["HX-Replace-Url"]


def test_a_filter_that_matches_nothing_shows_an_empty_first_page(admin, app):
    fleet(app, "bulk-1")
    response = admin.get("/distributions?q=nothing&page=4", htmx=True)
    assert row_names(response) == []
    assert "0 - 0 of 0 instances" in response.get_data(as_text=True)
    assert "page=" not in response.headers["HX-Replace-Url"]


@contextmanager
def statements_of_this_thread(app):
    """Count the SQL statements this thread sends (background checks run elsewhere)."""
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
    me, seen = threading.get_ident(), []

    def count(conn, cursor, statement, *args):
        if threading.get_ident() == me:
            seen.append(statement)
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("sort", ["name", "-status"])
@pytest.mark.parametrize("query", ["", "m"])
def test_statements_per_list_page_do_not_grow_with_page_or_table_size(admin, app, sort, query):
    fleet(app, *(f"m{number}" for number in range(20)))
    admin.get("/distributions", htmx=True)  # the first request also prunes the audit log
    counts = []
    for total, size in [(20, 15), (20, 50), (120, 15), (120, 100)]:
        missing = total - len(row_names(admin.get("/distributions?page_size=100", htmx=True)))
        fleet(app, *(f"m{len(counts)}-{number}" for number in range(missing)))
        with statements_of_this_thread(app) as seen:
            assert len(row_names(admin.get(f"/distributions?page_size={size}&sort={sort}"
                                           f"&q={query}", htmx=True))) == min(total, size)
        counts.append(len(seen))
    # The user behind the session, then the page of matching instances with their number.
    assert counts == [2] * len(counts), counts


def test_the_migration_gives_existing_instances_their_key(app):
    migrate.downgrade(app, "0003")
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO preheat_instance (name, vendor, endpoint, auth_mode, enabled,"
            " is_default, insecure, health_status, setup_timestamp) VALUES ('Bulk-10',"
            " 'kraken', 'http://bulk.example', 'NONE', false, false, false, 'unknown',"
            " '2026-01-01 00:00:00')")
    migrate.upgrade(app)
    with engine.connect() as connection:
        assert connection.scalar(select(Instance.name_key)) == natural_key("bulk-10")
