"""The Repositories tab against a real registry of 10,000 tags (part of make bench).

Two Debian docker-registry instances: one holding 50 repositories x 200 tags,
one 50 x 20. Each tag is its own manifest over blobs its repository already
has, so filling takes seconds. A project on each, then a logged-in sysadmin
asks for the repository list and for one repository's tags (15 a page) as
htmx does: the median latency of ROUNDS views with the list cache emptied
before each (every view reads the registry) and with it warm, and the
requests each view made to the registry. Those must be the same for both
registries: a view never pays for the tags outside its page.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from app import create_app, create_user, db, upgrade_database  # noqa: E402
from preheat.browsing import current_browser  # noqa: E402
from preheat.registry import RegistryClient  # noqa: E402
from preheat.registry.push import Pusher  # noqa: E402
from preheat.services import projects, registries  # noqa: E402
from preheat.transport import HttpClient, Target  # noqa: E402
from tests.databases import scratch_postgres  # noqa: E402
from tests.helpers import Client, release  # noqa: E402
from tests.registry.server import start_registry  # noqa: E402

REPOSITORIES = 50
ROUNDS = int(os.environ.get("REPOSITORIES_SPEED_ROUNDS", "15"))
PROJECT = "bench"
PASSWORD = "repositories-speed-password"
HTMX = {"HX-Request": "true"}


def fill(url: str, tags: int) -> float:
    """Push REPOSITORIES x `tags` images; return the seconds it took."""
    started = time.monotonic()
    pusher = Pusher(RegistryClient(HttpClient(timeout=10.0, deadline=30.0)),
                    Target(url, peer="registry"))
    names = [f"v{n}" for n in range(tags)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda n: pusher.images(f"{PROJECT}/app-{n:02d}", names, concurrency=8),
                      range(REPOSITORIES)))
    return time.monotonic() - started


def app_on(database_url: str, folder: str, registry_url: str):
    """The app on a fresh database with a sysadmin and the project on `registry_url`."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench",
                      "PREHEAT_ENCRYPTION_KEY": Fernet.generate_key().decode()},
                     instance_path=f"{folder}/instance")
    upgrade_database(app)
    with app.app_context():
        create_user("bench", PASSWORD, sysadmin=True)
        box = app.extensions["preheat"].secret_box
        registry = registries.create(db.session, box, {"name": "bench-registry",
                                                       "url": registry_url})
        projects.create(db.session, PROJECT, registry)
    return app


def measure(app, path: str, cold: bool) -> tuple[float, int]:
    """Median milliseconds of ROUNDS views of `path`, and the registry requests of one view."""
    client = Client(app).login("bench", PASSWORD)
    with app.app_context():
        browser = current_browser()
    client.get(path, htmx=True)  # a first view: token cache, pooled connections
    timings, requests_made = [], set()
    for _ in range(ROUNDS):
        if cold:
            browser.lists.clear()
        before = browser.client.requests_made
        started = time.perf_counter()
        answer = client.http.get(path, headers=HTMX)
        timings.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200 and "preheat-registry-problem" not in answer.text, \
            answer.text[:2000]
        requests_made.add(browser.client.requests_made - before)
    return statistics.median(timings), max(requests_made)


def run(tags: int, stack: ExitStack, folder: str) -> dict:
    running = start_registry(Path(folder) / f"registry-{tags}")
    stack.callback(running.stop)
    seconds = fill(running.url, tags)
    base = os.environ.get("BENCH_DATABASE_URL")
    url = stack.enter_context(scratch_postgres(base, f"preheat_repos_{tags}")) if base \
        else f"sqlite:///{folder}/repositories-{tags}.db"
    app = app_on(url, f"{folder}/{tags}", running.url)
    figures = {"tags": tags, "fill_s": seconds}
    for view, path in (("list", f"/projects/{PROJECT}"),
                       ("tags", f"/projects/{PROJECT}/repositories/app-07")):
        for cold in (True, False):
            figures[view, cold] = measure(app, path, cold)
    with app.app_context():
        current_browser().close()
    release(app)
    return figures


def report(results: list[dict]) -> None:
    print(f"\nRepositories tab, {REPOSITORIES} repositories, median of {ROUNDS} views"
          " (15 rows a page; cold = list cache emptied before each view):")
    for figures in results:
        total = REPOSITORIES * figures["tags"]
        print(f"  {REPOSITORIES} x {figures['tags']} tags ({total:,} tags, pushed in"
              f" {figures['fill_s']:.1f} s):")
        for view, label in (("list", "repository list"), ("tags", "one repository's tags")):
            (cold_ms, cold_n), (warm_ms, warm_n) = figures[view, True], figures[view, False]
            print(f"    {label:22} cold {cold_ms:7.1f} ms, {cold_n:3d} registry requests;"
                  f" warm {warm_ms:7.1f} ms, {warm_n:3d} requests")
    small, large = results
    same = all(small[view, cold][1] == large[view, cold][1]
               for view in ("list", "tags") for cold in (True, False))
    print("  Requests per view " + ("do not grow with the tags outside the page."
                                    if same else "GROW with the tags outside the page!"))
    if not same:
        sys.exit(1)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="repositories-speed-",
                                     ignore_cleanup_errors=True) as folder, ExitStack() as stack:
        report([run(tags, stack, folder) for tags in (20, 200)])


if __name__ == "__main__":
    main()
