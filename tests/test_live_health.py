"""Live health in the list: stored results at once, background re-checks, claims, badges."""
import re
import time
from datetime import datetime, timedelta, timezone

import pytest

from app import create_app
from preheat.models import Instance
from preheat.providers import CheckResult
from preheat.health import claims
from tests import helpers
from tests.helpers import failing_health_writes, release, stored
from tests.providers.server import QuietHandler, serve

FORM = {"name": "df", "auth_mode": "OAUTH", "token": "good-token"}


def create(admin, endpoint, **fields):
    helpers.create(admin, **{**FORM, "endpoint": endpoint, **fields})


def settle(app):
    assert app.extensions["preheat"].health.wait_idle(10), "checks did not finish"


def set_health(session, name, status, reason, age_s):
    instance = stored(session, name)
    instance.health_status, instance.health_reason = status, reason
    instance.health_checked_at = datetime.now(timezone.utc) - timedelta(seconds=age_s)
    session.commit()


def badge(html, instance_id=1):
    match = re.search(rf'<span id="preheat-status-{instance_id}".*?</span>\s*</span>|'
                      rf'<span id="preheat-status-{instance_id}".*?</details>', html, re.S)
    assert match, f"no badge for instance {instance_id}"
    return match.group(0)


def test_list_shows_stored_health_and_rechecks_stale_rows_in_the_background(
        admin, app, session, dragonfly):
    create(admin, dragonfly.url)
    settle(app)
    set_health(session, "df", "unhealthy", "Stored reason from earlier.", age_s=600)
    dragonfly.requests.clear()
    html = admin.get("/distributions", htmx=True).get_data(as_text=True)
    row = badge(html)
    assert "Unhealthy" in row and "Stored reason from earlier." in row
    assert "preheat-spinner" in row and "checked 10 min ago" in row
    assert re.search(r'id="preheat-health-poll"[^>]*hx-get="[^"]*statuses\?id=1&', html)
    settle(app)
    assert dragonfly.paths() == ["/healthy", "/oapi/v1/jobs?page=1&per_page=1"]
    assert stored(session, "df").health_status == "healthy"


def test_fresh_results_are_not_checked_again(admin, app, session, dragonfly):
    create(admin, dragonfly.url)
    settle(app)
    set_health(session, "df", "healthy", "Fine.", age_s=5)
    dragonfly.requests.clear()
    html = admin.get("/distributions", htmx=True).get_data(as_text=True)
    settle(app)
    assert dragonfly.requests == []
    assert "preheat-spinner" not in badge(html)
    assert 'id="preheat-health-poll" hidden>' in html


def test_deactivated_instances_say_so_and_are_never_probed(admin, app, dragonfly):
    create(admin, dragonfly.url, enabled="")
    for url in ("/distributions", "/distributions/refresh"):
        response = admin.post(url) if url.endswith("refresh") else admin.get(url, htmx=True)
        assert "Deactivated" in badge(response.get_data(as_text=True))
    assert admin.post("/distributions/1/check").status_code == 200
    settle(app)
    assert dragonfly.requests == []


def test_poll_swaps_in_badges_whose_results_arrived(admin, app, dragonfly):
    create(admin, dragonfly.url)
    admin.get("/distributions", htmx=True)
    settle(app)
    since = int(time.time() * 1000)
    waiting = admin.get(f"/distributions/statuses?id=1&since={since + 60_000}&poll=0",
                        htmx=True).get_data(as_text=True)
    assert "statuses?id=1&amp;since=" in waiting and "hx-swap-oob" not in waiting
    done = admin.get(f"/distributions/statuses?id=1&since={since - 60_000}&poll=0",
                     htmx=True).get_data(as_text=True)
    assert 'id="preheat-health-poll" hidden>' in done
    assert 'hx-swap-oob="outerHTML"' in done and "Healthy" in badge(done)
    assert "accepted the personal access token" in badge(done)


def test_revoked_token_reads_unhealthy_with_the_reason(admin, app, dragonfly):
    create(admin, dragonfly.url)
    settle(app)
    del dragonfly.state["tokens"]["good-token"]
    started = admin.post("/distributions/1/check").get_data(as_text=True)
    assert "preheat-spinner" in started and "/distributions/1/status?since=" in started
    settle(app)
    since = re.search(r"since=(\d+)", started).group(1)
    html = admin.get(f"/distributions/1/status?since={since}&poll=1",
                     htmx=True).get_data(as_text=True)
    assert "Unhealthy" in html and "Token rejected" in html and "HTTP 401" in html
    assert "preheat-spinner" not in html and "hx-get" not in html.split("<details")[0]


