"""Every change and attempt on instances is recorded: who, when, from where, outcome."""
import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from preheat.models import AuditEntry, Policy, utcnow
from tests.helpers import project_id

FORM = {"vendor": "dragonfly", "name": "df", "endpoint": "http://127.0.0.1:9",
        "auth_mode": "OAUTH", "token": "audit-canary-token", "enabled": "y"}


def entries(session):
    session.expire_all()
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_changes_are_recorded_with_who_where_and_what(admin, session):
    admin.post("/distributions/new", FORM)
    admin.post("/distributions/1/edit", {**FORM, "name": "df-renamed", "token": "new-canary",
                                         "description": "moved"})
    admin.post("/distributions/actions/deactivate", {"instance": "1"})
    admin.post("/distributions/actions/enable", {"instance": "1"})
    admin.post("/distributions/1/test-connection", {**FORM, "token": ""})
    admin.post("/distributions/actions/delete", {"instance": "1"})
    log = entries(session)
    assert [(e.action, e.outcome) for e in log] == [
        ("create", "success"), ("update", "success"), ("deactivate", "success"),
        ("enable", "success"), ("test_connection", "failure"), ("delete", "success")]
    assert {e.username for e in log} == {"admin"}
    assert {e.address for e in log} == {"127.0.0.1"}
    assert log[1].object_name == "df-renamed"
    assert 'name: "df" -> "df-renamed"' in log[1].detail
    assert 'description: (empty) -> "moved"' in log[1].detail
    assert "credentials changed" in log[1].detail
    assert "Connection refused" in log[4].detail
    for entry in log:
        assert "canary" not in (entry.detail or "")


def test_failed_attempts_are_recorded(admin, user, session):
    admin.post("/distributions/new", {**FORM, "name": "-bad-"})
    admin.post("/distributions/new", FORM)
    admin.post("/distributions/new", {**FORM, "name": "DF", "endpoint": "http://other"})
    session.add(Policy(project_id=project_id(session), name="nightly", instance_id=1))
    session.commit()
    admin.post("/distributions/actions/delete", {"instance": "1"})
    user.post("/distributions/actions/delete", {"instance": "1"})
    failures = [e for e in entries(session) if e.outcome == "failure"
                and e.detail != "GET /distributions"]
    assert [(e.action, e.username) for e in failures] == [
        ("create", "admin"), ("delete", "admin"), ("access_denied", "alice")]
    assert "already exists" in failures[0].detail
    assert "used by preheat policy nightly" in failures[1].detail
    assert failures[2].detail == "POST /distributions/actions/<action>"


def test_audit_log_page_filters_and_pages(admin):
    for number in range(30):
        admin.post("/distributions/new", {**FORM, "name": f"node{number}",
                                          "endpoint": f"http://node{number}"})
    page = admin.get("/audit-log").get_data(as_text=True)
    assert "1 - 25 of 30 entries" in page and ">Audit log</a>" in page
    filtered = admin.get("/audit-log?instance=NODE29&action=create", htmx=True)
    body = filtered.get_data(as_text=True)
    assert body.count('class="preheat-row"') == 1 and "node29" in body
    assert admin.get("/audit-log?user=nobody", htmx=True).get_data(as_text=True).count(
        "No audit entries match") == 1
    assert admin.get("/audit-log?action=<script>&page=-3").status_code == 200
    second = admin.get("/audit-log?action=create&page=2", htmx=True).get_data(as_text=True)
    assert "26 - 30 of 30 entries" in second
    previous = re.search(r'aria-label="Previous page"\s+hx-get="([^"]+)"', second).group(1)
    assert "page=1" in previous and "action=create" in previous
    assert re.search(r'aria-label="Next page" disabled\s+hx-get="[^"]*page=3', second)


def test_old_entries_are_pruned_by_age(app, admin, session):
    admin.post("/distributions/new", FORM)
    session.execute(update(AuditEntry).values(occurred_at=utcnow() - timedelta(days=400)))
    session.commit()
    admin.post("/distributions/actions/deactivate", {"instance": "1"})
    result = app.test_cli_runner().invoke(args=["preheat", "prune-audit"])
    assert "Deleted 1 audit entries older than 365 days." in result.output
    assert [e.action for e in entries(session)] == ["deactivate"]


def test_times_show_seconds_and_the_full_timestamp_on_hover(admin, session):
    admin.post("/distributions/new", FORM)
    at = datetime(2026, 12, 1, 10, 16, 59, 123456, tzinfo=timezone.utc)
    session.execute(update(AuditEntry).values(occurred_at=at))
    session.commit()
    page = admin.get("/audit-log").get_data(as_text=True)
    assert ('<time datetime="2026-12-01T10:16:59Z" title="2026-12-01T10:16:59Z">'
            '2026-12-01 10:16:59 UTC</time>') in page


def test_changed_values_read_as_a_person_writes_them(admin, session):
    plain = {**FORM, "auth_mode": "NONE", "token": ""}
    admin.post("/distributions/new", {**plain, "description": "first"})
    admin.post("/distributions/1/edit", {**plain, "description": "", "insecure": "y",
                                         "enabled": ""})
    detail = entries(session)[-1].detail
    assert detail == ('description: "first" -> (empty); enabled: yes -> no; insecure: no -> yes'
                      '; certificate verification skipped')
    page = admin.get("/audit-log").get_data(as_text=True)
    assert "enabled: yes -&gt; no" in page
    for python in ("None", "True", "False", "'"):
        assert python not in detail


def test_typos_in_the_dialog_are_not_logged_but_conflicts_are(admin, session):
    for name in ("-bad-", "b@d", "", "x" * 200):
        assert admin.post("/distributions/new", {**FORM, "name": name}).status_code == 422
    admin.post("/distributions/new", FORM)
    assert admin.post("/distributions/1/edit", {**FORM, "endpoint": "ftp://x"}).status_code == 422
    assert [(e.action, e.outcome) for e in entries(session)] == [("create", "success")]
    assert admin.post("/distributions/new", {**FORM, "name": "DF",
                                             "endpoint": "http://other"}).status_code == 422
    refused = entries(session)[-1]
    assert (refused.action, refused.outcome, refused.object_name) == ("create", "failure", "DF")
    assert refused.detail == "name: An instance named DF already exists."


def test_audit_log_page_filters_by_outcome(admin, user):
    admin.post("/distributions/new", FORM)
    user.get("/distributions")
    page = admin.get("/audit-log").get_data(as_text=True)
    assert '<select class="preheat-input preheat-filter-input" name="outcome"' in page
    failures = admin.get("/audit-log?outcome=failure", htmx=True).get_data(as_text=True)
    assert failures.count('class="preheat-row"') == 1 and "access denied" in failures
    successes = admin.get("/audit-log?outcome=success", htmx=True).get_data(as_text=True)
    assert successes.count('class="preheat-row"') >= 1 and "access denied" not in successes
    everything = admin.get("/audit-log?outcome=maybe", htmx=True).get_data(as_text=True)
    assert "access denied" in everything and ">create<" in everything
    full = admin.get("/audit-log?outcome=failure").get_data(as_text=True)
    assert '<option value="failure" selected>' in full
