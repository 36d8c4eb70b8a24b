"""The list page against the stack it runs on (part of make bench).

Two gunicorn servers with the same settings (2 gthread workers x 4 threads):
the standalone app, with 15 instances whose health is already stored (so no
check runs), and a bare Flask app whose one endpoint answers "ok". A logged-in
sysadmin asks for the Distributions table as htmx does when it reloads it; wrk
loads the two servers in turn, A B A B, and the figure is the ratio of their
median requests per second. A third server, the app whose Distributions view
answers "ok" (list_floor.py), takes its turn too (A B C A B C): what the same
request costs without the page's queries and rendering, the floor under the
figure. Runs on PostgreSQL when BENCH_DATABASE_URL is set (a fresh database is
created and dropped), else on SQLite.
"""
from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from sqlalchemy import update
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from app import create_app, create_user, db, upgrade_database  # noqa: E402
from preheat.models import Instance  # noqa: E402
from scripts.load import wait_until_serving  # noqa: E402
from tests.databases import scratch_postgres  # noqa: E402
from tests.helpers import add_instances  # noqa: E402
from tests.providers.faults import free_port  # noqa: E402

ROWS = 15
ROUNDS = int(os.environ.get("LIST_SPEED_ROUNDS", "4"))
DURATION = os.environ.get("LIST_SPEED_DURATION", "5s")
CONNECTIONS = 8  # one per gunicorn thread
GUNICORN = ["-w", "2", "-k", "gthread", "--threads", "4", "--log-level", "warning"]
PASSWORD = "list-speed-password"
# What htmx sends when the table reloads itself (hx-include of the filter and the paging).
TABLE_PATH = "/distributions?q=&page=1&sort=name&page_size=15"
HTMX_HEADERS = {"HX-Request": "true", "HX-Target": "preheat-instances",
                "HX-Trigger": "preheat-instances"}
# A browser sends the same one on every request; Flask-Login's session protection
# compares it with the login's, and a different one would rewrite the session cookie.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) list-speed"


def database(stack: ExitStack, folder: str) -> str:
    base = os.environ.get("BENCH_DATABASE_URL")
    if not base:
        return f"sqlite:///{folder}/list-speed.db"
    return stack.enter_context(scratch_postgres(base, "preheat_list_speed"))


def prepare(url: str, folder: str, env: dict) -> None:
    """A sysadmin and ROWS healthy instances whose last check is stored."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": env["SECRET_KEY"],
                      "PREHEAT_ENCRYPTION_KEY": env["PREHEAT_ENCRYPTION_KEY"]},
                     instance_path=f"{folder}/instance")
    upgrade_database(app)
    with app.app_context():
        create_user("bench", PASSWORD, sysadmin=True)
        db.session.commit()
    add_instances(app, *({"vendor": "dragonfly" if number % 2 else "kraken",
                          "name": f"cluster-{number:02d}",
                          "endpoint": f"http://10.0.{number}.1:8080",
                          "description": f"Preheat provider of region {number}"}
                         for number in range(ROWS)))
    with app.app_context():
        db.session.execute(update(Instance).values(
            health_status="healthy", health_reason="The provider answered.",
            health_http_status=200, health_latency_ms=12,
            health_checked_at=datetime.now(timezone.utc)))
        db.session.commit()
        db.engine.dispose()
    app.extensions["preheat"].health.shutdown()


def serve(stack: ExitStack, app_spec: str, env: dict, cwd: Path) -> str:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", *GUNICORN,
                               "-b", f"127.0.0.1:{port}", app_spec], env=env, cwd=cwd)
    stack.callback(server.wait, 10)
    stack.callback(server.terminate)
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(base, path="/" if app_spec.startswith("bare_app:") else "/login")
    return base


def log_in(base: str) -> str:
    """Log the sysadmin in; return the session cookie, checked on the table."""
    client = requests.Session()
    client.headers["User-Agent"] = USER_AGENT
    page = client.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(f"{base}/login", data={"username": "bench", "password": PASSWORD,
                                       "csrf_token": token}, allow_redirects=False)
    table = client.get(base + TABLE_PATH, headers=HTMX_HEADERS)
    table.raise_for_status()
    assert "Set-Cookie" not in table.headers, "the table rewrote the session cookie"
    rows = table.text.count('class="preheat-row"')
    assert rows == ROWS, f"the table shows {rows} rows"
    return client.cookies["session"]


def wrk(url: str, headers: dict) -> float:
    """Requests per second of one wrk run; every answer must be a 2xx."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [url], check=True, capture_output=True, text=True).stdout
    failures = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    assert not failures, f"{url}: {failures.group(1)} answers were not 2xx"
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def main() -> int:
    if not shutil.which("wrk"):
        print("list page speed skipped: wrk is not installed (apt-get install wrk)")
        return 0
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        url = database(stack, folder)
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "list-speed",
               "PREHEAT_ENCRYPTION_KEY": Fernet.generate_key().decode(),
               "PREHEAT_HEALTH_TTL": "86400"}
        prepare(url, folder, env)
        app_base = serve(stack, "app:create_app()", env, ROOT)
        bare_base = serve(stack, "bare_app:app", env, ROOT / "scripts")
        floor_base = serve(stack, "scripts.list_floor:app", env, ROOT)
        table_headers = {**HTMX_HEADERS, "HX-Current-URL": f"{app_base}/distributions",
                         "User-Agent": USER_AGENT,
                         "Cookie": f"session={log_in(app_base)}"}
        floor = requests.get(floor_base + TABLE_PATH, headers=table_headers, timeout=10)
        assert floor.text == "ok" and "Set-Cookie" not in floor.headers, "the floor's login failed"
        targets = [(app_base + TABLE_PATH, table_headers),
                   (bare_base + "/", {"User-Agent": USER_AGENT}),
                   (floor_base + TABLE_PATH, table_headers)]
        for target in targets:  # warm up: imports, templates, connection pools
            wrk(*target)
        rounds = [[], [], []]
        for _ in range(ROUNDS):
            for samples, target in zip(rounds, targets):
                samples.append(wrk(*target))
    return report(*rounds, make_url(url).get_backend_name())


def report(table: list[float], bare: list[float], floor: list[float], backend: str) -> int:
    medians = [statistics.median(samples) for samples in (table, bare, floor)]
    print(f"list page ({ROWS} rows, htmx partial, {backend}) vs bare Flask \"ok\", gunicorn"
          f" 2 workers x 4 threads, wrk {CONNECTIONS} connections, {ROUNDS} rounds of"
          f" {DURATION} each, A B C A B C:")
    for number, (a, b, c) in enumerate(zip(table, bare, floor), 1):
        print(f"  round {number}: list page {a:.0f} req/s, bare {b:.0f} req/s,"
              f" view answering \"ok\" {c:.0f} req/s")
    print(f"list page / bare endpoint: {medians[0] / medians[1]:.2f} x (medians"
          f" {medians[0]:.0f} / {medians[1]:.0f} req/s)")
    print(f"floor, the same request with the view answering \"ok\" / bare endpoint:"
          f" {medians[2] / medians[1]:.2f} x (median {medians[2]:.0f} req/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
