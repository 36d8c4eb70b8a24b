"""The standalone app as real gunicorn processes on the test's database, killed at will.

`AppProcess` runs `app:create_app()` in a process group of its own (the
gunicorn master and its worker), configured through the environment as in
production; `kill()` sends SIGKILL to the whole group, as a crash or the OOM
killer would. `Api` talks to it over HTTP as a sysadmin.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.accounts import ADMIN

ROOT = Path(__file__).resolve().parents[2]
POLICIES = "/api/v2.0/projects/library/preheat/policies"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(app_config: dict, **settings) -> dict:
    """The environment that gives a process the test app's database, keys and settings."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("PREHEAT_") and key != "DATABASE_URL"}
    env.update(DATABASE_URL=app_config["SQLALCHEMY_DATABASE_URI"],
               SECRET_KEY=app_config["SECRET_KEY"])
    for key, value in {**app_config, **settings}.items():
        if key.startswith("PREHEAT_"):
            env[key] = value if isinstance(value, str) else json.dumps(value)
    return env


class ProcessGroup:
    """A process started in a session of its own, so its children end with it."""

    process: subprocess.Popen | None = None
    stop_seconds = 10

    def kill(self) -> None:
        """SIGKILL the process and its children at once: nothing gets to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """End it if it still runs (a test's teardown): SIGTERM, then SIGKILL."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(self.stop_seconds)
        except subprocess.TimeoutExpired:
            self.kill()


class AppProcess(ProcessGroup):
    """One gunicorn server (a master and one worker with a few threads) of the app."""

    def __init__(self, env: dict, folder: Path):
        self.env, self.folder = env, folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> AppProcess:
        """Start the server and wait until it answers (which also starts its dispatcher)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        target = f"app:create_app(instance_path={str(self.folder / 'instance')!r})"
        with open(self.folder / "server.log", "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", "1", "-k", "gthread", "--threads",
                 "4", "-b", f"127.0.0.1:{self.port}", "--log-level", "warning", target],
                env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            if self.process.poll() is not None:
                raise AssertionError(f"the app process ended: {self.log()}")
            try:
                requests.get(self.url + "/login", timeout=10)
                return self
            except requests.ConnectionError:
                time.sleep(0.1)
        raise AssertionError(f"the app process did not answer in {timeout:g} s: {self.log()}")

    def log(self) -> str:
        return (self.folder / "server.log").read_text(errors="replace")[-3000:]


class Api:
    """The app's JSON API over HTTP, as a sysadmin with HTTP Basic."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()
        self.http.auth = ADMIN

    def post(self, path: str, body: dict | None = None) -> requests.Response:
        return self.http.post(self.base + path, json=body, timeout=10)

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.base + path, timeout=10)

    def create_policy(self, provider_id: int, tags: str = "**") -> None:
        filters = [{"type": "repository", "value": "**"}, {"type": "tag", "value": tags}]
        response = self.post(POLICIES, {"name": "warm", "provider_id": provider_id,
                                        "filters": json.dumps(filters),
                                        "trigger": '{"type":"manual","trigger_setting":{}}'})
        assert response.status_code == 201, response.text

    def execute(self) -> int:
        """Run policy warm; the new execution's id."""
        response = self.post(POLICIES + "/warm")
        assert response.status_code == 201, response.text
        return response.json()["id"]
