"""Fixtures: real docker-registry instances (open, htpasswd, TLS, token auth) and clients.

Registries are session-scoped (each start costs about 0.2 s) and tests use
repository names of their own (`repo`); the token service's settings are
reset before every test that uses it.
"""
from __future__ import annotations

import uuid
from contextlib import closing

import pytest

from preheat.registry import RegistryClient
from preheat.registry.push import Pusher
from preheat.transport import Credentials, HttpClient, Target
from tests.registry.server import require_binary, start_registry
from tests.registry.tokens import ISSUER, SERVICE, fresh_state, serve_tokens

USER, PASSWORD = "alice", "pw-canary-7Qx9zK2m"
PUSHER = "pusher"


@pytest.fixture(scope="session")
def registry_binary():
    require_binary()


@pytest.fixture(scope="session")
def open_registry(registry_binary, tmp_path_factory):
    """An open docker-registry (no auth)."""
    running = start_registry(tmp_path_factory.mktemp("open-registry"))
    yield running
    running.stop()


@pytest.fixture
def own_registry(registry_binary, tmp_path):
    """An open docker-registry of this test's own, for exact contents (catalog, counts)."""
    running = start_registry(tmp_path / "own-registry")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def basic_registry(registry_binary, tmp_path_factory):
    """A docker-registry behind htpasswd Basic auth; user alice."""
    running = start_registry(tmp_path_factory.mktemp("basic-registry"),
                             users={USER: PASSWORD})
    yield running
    running.stop()


@pytest.fixture(scope="session")
def tls_registry(registry_binary, tmp_path_factory):
    """An open docker-registry on HTTPS with a self-signed certificate for 127.0.0.1."""
    running = start_registry(tmp_path_factory.mktemp("tls-registry"), tls=True)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def token_service_session(registry_binary, tmp_path_factory):
    folder = tmp_path_factory.mktemp("token-service")
    server = serve_tokens(folder, {USER: PASSWORD})
    server.folder = folder
    yield server
    server.stop()


@pytest.fixture(scope="session")
def token_registry_session(token_service_session):
    folder = token_service_session.folder
    running = start_registry(folder / "registry", token={
        "realm": token_service_session.url + "/token", "service": SERVICE, "issuer": ISSUER,
        "rootcertbundle": str(folder / "token-root.pem")})
    yield running
    running.stop()


@pytest.fixture
def token_service(token_service_session):
    """The token service, with its settings and records reset for this test."""
    state = token_service_session.state
    state.update(fresh_state(state["key"], state["untrusted"], {USER: PASSWORD}))
    token_service_session.requests.clear()
    return token_service_session


@pytest.fixture
def token_registry(token_registry_session, token_service):
    """A docker-registry with token auth, trusting `token_service`'s JWTs."""
    return token_registry_session


@pytest.fixture
def http():
    with closing(HttpClient(timeout=1.0, deadline=3.0)) as client:
        yield client


@pytest.fixture
def client(http):
    """A fresh registry client (its own token cache and request counts)."""
    return RegistryClient(http)


@pytest.fixture
def repo() -> str:
    """A repository name no other test uses."""
    return f"t{uuid.uuid4().hex[:10]}/app"


def target_of(running, credentials=Credentials(), insecure=False) -> Target:
    return Target(running.url, credentials, insecure, peer="registry")


def pusher_for(running, credentials=Credentials(), insecure=False) -> Pusher:
    """A pusher with its own client, so its requests do not count against the test's."""
    return Pusher(RegistryClient(HttpClient(timeout=5.0, deadline=10.0)),
                  target_of(running, credentials, insecure))
