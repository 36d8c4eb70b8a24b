"""Load test: 60 s of mixed traffic at 64 connections against gunicorn (part of make bench).

Lists, filters, creates, edits and deletes instances (pages and API, as a
logged-in sysadmin) with wrk, then reports requests/s, p99 latency and every
status code. Runs on PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL
is set (a fresh database is created and dropped), else on SQLite.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.databases import scratch_postgres  # noqa: E402
from tests.providers.faults import free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DURATION = os.environ.get("LOAD_DURATION", "60s")
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "64"))
WORKERS = os.environ.get("LOAD_WORKERS", "4")


def database(stack: ExitStack, folder: str) -> str:
    """The database the load runs against: a scratch PostgreSQL one, or SQLite."""
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{folder}/load.db"
    return stack.enter_context(scratch_postgres(base, "preheat_load"))


def prepare(env: dict) -> None:
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run(flask + ["upgrade-db"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run(flask + ["ensure-admin"], env=env, cwd=ROOT, check=True, capture_output=True)


def log_in(base: str) -> tuple[str, str]:
    """Log in as admin; return the session cookie and the CSRF token."""
    client = requests.Session()
    page = client.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(f"{base}/login", data={"username": "admin", "password": "load-password",
                                       "csrf_token": token}, allow_redirects=False)
    page = client.get(f"{base}/distributions").text
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    for number in range(30):
        client.post(f"{base}/api/v2.0/p2p/preheat/instances", headers={"X-CSRFToken": csrf},
                    json={"name": f"seed-{number}", "vendor": "kraken", "enabled": False,
                          "endpoint": f"http://127.0.0.1:9/seed{number}"}).raise_for_status()
    return client.cookies["session"], csrf


def wait_until_serving(base: str, seconds: float = 60, path: str = "/login") -> None:
    until = time.monotonic() + seconds
    while True:
        try:
            requests.get(f"{base}{path}", timeout=5).raise_for_status()
            return
        except requests.RequestException:
            if time.monotonic() > until:
                raise
            time.sleep(0.2)


def run_wrk(base: str, cookie: str, csrf: str) -> str:
    command = ["wrk", "-t4", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", "--timeout", "10s",
               "-s", str(ROOT / "scripts" / "mixed.lua"), "-H", f"Cookie: session={cookie}",
               "-H", f"X-CSRFToken: {csrf}", base]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def main() -> int:
    if not shutil.which("wrk"):
        print("load test skipped: wrk is not installed (apt-get install wrk)")
        return 0
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        url = database(stack, folder)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "load", "PREHEAT_ADMIN_PASSWORD":
               "load-password", "PREHEAT_ENCRYPTION_KEY": Fernet.generate_key().decode()}
        prepare(env)
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", WORKERS, "-k", "gthread", "--threads",
             "8", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "app:create_app()"],
            env=env, cwd=ROOT)
        stack.callback(server.wait, 10)
        stack.callback(server.terminate)
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base)
        output = run_wrk(base, *log_in(base))
    return report(output, url)


def report(output: str, url: str) -> int:
    statuses = dict(map(int, pair.split("=")) for pair in
                    re.search(r"^STATUS(.*)$", output, re.M).group(1).split())
    rps = float(re.search(r"^RPS ([\d.]+)", output, re.M).group(1))
    p99 = float(re.search(r"^P99_MS ([\d.]+)", output, re.M).group(1))
    socket_errors = int(re.search(r"^SOCKET_ERRORS (\d+)", output, re.M).group(1))
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    errors = sum(count for status, count in statuses.items() if not 200 <= status < 300)
    for failure in re.findall(r"^FAILURE (.*)$", output, re.M):
        print(f"  not a 2xx: {failure}")
    backend = make_url(url).get_backend_name()
    print(f"load ({backend}, {WORKERS} gunicorn workers, {CONNECTIONS} connections, {DURATION}):"
          f" {rps:.0f} requests/s, p99 {p99:.0f} ms, statuses {dict(sorted(statuses.items()))},"
          f" errors (non-2xx) {errors}, 5xx {server_errors}, socket errors {socket_errors}")
    return 1 if errors or socket_errors else 0


if __name__ == "__main__":
    sys.exit(main())
