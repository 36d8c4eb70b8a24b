"""schemathesis against the running app and the document it serves.

Every check schemathesis has, over a thousand requests and more: no 5xx, and
every answer (status, headers, body) as the document says.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from flask import got_request_exception

from tests.accounts import ADMIN

CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = 50
MIN_REQUESTS = 1000
SEED = 20261129
RUN_TIMEOUT = 900


class Recorder:
    """WSGI middleware that counts requests, remembers every 5xx and the slowest answer."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.lock = threading.Lock()
        self.requests = 0
        self.server_errors: list[str] = []
        self.slowest = (0.0, "")

    def __call__(self, environ, start_response):
        line = f"{environ['REQUEST_METHOD']} {environ.get('PATH_INFO')}"

        def recording_start_response(status, headers, exc_info=None):
            if status.startswith("5") and not _registry_unreachable(status, line):
                with self.lock:
                    self.server_errors.append(f"{status} {line}")
            return start_response(status, headers, exc_info)

        with self.lock:
            self.requests += 1
        started = time.monotonic()
        try:
            return self.wsgi_app(environ, recording_start_response)
        finally:
            took = time.monotonic() - started
            with self.lock:
                self.slowest = max(self.slowest, (took, line))


def _registry_unreachable(status: str, line: str) -> bool:
    """A 502 or 504 from reading a project's registry: the run's registries are made up."""
    return status[:3] in ("502", "504") and "/repositories" in line and "/projects/" in line


@pytest.fixture
def app_config(app_config):
    # Generated endpoints lead nowhere; do not let each ping wait long for them.
    # Its negative auth cases send wrong passwords by the hundred: the login
    # throttle (tested on its own) would otherwise lock the run's own sysadmin out.
    # What the endpoint denylist refuses depends on what a host name resolves to
    # (tests/test_denylist.py covers it); without it every schema-valid endpoint saves.
    return {**app_config, "PREHEAT_HTTP_TIMEOUT": 0.3, "LOGIN_THROTTLE_PER_USER": 10**6,
            "LOGIN_THROTTLE_PER_ADDRESS": 10**6, "PREHEAT_ENDPOINT_DENYLIST": []}


@pytest.fixture
def live_api(app, live_server):
    """The app on a live server, recorded; yields (base URL, recorder, exceptions)."""
    # Flask looks up app.wsgi_app for every request, so the running server sees the recorder.
    recorder = Recorder(app.wsgi_app)
    app.wsgi_app = recorder
    exceptions = []

    def remember(_sender, exception, **_extra):
        exceptions.append(repr(exception))

    got_request_exception.connect(remember, app)
    yield live_server, recorder, exceptions
    got_request_exception.disconnect(remember, app)


def schemathesis_command() -> str:
    beside_python = Path(sys.executable).with_name("schemathesis")
    found = str(beside_python) if beside_python.exists() else shutil.which("schemathesis")
    if found is None:
        pytest.fail("schemathesis is not installed: pip install -r requirements-dev.txt")
    return found


# Its 38 operations take schemathesis two to four minutes, longer on a
# loaded machine than the suite's 300 s per test; the run's own bound is RUN_TIMEOUT.
@pytest.mark.timeout(RUN_TIMEOUT + 60)
def test_schemathesis_finds_nothing(live_api, tmp_path):
    base, recorder, exceptions = live_api
    command = [schemathesis_command(), "--config-file", str(CONFIG), "run",
               f"{base}/api/v2.0/openapi.json", "--checks", "all",
               "--auth", ":".join(ADMIN), "--max-examples", str(MAX_EXAMPLES),
               "--seed", str(SEED), "--workers", "1", "--no-color"]
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True,
                         timeout=RUN_TIMEOUT)
    slowest = "slowest answer: {:.2f} s to {}".format(*recorder.slowest)
    output = f"{run.stdout}{run.stderr}\n{slowest}"
    assert run.returncode == 0, output[-20000:]
    assert "passed" in output and "failed" not in output.split("SUMMARY")[-1], output[-5000:]
    assert recorder.server_errors == [] and exceptions == []
    assert recorder.requests >= MIN_REQUESTS, (recorder.requests, output[-3000:])
    print(f"\nschemathesis: {recorder.requests} requests, no failures; {slowest}")
