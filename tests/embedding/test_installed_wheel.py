"""Preheat built as a wheel, installed in a fresh venv, mounted in Ops Portal from there.

This catches what running from the source tree hides: templates, static files
or migrations missing from the package, and dependencies the package imports
but does not declare. The venv borrows the test venv's
site-packages for Preheat's dependencies (a .pth file), so nothing is fetched;
the portal runs in a subprocess whose sys.path holds no source tree.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet

from tests.browser_fixtures import open_tab
from tests.executions.conftest import images  # noqa: F401 (a registry with images)
from tests.helpers import token_in

from .conftest import MAINTAINER, OPS, PREFIX, sign_in
from .test_portal_browser import create_with_test_connection, delete_after_confirming

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ("preheat.css", "preheat.js", "htmx.min.js")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "instance")


def run(*args, **kwargs) -> str:
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, **kwargs)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """Preheat's wheel, built from a clean copy of the package (no stale build/)."""
    source = tmp_path_factory.mktemp("source")
    shutil.copytree(ROOT / "preheat", source / "preheat", ignore=SKIP)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source)
    dist = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
        "--quiet", "--wheel-dir", str(dist), str(source))
    return next(dist.glob("preheat-*.whl"))


@pytest.fixture(scope="session")
def venv_python(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; dependencies come from the test venv."""
    venv = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    site = Path(run(str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
                .strip())
    (site / "borrowed_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
        "--no-index", "--quiet", str(wheel))
    return python


@pytest.fixture
def portal_dir(tmp_path) -> Path:
    """A working directory holding only a copy of the portal."""
    shutil.copytree(ROOT / "tests" / "host_portal", tmp_path / "host_portal", ignore=SKIP)
    return tmp_path


@pytest.fixture
def portal_env(database_url) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env.update(FLASK_APP="host_portal", PORTAL_SQLALCHEMY_DATABASE_URI=database_url,
               PORTAL_SECRET_KEY="wheel-test", PORTAL_CSRF_PROTECT="true",
               PORTAL_PREHEAT_ENCRYPTION_KEY=Fernet.generate_key().decode(),
               # Executions dispatched and polled in tenths of a second.
               PORTAL_PREHEAT_DISPATCH_SECONDS="0.05", PORTAL_PREHEAT_POLL_INTERVAL="0.1",
               PORTAL_PREHEAT_POLL_MAX_INTERVAL="0.3")
    return env


@pytest.fixture
def installed_portal(venv_python, portal_dir, portal_env):
    """Ops Portal served by the venv's python, its database set up by both CLIs."""
    flask = [str(venv_python), "-m", "flask"]
    options = {"cwd": portal_dir, "env": portal_env}
    assert "Preheat tables upgraded to head." in run(*flask, "preheat", "db", "upgrade", **options)
    run(*flask, "db", "upgrade", **options)
    run(*flask, "portal", "add-member", OPS[0], "--role", "ops-admin", "--password", OPS[1],
        **options)
    run(*flask, "portal", "add-member", MAINTAINER[0], "--password", MAINTAINER[1], **options)
    run(*flask, "portal", "add-maintainer", MAINTAINER[0], "library", **options)
    server = subprocess.Popen([str(venv_python), "-m", "host_portal"], stdout=subprocess.PIPE,
                              text=True, **options)
    try:
        url, preheat_file = server.stdout.readline().split()
        yield url, Path(preheat_file)
    finally:
        server.terminate()
        server.wait(timeout=10)


def signed_in(url: str, email: str = OPS[0], password: str = OPS[1]) -> requests.Session:
    http = requests.Session()
    token = token_in(http.get(f"{url}/account/sign-in").text)
    response = http.post(f"{url}/account/sign-in", allow_redirects=False,
                         data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302
    return http


def api_writer(http: requests.Session, page_url: str) -> requests.Session:
    """`http`, sending the CSRF token of the page at `page_url` with every request."""
    http.headers["X-CSRFToken"] = token_in(http.get(page_url).text)
    return http


def created(response: requests.Response) -> dict:
    assert response.status_code == 201, response.text
    return response.json()


def requirement_names(lines) -> set[str]:
    return {re.split(r"[\[<>=;, ]", line.strip(), maxsplit=1)[0].lower()
            for line in lines if line.strip() and not line.startswith("#")}


def test_the_wheel_declares_every_dependency_of_requirements_txt(wheel, venv_python):
    metadata = run(str(venv_python), "-c", "from importlib.metadata import requires;"
                   " print('\\n'.join(r for r in requires('preheat') if 'extra' not in r))",
                   cwd="/")
    wanted = requirement_names((ROOT / "requirements.txt").read_text().splitlines())
    optional = {"psycopg"}  # preheat[postgresql]: SQLite needs no driver
    assert wanted - optional - requirement_names(metadata.splitlines()) == set()


def test_the_portal_runs_preheat_from_the_installed_wheel(installed_portal, venv_python):
    url, preheat_file = installed_portal
    assert preheat_file.is_relative_to(venv_python.parent.parent), preheat_file
    page = signed_in(url).get(f"{url}{PREFIX}/distributions")
    assert page.status_code == 200
    assert 'id="navbar"' in page.text and 'id="preheat-root"' in page.text
    for asset in ASSETS:
        served = requests.get(f"{url}{PREFIX}/preheat-static/preheat/{asset}")
        assert served.status_code == 200, asset
        assert served.content == (ROOT / "preheat" / "static" / "preheat" / asset).read_bytes()


def test_the_installed_wheel_holds_every_file_the_package_has(venv_python):
    installed = Path(run(str(venv_python), "-c", "import preheat; print(preheat.__file__)",
                         cwd="/")).parent
    source = ROOT / "preheat"
    wanted = {p.relative_to(source) for p in source.rglob("*")
              if p.is_file() and "__pycache__" not in p.parts}
    have = {p.relative_to(installed) for p in installed.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}
    assert wanted - have == set()


def test_every_flow_works_in_the_browser_from_the_installed_wheel(installed_portal, browser,
                                                                  dragonfly):
    url, _ = installed_portal
    with open_tab(browser, url) as page:
        page.goto(f"{PREFIX}/distributions")
        sign_in(page, *OPS)
        page.wait_for_url(f"**{PREFIX}/distributions")
        create_with_test_connection(page, "df-prod", dragonfly.url)
        delete_after_confirming(page, "df-prod")


def test_a_maintainer_runs_a_policy_from_the_installed_wheel(installed_portal, images,
                                                             dragonfly):
    url, _ = installed_portal
    api = f"{url}{PREFIX}/api"
    images(["1.0", "1.1", "2.0"])
    ops = api_writer(signed_in(url), f"{url}{PREFIX}/distributions")
    registry = created(ops.post(f"{api}/registries", json={
        "name": "hub", "url": images.registry.url, "type": "docker-registry"}))
    created(ops.post(f"{api}/projects", json={"project_name": "library",
                                              "registry_id": registry["id"]}))
    created(ops.post(f"{api}/p2p/preheat/instances", json={
        "vendor": "dragonfly", "name": "df", "endpoint": dragonfly.url, "auth_mode": "OAUTH",
        "auth_info": {"token": "good-token"}}))

    tab = f"{url}{PREFIX}/projects/library/preheat"
    maintainer = api_writer(signed_in(url, *MAINTAINER), tab)
    assert "New policy" in maintainer.get(tab).text
    policies = f"{api}/projects/library/preheat/policies"
    [provider] = maintainer.get(f"{api}/projects/library/preheat/providers").json()
    created(maintainer.post(policies, json={"name": "warm", "provider_id": provider["id"],
                                            "filters": json.dumps([
                                                {"type": "repository", "value": "app"},
                                                {"type": "tag", "value": "1.*"}])}))
    execution = created(maintainer.post(f"{policies}/warm"))
    until = time.monotonic() + 20
    while execution["status"] not in ("Success", "Error", "Stopped") and \
            time.monotonic() < until:
        time.sleep(0.1)
        execution = maintainer.get(f"{policies}/warm/executions/{execution['id']}").json()
    assert execution["status"] == "Success", execution
    jobs = [path for method, path, _ in dragonfly.requests
            if (method, path) == ("POST", "/oapi/v1/jobs")]
    assert len(jobs) == 2, dragonfly.requests
