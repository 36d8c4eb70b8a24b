"""Fixtures for the drivers' preheat tests: an HTTP client, and Dragonfly stand-ins with knobs."""
from contextlib import closing

import pytest

from preheat.transport import Credentials, HttpClient, Target
from tests.providers import dragonfly as dragonfly_standin
from tests.providers.preheats import Clock

PAT = "pat-canary-Zr8vQ3nW"


@pytest.fixture
def http():
    with closing(HttpClient(timeout=1.0, deadline=4.0)) as client:
        yield client


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def manager(started, clock):
    """manager(**knobs): a Dragonfly stand-in on the test's clock, PAT active, and its target."""
    def start(**knobs):
        server = started(dragonfly_standin.serve, tokens={PAT: "active"}, clock=clock, **knobs)
        server.target = Target(server.url, Credentials.bearer(PAT))
        server.book = server.state["jobs"]
        return server
    return start
