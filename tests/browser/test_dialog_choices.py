"""Choices of the New instance dialog the seed's happy path never makes, in Chromium."""
from playwright.sync_api import expect

from preheat.services import instances
from tests.browser.test_distributions_flow import add_instance, dialog, open_new_instance, row
from tests.helpers import stored
from tests.providers import dragonfly as standin


def test_a_basic_instance_is_saved_with_its_credentials_encrypted(admin_page, app, dragonfly,
                                                                  session):
    page = admin_page
    add_instance(page, "df-basic", dragonfly.url, mode="BASIC", username="ops",
                 password="basic-pw-1")
    expect(row(page, "df-basic")).to_contain_text("Basic")
    instance = stored(session, "df-basic")
    assert instance.auth_mode == "BASIC"
    assert "basic-pw-1" not in (instance.auth_secret or "")
    with app.app_context():
        saved = instances.credentials(app.extensions["preheat"].secret_box, instance)
    assert (saved.username, saved.password) == ("ops", "basic-pw-1")
    # Dragonfly takes only tokens: the badge says why Basic cannot work.
    badge = row(page, "df-basic").locator(".preheat-status")
    expect(badge).to_contain_text("Unhealthy")


def test_an_instance_created_with_enable_unticked_is_deactivated_and_never_checked(
        admin_page, dragonfly, session):
    page = admin_page
    box = open_new_instance(page)
    box.get_by_label("Name", exact=True).fill("df-off")
    box.get_by_label("Endpoint").fill(dragonfly.url)
    box.get_by_label("Enable", exact=True).uncheck()
    box.get_by_role("button", name="OK").click()
    expect(dialog(page)).to_be_hidden()
    expect(row(page, "df-off")).to_contain_text("Deactivated")
    instance = stored(session, "df-off")
    assert instance.enabled is False
    assert instance.health_checked_at is None


def test_skip_certificate_verification_makes_a_self_signed_provider_healthy(
        admin_page, started, tmp_path, session):
    server = started(standin.serve, {"tls-token": "active"}, tls=tmp_path / "tls")
    assert server.url.startswith("https://")
    page = admin_page
    box = open_new_instance(page)
    box.get_by_label("Name", exact=True).fill("df-tls")
    box.get_by_label("Endpoint").fill(server.url)
    box.get_by_label("Auth Mode").select_option("OAUTH")
    box.get_by_label("Token", exact=True).fill("tls-token")
    box.get_by_role("button", name="Test connection").click()
    expect(box.get_by_role("status")).to_contain_text("certificate")
    box.get_by_label("Skip certificate verification").check()
    box.get_by_role("button", name="Test connection").click()
    expect(box.get_by_role("status")).to_contain_text("Connection OK")
    box.get_by_role("button", name="OK").click()
    expect(dialog(page)).to_be_hidden()
    expect(row(page, "df-tls").locator(".preheat-status")).to_contain_text("Healthy",
                                                                           timeout=15_000)
    assert stored(session, "df-tls").insecure is True
