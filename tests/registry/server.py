"""Debian's real docker-registry, started in a folder of its own on a free loopback port."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import bcrypt
import pytest
import requests

from tests.providers.faults import free_port
from tests.providers.tls import self_signed_context

BINARY = "/usr/bin/docker-registry"
READY_WITHIN = 10.0


@dataclass
class RunningRegistry:
    """A docker-registry process: where it answers and where it keeps its files."""

    url: str
    folder: Path
    process: subprocess.Popen
    cert: Path | None = None
    users: dict[str, str] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return self.url.split("://", 1)[1]

    def log(self) -> str:
        return (self.folder / "registry.log").read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def require_binary() -> None:
    """Skip (or fail, with PREHEAT_REQUIRE_REGISTRY=1) when docker-registry is not installed."""
    if os.access(BINARY, os.X_OK):
        return
    message = (f"{BINARY} is missing: apt-get install docker-registry (or run"
               " scripts/ensure-registry as root)")
    if os.environ.get("PREHEAT_REQUIRE_REGISTRY") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def htpasswd(folder: Path, users: dict[str, str]) -> Path:
    """An htpasswd file of bcrypt hashes (4 rounds: test users need no cracking resistance)."""
    path = folder / "htpasswd"
    lines = (f"{user}:{bcrypt.hashpw(pw.encode(), bcrypt.gensalt(rounds=4)).decode()}\n"
             for user, pw in users.items())
    path.write_text("".join(lines))
    return path


def start_registry(folder: Path, *, users: dict[str, str] | None = None, tls: bool = False,
                   token: dict | None = None, notifications: list | None = None,
                   extra: dict | None = None) -> RunningRegistry:
    """Start docker-registry: open, htpasswd (`users`), `tls`, or token auth (`token` config).

    `notifications` are endpoints for push events; `extra` adds top-level
    configuration sections (`{"catalog": {"maxentries": 50}}`).
    """
    require_binary()
    folder.mkdir(parents=True, exist_ok=True)
    port, debug = free_port(), free_port()
    while debug == port:  # the system may hand the same free port out twice
        debug = free_port()
    http = {"addr": f"127.0.0.1:{port}", "secret": "test-only-secret",
            "debug": {"addr": f"127.0.0.1:{debug}"}}
    cert = None
    if tls:
        self_signed_context(folder / "tls")
        cert = folder / "tls" / "cert.pem"
        http["tls"] = {"certificate": str(cert), "key": str(folder / "tls" / "key.pem")}
    config = {"version": 0.1, "log": {"level": "info", "accesslog": {"disabled": True}},
              "storage": {"filesystem": {"rootdirectory": str(folder / "data")},
                          "delete": {"enabled": True}},
              "http": http}
    if users:
        config["auth"] = {"htpasswd": {"realm": "test-realm", "path": str(htpasswd(folder, users))}}
    if token:
        config["auth"] = {"token": token}
    if notifications:
        config["notifications"] = {"endpoints": notifications}
    config.update(extra or {})
    (folder / "config.yml").write_text(json.dumps(config))  # JSON is YAML
    with open(folder / "registry.log", "wb") as log:
        process = subprocess.Popen([BINARY, "serve", str(folder / "config.yml")],
                                   stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    running = RunningRegistry(f"{'https' if tls else 'http'}://127.0.0.1:{port}", folder,
                              process, cert, dict(users or {}))
    _wait_ready(running)
    return running


def _wait_ready(running: RunningRegistry) -> None:
    ends = time.monotonic() + READY_WITHIN
    while time.monotonic() < ends:
        if running.process.poll() is not None:
            raise RuntimeError(f"docker-registry exited with {running.process.returncode}:\n"
                               + running.log()[-2000:])
        try:
            answer = requests.get(running.url + "/v2/", timeout=1,
                                  verify=str(running.cert) if running.cert else True)
            if answer.status_code in (200, 401):
                return
        except requests.RequestException:
            pass
        time.sleep(0.02)
    running.stop()
    raise RuntimeError("docker-registry did not answer within"
                       f" {READY_WITHIN:g} s:\n" + running.log()[-2000:])


def binary_available() -> bool:
    return shutil.which(BINARY) is not None
