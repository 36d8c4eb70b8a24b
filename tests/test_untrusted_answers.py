"""A provider's answer is untrusted: only a scrubbed Dragonfly message is ever repeated."""
import base64
from contextlib import closing
from urllib.parse import quote

import pytest

from preheat.health.checks import check
from preheat.transport import Credentials, HttpClient, Target
from preheat.transport.untrusted import MESSAGE_LENGTH, scrubbed
from tests.providers.server import QuietHandler, serve

TOKEN = "Zq8/Lm3+Rt5wXy"


@pytest.mark.parametrize("echo", [
    TOKEN, TOKEN[::-1], TOKEN.lower(), TOKEN.swapcase(), quote(TOKEN, safe=""),
    base64.b64encode(TOKEN.encode()).decode(), base64.urlsafe_b64encode(TOKEN.encode()).decode(),
    base64.b64encode(TOKEN[4:].encode()).decode(), f"first {TOKEN[:7]} then {TOKEN[7:]}",
    base64.b64encode(b"ops:" + TOKEN.encode()).decode(),
])
def test_a_message_that_echoes_the_secret_in_any_disguise_is_dropped(echo):
    assert scrubbed(f"Token {echo} is inactive", (TOKEN, f"ops:{TOKEN}")) is None


def test_a_clean_message_is_kept_on_one_short_line():
    assert scrubbed("Token is\ninactive\x1b[31m", (TOKEN,)) == "Token is inactive [31m"
    long = scrubbed("x" * 5000, (TOKEN,))
    assert long == "x" * MESSAGE_LENGTH + "..."


class Answers(QuietHandler):
    """/healthy is fine; the Open API answers whatever the test put in the state."""

    def do_GET(self):
        if self.path == "/healthy":
            return self.send_json(200, "OK")
        status, body, content_type = self.server.state["answer"]
        self.send_body(status, body.encode(), content_type)


@pytest.fixture
def answering(started):
    server = started(serve, Answers, {})

    def reason(status, body, content_type="application/json"):
        server.state["answer"] = (status, body, content_type)
        with closing(HttpClient(timeout=2.0)) as client:
            return check("dragonfly", Target(server.url, Credentials("OAUTH", token=TOKEN)),
                         client).reason
    return reason


def test_dragonflys_json_message_is_repeated(answering):
    assert answering(500, '{"message": "database is locked"}') == (
        "HTTP 500 Internal Server Error from GET /oapi/v1/jobs. The provider said:"
        " database is locked")


@pytest.mark.parametrize("body, content_type", [
    ('{"error": "database is locked"}', "application/json"),
    ("database is locked", "text/plain"),
    ("<h1>database is locked</h1>", "text/html"),
])
def test_a_body_of_unknown_shape_is_never_repeated(answering, body, content_type):
    assert answering(500, body, content_type) == \
        "HTTP 500 Internal Server Error from GET /oapi/v1/jobs."


def test_an_unexpected_body_is_described_not_quoted(answering):
    assert answering(200, "<html>a login page</html>", "text/html") == (
        "Unexpected answer to GET /oapi/v1/jobs: expected a JSON list of jobs, got an HTML"
        " or XML document (25 bytes). Is the endpoint the right service?")
