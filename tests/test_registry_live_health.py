"""Live health of registries in their list: background checks, Check now, the badge poll."""
import re
import time

from preheat.models import Registry
from preheat.services import registries
from tests.registry.fixtures import PASSWORD, USER


def add(app, running, password=PASSWORD):
    with app.app_context():
        state = app.extensions["preheat"]
        return registries.create(state.db.session, state.secret_box, {
            "name": "hub", "url": running.url, "auth_mode": "BASIC",
            "auth_info": {"username": USER, "password": password}}).id


def settle(app):
    assert app.extensions["preheat"].registry_health.wait_idle(10), "checks did not finish"


def badge(html, registry_id):
    match = re.search(rf'<span id="preheat-status-registry-{registry_id}".*?</details>', html,
                      re.S)
    assert match, f"no badge for registry {registry_id}"
    return match.group(0)


def stored(session, registry_id) -> Registry:
    session.expire_all()
    return session.get(Registry, registry_id)


def test_the_list_checks_unchecked_registries_in_the_background(admin, app, session,
                                                                basic_registry):
    registry_id = add(app, basic_registry)
    html = admin.get("/registries", htmx=True).get_data(as_text=True)
    assert "preheat-spinner" in badge(html, registry_id)
    assert re.search(rf'id="preheat-health-poll"[^>]*hx-get="[^"]*/registries/statuses\?id='
                     rf'{registry_id}&', html)
    settle(app)
    assert stored(session, registry_id).health_status == "healthy"
    since = int(time.time() * 1000) - 60_000
    done = admin.get(f"/registries/statuses?id={registry_id}&since={since}&poll=0",
                     htmx=True).get_data(as_text=True)
    assert 'hx-swap-oob="outerHTML"' in done and "Healthy" in badge(done, registry_id)


def test_check_now_shows_a_rejected_password_never_the_password(admin, app, session,
                                                                basic_registry):
    registry_id = add(app, basic_registry, password="wrong-" + PASSWORD)
    started = admin.post(f"/registries/{registry_id}/check").get_data(as_text=True)
    assert f"/registries/{registry_id}/status?since=" in started
    settle(app)
    since = re.search(r"since=(\d+)", started).group(1)
    html = admin.get(f"/registries/{registry_id}/status?since={since}&poll=1",
                     htmx=True).get_data(as_text=True)
    assert "Unhealthy" in html and "rejected the user name or password" in html
    assert PASSWORD not in html


def test_refresh_checks_every_registry_on_the_page(admin, app, session, basic_registry):
    registry_id = add(app, basic_registry)
    admin.get("/registries", htmx=True)
    settle(app)
    checked = stored(session, registry_id).health_checked_at
    time.sleep(0.01)
    html = admin.post("/registries/refresh").get_data(as_text=True)
    assert "preheat-spinner" in badge(html, registry_id)
    settle(app)
    assert stored(session, registry_id).health_checked_at > checked
