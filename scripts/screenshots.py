"""Take the README screenshots from the running app, with local provider stand-ins and
Debian's docker-registry.

    .venv/bin/python scripts/screenshots.py      # writes docs/screenshots/*.png
"""
from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

from cryptography.fernet import Fernet
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app, create_user, db, upgrade_database  # noqa: E402
from tests.accounts import ADMIN  # noqa: E402
from tests.browser_fixtures import CHROMIUM, CHROMIUM_ARGS, log_in  # noqa: E402
from tests.providers import dragonfly, kraken  # noqa: E402
from tests.registry.fixtures import pusher_for  # noqa: E402
from tests.registry.server import start_registry  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def serve_app(folder: str) -> str:
    app = create_app({"SECRET_KEY": "screenshots", "PREHEAT_ENCRYPTION_KEY":
                      Fernet.generate_key().decode(),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/shots.db"},
                     instance_path=folder)
    upgrade_database(app)
    with app.app_context():
        create_user(*ADMIN, sysadmin=True)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def add(page, name, endpoint, provider="dragonfly", mode="NONE", token=None, description=""):
    page.get_by_role("button", name="New instance").click()
    box = page.locator("#preheat-dialog")
    box.get_by_label("Provider").select_option(provider)
    box.get_by_label("Name", exact=True).fill(name)
    box.get_by_label("Description").fill(description)
    box.get_by_label("Endpoint").fill(endpoint)
    box.get_by_label("Auth Mode").select_option(mode)
    if token:
        box.get_by_label("Token").fill(token)
    box.get_by_role("button", name="OK").click()
    expect(box).to_be_hidden()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    manager = dragonfly.serve(tokens={"pat-ops": "active"})
    origin = kraken.serve()
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        base = serve_app(folder)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800}, base_url=base)
        log_in(page, *ADMIN)
        add(page, "dragonfly-eu", manager.url, mode="OAUTH", token="pat-ops",
            description="Dragonfly manager, EU cluster")
        add(page, "kraken-origin", origin.url, provider="kraken",
            description="Kraken proxy preheat server")
        add(page, "dragonfly-us", "http://127.0.0.1:9", description="Dragonfly manager, US")
        page.locator("#preheat-instances tr", has=page.get_by_text("dragonfly-us")) \
            .get_by_text("Unhealthy").wait_for()
        page.get_by_text("Healthy", exact=True).first.wait_for()
        page.wait_for_timeout(1500)
        # The success messages of the three saves go after a few seconds.
        expect(page.locator("#preheat-toasts")).to_be_empty(timeout=15_000)
        # Open the unhealthy row's status: the reason is what Harbor never says.
        page.locator("#preheat-instances tr", has=page.get_by_text("dragonfly-us")) \
            .get_by_text("Unhealthy").click()
        page.screenshot(path=str(OUT / "distributions.png"))

        page.get_by_role("button", name="New instance").click()
        box = page.locator("#preheat-dialog")
        box.get_by_label("Name", exact=True).fill("dragonfly-ap")
        box.get_by_label("Endpoint").fill(manager.url)
        box.get_by_label("Auth Mode").select_option("OAUTH")
        box.get_by_label("Token").fill("pat-ops")
        box.get_by_role("button", name="Test connection").click()
        expect(box.get_by_role("status")).to_contain_text("Connection OK")
        page.screenshot(path=str(OUT / "new-instance-dialog.png"))
        page.goto("/registries")
        with tempfile.TemporaryDirectory() as storage:
            registry_shots(page, start_registry(Path(storage)))
        browser.close()
    manager.stop()
    origin.stop()
    print(f"Screenshots written to {OUT}")


def add_registry(page, name, url, public_url="", description="", test=False):
    page.get_by_role("button", name="New registry").click()
    box = page.locator("#preheat-dialog")
    box.get_by_label("Name", exact=True).fill(name)
    box.get_by_label("Description").fill(description)
    box.get_by_label("URL", exact=True).fill(url)
    box.get_by_label("URL as providers reach it").fill(public_url)
    if public_url.startswith("http://127."):
        expect(box.get_by_role("note")).to_contain_text("loopback address")
    if test:
        box.get_by_role("button", name="Test connection").click()
        expect(box.get_by_role("status")).to_contain_text("Connection")
    return box


def registry_shots(page, running) -> None:
    """The Registries page, the registry dialog after Test connection, the New project dialog."""
    pusher = pusher_for(running)
    for repository in ("library/nginx", "alpine", "team/api", "team/web", "team/db", "ml/train"):
        pusher.image(repository, "1.0")
    box = add_registry(page, "hub-mirror", running.url, "http://127.0.0.1:5000",
                       "Registry on this machine", test=True)
    page.screenshot(path=str(OUT / "registry-dialog.png"))
    box.get_by_role("button", name="OK").click()
    expect(box).to_be_hidden()
    add_registry(page, "team-eu", "http://127.0.0.1:9", "https://team-eu.example",
                 "Team registry, EU", test=True).get_by_role("button", name="OK").click()
    expect(box).to_be_hidden()
    expect(page.locator("#preheat-toasts")).to_be_empty(timeout=15_000)
    page.locator("#preheat-registries tr", has=page.get_by_text("team-eu")) \
        .get_by_text("Unhealthy").click()
    page.screenshot(path=str(OUT / "registries.png"))
    page.goto("/projects")
    page.get_by_role("button", name="New project").click()
    page.locator("#preheat-dialog").get_by_label("Registry").select_option(label="hub-mirror")
    page.locator("#preheat-dialog").get_by_role("button", name="team 3 repositories").click()
    page.screenshot(path=str(OUT / "new-project-dialog.png"))
    running.stop()


if __name__ == "__main__":
    main()
