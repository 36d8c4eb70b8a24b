"""Refused requests are audited, pages and API alike, and a burst of them stays one entry."""
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from sqlalchemy import select

from preheat import migrate
from preheat.models import AuditEntry
from preheat.services import audit
from tests.accounts import ADMIN, USER
from tests.api.conftest import API, ApiClient
from tests.helpers import Client, basic

BURST = 200
THREADS = 8


def refusals(session):
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "access_denied")
                                .order_by(AuditEntry.id)))


def burst(request_once, clients):
    """Send BURST requests from THREADS threads at once, each thread with its own client."""
    with ThreadPoolExecutor(THREADS) as pool:
        codes = list(pool.map(lambda n: request_once(clients[n % THREADS], n), range(BURST)))
    return codes


def assert_counted_in_one_entry(rows, total=BURST):
    # One entry, or two when the burst happens to cross a minute boundary.
    assert 1 <= len(rows) <= 2 and sum(row.count for row in rows) == total
    assert len({row.detail for row in rows}) == 1


def test_a_burst_of_refused_pages_is_one_entry_with_a_count(app, admin, session):
    clients = [Client(app).login(*USER) for _ in range(THREADS)]
    codes = burst(lambda client, n: client.get(f"/distributions/{n}/edit").status_code, clients)
    assert codes == [403] * BURST
    rows = refusals(session)
    assert_counted_in_one_entry(rows)
    assert (rows[0].username, rows[0].object_type, rows[0].detail) == (
        "alice", "page", "GET /distributions/<instance_id>/edit")
    page = admin.get("/audit-log?action=access_denied").get_data(as_text=True)
    assert f">x {rows[0].count}</span>" in page


def test_a_burst_of_refused_api_calls_is_one_entry_with_a_count(app, session):
    clients = [ApiClient(app, basic(*USER)) for _ in range(THREADS)]
    codes = burst(lambda client, n: client.delete(f"/instances/node{n}").status_code, clients)
    assert codes == [403] * BURST
    rows = refusals(session)
    assert_counted_in_one_entry(rows)
    assert (rows[0].username, rows[0].object_type, rows[0].detail) == (
        "alice", "api", "DELETE /api/v2.0/p2p/preheat/instances/<name>")
    admin = ApiClient(app, basic(*ADMIN))
    listed = admin.get("/audit-logs?action=access_denied&outcome=failure").get_json()
    assert [entry["count"] for entry in listed] == [row.count for row in reversed(rows)]


def test_users_routes_and_minutes_are_counted_apart(app, user, session, monkeypatch):
    minutes = iter([datetime(2026, 12, 1, 10, 0, 59, tzinfo=timezone.utc)] * 3
                   + [datetime(2026, 12, 1, 10, 1, 0, tzinfo=timezone.utc)] * 2)
    monkeypatch.setattr(audit, "utcnow", lambda: next(minutes))
    user.get("/distributions")
    user.get("/distributions")
    user.get("/audit-log")
    user.get("/distributions")
    ApiClient(app, basic(*USER)).get("/instances")
    assert [(row.detail, row.object_type, row.count, row.occurred_at.minute)
            for row in refusals(session)] == [
        ("GET /distributions", "page", 2, 0), ("GET /audit-log", "page", 1, 0),
        ("GET /distributions", "page", 1, 1), (f"GET {API}/instances", "api", 1, 1)]


def test_wrong_basic_credentials_are_audited_naming_the_claimed_user(app, session):
    for password in ("guess-1", "guess-2", "guess-3"):
        assert ApiClient(app, basic(ADMIN[0], password)).get("/instances").status_code == 401
    [row] = refusals(session)
    assert (row.username, row.address, row.object_type, row.count) == (
        "admin", "127.0.0.1", "api", 3)
    assert row.detail == (f"GET {API}/instances: wrong username or password,"
                          " or a deactivated user")
    assert "guess" not in row.detail


def test_made_up_names_from_one_address_share_one_entry(app, session):
    for number in range(12):
        ApiClient(app, basic(f"nobody-{number}\x00", "x")).get("/instances")
    [row] = refusals(session)
    assert (row.username, row.count) == ("(several names)", 12)


def test_a_401_without_credentials_is_only_the_login_challenge(app, session):
    assert ApiClient(app).get("/instances").status_code == 401
    assert Client(app).get("/distributions").status_code == 302
    assert refusals(session) == []


def test_databases_without_upsert_count_repeats_too(app, session, monkeypatch):
    monkeypatch.setattr(audit, "UPSERTS", {})
    clients = [ApiClient(app, basic(*USER)) for _ in range(THREADS)]
    burst(lambda client, n: client.get("/instances").status_code, clients)
    for name in ("nobody", "somebody"):
        ApiClient(app, basic(name, "x")).get("/instances")
    rows = refusals(session)
    assert_counted_in_one_entry([row for row in rows if row.username == "alice"])
    assert [(row.username, row.count) for row in rows if row.username != "alice"] == [
        ("(several names)", 2)]


def test_entries_from_before_the_upgrade_count_once(app, session):
    migrate.downgrade(app, "0003")
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO preheat_audit_log (occurred_at, username, action, object_type, outcome)"
            " VALUES ('2026-11-30 10:00:00', 'admin', 'create', 'instance', 'success')")
    migrate.upgrade(app)
    [entry] = session.scalars(select(AuditEntry))
    assert (entry.count, entry.repeat_key) == (1, None)


def test_throttled_api_calls_are_audited_as_throttled(app, session):
    http = app.test_client()
    for _ in range(5):
        http.get(f"{API}/instances", headers=basic(ADMIN[0], "wrong"))
    for _ in range(3):
        assert http.get(f"{API}/instances", headers=basic(*ADMIN)).status_code == 429
    throttled = [row for row in refusals(session) if "too many failed logins" in row.detail]
    assert sum(row.count for row in throttled) == 3
