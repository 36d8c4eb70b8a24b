"""The registry fixtures themselves: skip or fail without docker-registry, push with Basic."""
import pytest

from preheat.transport import Credentials
from tests.registry import server
from tests.registry.conftest import PASSWORD, USER, pusher_for, target_of


def test_missing_binary_skips_with_how_to_install(monkeypatch):
    monkeypatch.setattr(server, "BINARY", "/nonexistent/docker-registry")
    monkeypatch.delenv("PREHEAT_REQUIRE_REGISTRY", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install docker-registry"):
        server.require_binary()


def test_missing_binary_fails_when_required(monkeypatch):
    monkeypatch.setattr(server, "BINARY", "/nonexistent/docker-registry")
    monkeypatch.setenv("PREHEAT_REQUIRE_REGISTRY", "1")
    with pytest.raises(pytest.fail.Exception, match="apt-get install docker-registry"):
        server.require_binary()


def test_push_to_a_basic_registry_then_read_it_back(client, basic_registry, repo):
    alice = Credentials.basic(USER, PASSWORD)
    pushed = pusher_for(basic_registry, alice).index(repo, "multi", kind="docker")
    found = client.artifact(target_of(basic_registry, alice), repo, "multi")
    assert found.digest == pushed.digest and found.platforms == ("linux/amd64", "linux/arm64")
    assert [digest for _, digest in pushed.children] == [
        client.artifact(target_of(basic_registry, alice), repo, digest).digest
        for _, digest in pushed.children]
