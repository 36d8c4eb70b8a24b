"""The registry fixtures (tests.registry.fixtures) for every test in this folder."""
import pytest

from tests.registry.fixtures import *  # noqa: F401,F403 - fixtures are found by name


@pytest.fixture
def client(registry_client):
    """Here, `client` is the registry client: these tests know no other."""
    return registry_client
