"""The registry tests: `client` is the registry client here (the fixtures load for all tests)."""
import pytest


@pytest.fixture
def client(registry_client):
    """Here, `client` is the registry client: these tests know no other."""
    return registry_client