def test_refresh_checks_every_enabled_row_on_the_page(admin, app, dragonfly, kraken):
    create(admin, dragonfly.url)
    create(admin, kraken.url, name="kr", vendor="kraken", auth_mode="NONE")
    settle(app)
    dragonfly.requests.clear()
    kraken.requests.clear()
    html = admin.post("/distributions/refresh").get_data(as_text=True)
    assert "statuses?id=1&amp;id=2&amp;since=" in html
    settle(app)
    assert dragonfly.paths()[0] == "/healthy" and kraken.paths() == ["/health"]


class SlowHealthy(QuietHandler):
    def do_GET(self):
        time.sleep(0.5)
        self.send_json(200, "OK")


def test_two_processes_never_check_the_same_instance_twice(admin, app, app_config, started,
                                                           tmp_path):
    """Each app here stands for a gunicorn worker process with its own pool."""
    server = started(serve, SlowHealthy)
    other = create_app(app_config, instance_path=str(tmp_path / "other"))
    try:
        create(admin, server.url, auth_mode="NONE")
        settle(app)
        server.requests.clear()
        now = datetime.now(timezone.utc)
        app.extensions["preheat"].health.submit([1], requested_at=now)
        other.extensions["preheat"].health.submit([1], requested_at=now)
        settle(app)
        settle(other)
    finally:
        release(other)
    assert server.paths() == ["/healthy"]


def test_a_result_for_an_instance_edited_meanwhile_is_dropped(admin, app, session):
    create(admin, "http://127.0.0.1:9", auth_mode="NONE")
    settle(app)
    before = stored(session, "df")
    snapshot = claims.snapshot(before)
    won, _ = claims.claim_many(session, [1], datetime.now(timezone.utc), lease=60)
    assert won == [1]
    before.endpoint = "http://127.0.0.1:10"
    session.commit()
    assert not claims.record(session, 1, CheckResult(True, "stale"), snapshot)
    after = stored(session, "df")
    assert after.health_reason != "stale" and after.health_claimed_until is None


def test_provider_hints_name_supported_modes_and_odd_ports(admin):
    html = admin.get("/distributions/provider-hints?vendor=dragonfly&auth_mode=BASIC"
                     "&endpoint=http://df.example:8002", htmx=True).get_data(as_text=True)
    assert "Dragonfly supports Auth Mode OAuth." in html
    assert "accepts only personal access tokens" in html
    assert "usually listens on 8080" in html
    kraken = admin.get("/distributions/provider-hints?vendor=kraken&auth_mode=OAUTH",
                       htmx=True).get_data(as_text=True)
    assert "Kraken supports Auth Mode NONE." in kraken
    assert "Kraken ignores credentials: OAuth credentials are never used." in kraken


def test_dialogs_carry_the_hints_and_edit_names_its_fixed_provider(admin, dragonfly):
    new = admin.get("/distributions/new", htmx=True).get_data(as_text=True)
    assert 'id="preheat-provider-hints"' in new and "Dragonfly supports Auth Mode OAuth" in new
    create(admin, dragonfly.url)
    edit = admin.get("/distributions/1/edit", htmx=True).get_data(as_text=True)
    assert "hx-vals='{\"vendor\": \"dragonfly\"}'" in edit


@pytest.mark.parametrize("url", ["/distributions", "/distributions/new",
                                 "/distributions/1/edit", "/distributions/1/check"])
def test_pages_stay_within_a_strict_content_security_policy(admin, dragonfly, url):
    create(admin, dragonfly.url)
    response = admin.post(url) if url.endswith("check") else admin.get(url)
    html = response.get_data(as_text=True)
    assert not re.search(r"\sstyle=", html), "inline style attribute"
    assert not re.search(r"\shx-on", html), "hx-on attribute"
    assert not re.search(r"<script(?![^>]*\ssrc=)", html), "inline script"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_a_failing_database_write_is_logged_without_credentials(admin, app, session, caplog,
                                                                 dragonfly):
    create(admin, dragonfly.url, token="good-token")
    ciphertext = stored(session, "df").auth_secret
    session.execute(Instance.__table__.update().values(health_claimed_until=None))
    session.commit()
    with failing_health_writes(app):
        app.extensions["preheat"].health.submit([1])
        settle(app)
    assert "checking the health of instance 1 failed" in caplog.text
    assert ciphertext not in caplog.text and "good-token" not in caplog.text
