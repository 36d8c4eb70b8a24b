"""Where a list page's time goes, in process, without a server (part of make bench).

Calls the app's WSGI entry directly, as gunicorn would, with the request that
list_speed.py loads: the Distributions table as htmx asks for it, 15 rows, a
logged-in sysadmin. Prints the median microseconds per request of the whole
page, of the page without rendering (the view answers once it has its rows),
of the page without its queries either (what logging in, the session and the
hooks cost) and of the bare "ok" app; with --profile, cProfile's top calls.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet
from flask import make_response
from werkzeug.test import EnvironBuilder, run_wsgi_app

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from app import create_app  # noqa: E402
from bare_app import app as bare_app  # noqa: E402
from list_speed import HTMX_HEADERS, PASSWORD, ROWS, TABLE_PATH, USER_AGENT, prepare  # noqa: E402
from preheat.services.pages import Page  # noqa: E402
from preheat.views import distributions, listing  # noqa: E402
from tests.helpers import token_in  # noqa: E402

ROUNDS = 5
CALLS = 400
VIEW_PARTS = (distributions._table, listing.current_page)


def logged_in_environ(app) -> dict:
    """The WSGI environ of the table request, with the session cookie of a fresh login."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    token = token_in(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token})
    path, _, query = TABLE_PATH.partition("?")
    headers = {**HTMX_HEADERS, "User-Agent": USER_AGENT,
               "Cookie": f"session={client.get_cookie('session').value}"}
    return EnvironBuilder(path=path, query_string=query, headers=headers,
                          environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_environ()


def call(app, environ: dict) -> bytes:
    body, status, _ = run_wsgi_app(app, dict(environ), buffered=True)
    assert status.startswith("200"), status
    return b"".join(body)


def microseconds(app, environ: dict) -> float:
    start = time.perf_counter()
    for _ in range(CALLS):
        call(app, environ)
    return (time.perf_counter() - start) / CALLS * 1e6


def variants():
    """(name, patch): each patch leaves out a part of the view, and undoes itself."""
    table, current_page = VIEW_PARTS

    def whole():
        distributions._table, listing.current_page = table, current_page

    def no_rendering():
        whole()
        distributions._table = lambda page, submitted, now: make_response("ok")

    def no_queries():
        no_rendering()
        listing.current_page = lambda table: Page([], 0, 1, ROWS)
    return [("list page", whole), ("  without rendering", no_rendering),
            ("  without its queries either", no_queries)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", type=int, metavar="N", help="print cProfile's top N calls")
    top = parser.parse_args().profile
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/list-profile.db"
        config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "list-profile",
                  "PREHEAT_ENCRYPTION_KEY": Fernet.generate_key().decode(),
                  "PREHEAT_HEALTH_TTL": 86400}
        prepare(url, folder, config)
        app = create_app(config, instance_path=f"{folder}/instance")
        environ = logged_in_environ(app)
        assert call(app, environ).count(b'class="preheat-row"') == ROWS
        bare = EnvironBuilder(path="/", headers={"User-Agent": USER_AGENT}).get_environ()
        report(app, environ, bare)
        if top:
            profile(app, environ, top)
        app.extensions["preheat"].health.shutdown()
    return 0


def report(app, environ: dict, bare: dict) -> None:
    samples = {name: [] for name, _ in variants()} | {"bare Flask \"ok\"": []}
    for _ in range(ROUNDS):  # A B C D A B C D: a slow moment of the machine hits them all
        for name, patch in variants():
            patch()
            samples[name].append(microseconds(app, environ))
        samples["bare Flask \"ok\""].append(microseconds(bare_app, bare))
    variants()[0][1]()
    print(f"list page in process ({ROWS} rows, htmx partial, sqlite), median of {ROUNDS}"
          f" rounds of {CALLS} calls:")
    for name, values in samples.items():
        print(f"  {name:30s} {statistics.median(values):7.0f} us per request")


def profile(app, environ: dict, top: int) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [call(app, environ) for _ in range(CALLS)])
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


if __name__ == "__main__":
    sys.exit(main())
