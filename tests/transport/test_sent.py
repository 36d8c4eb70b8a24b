"""A failure says whether the request was sent (only then may the endpoint have acted on it)
and whether trying again may work."""
import socket
import threading
from contextlib import closing, contextmanager

import pytest

from preheat.transport import HttpClient, HttpFailure, Target
from tests.providers.faults import blackhole, free_port, silent
from tests.providers.server import QuietHandler, serve


@pytest.fixture
def http():
    with closing(HttpClient(timeout=0.5, deadline=1.5, denylist="127.0.0.2/32")) as client:
        yield client


def failure(http, url, method="POST", **options) -> HttpFailure:
    with pytest.raises(HttpFailure) as caught:
        http.request(method, Target(url), "/oapi/v1/jobs", json={"type": "preheat"}, **options)
    return caught.value


@contextmanager
def reads_then(answer: bytes | None):
    """A server that reads the whole request, then writes `answer` (if any) and hangs up."""
    listener = socket.create_server(("127.0.0.1", 0))
    received = []

    def serve_one():
        conn, _ = listener.accept()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length"))
            while len(body) < length:
                body += conn.recv(65536)
            received.append(body)
            if answer:
                conn.sendall(answer)
    threading.Thread(target=serve_one, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", received
    finally:
        listener.close()


def test_a_refused_connection_was_not_sent(http):
    refused = failure(http, f"http://127.0.0.1:{free_port()}")
    assert (refused.sent, refused.transient) == (False, True)
    assert refused.reason.startswith("Connection refused")


def test_a_host_that_does_not_resolve_was_not_sent():
    def no_such_host(*args):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    with closing(HttpClient(timeout=0.5, resolver=no_such_host)) as client:
        lost = failure(client, "http://manager.invalid:8080")
    assert (lost.sent, lost.transient) == (False, True)
    assert "does not resolve" in lost.reason


def test_a_connect_timeout_was_not_sent(http):
    with blackhole() as url:
        timed_out = failure(http, url)
    assert (timed_out.sent, timed_out.transient) == (False, True)


def test_a_denied_address_was_not_sent_and_stays_denied(http):
    denied = failure(http, "http://127.0.0.2:8080")
    assert (denied.sent, denied.transient) == (False, False)


def test_a_tls_handshake_that_fails_was_not_sent(http, started):
    plain = started(serve, QuietHandler)
    handshake = failure(http, plain.url.replace("http://", "https://"))
    assert (handshake.sent, handshake.transient) == (False, False)
    assert handshake.reason.startswith("TLS handshake failed")


def test_an_answer_that_never_comes_was_sent(http):
    with silent() as url:
        waited = failure(http, url)
    assert (waited.sent, waited.transient) == (True, True)
    assert waited.reason.startswith("Timed out after 0.5 s waiting for an answer")


def test_a_connection_closed_after_the_request_was_read_was_sent(http):
    with reads_then(None) as (url, received):
        closed = failure(http, url)
    assert received == [b'{"type": "preheat"}']
    assert closed.sent is True
    assert closed.reason == ("The provider closed the connection without answering"
                             " POST /oapi/v1/jobs.")


def test_an_answer_cut_off_after_its_headers_was_sent(http):
    cut = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"id\""
    with reads_then(cut) as (url, received):
        truncated = failure(http, url)
    assert received and truncated.sent is True


def test_failures_raised_before_any_request_were_not_sent(http):
    with pytest.raises(HttpFailure) as caught:
        http.get(Target("ftp://manager.example"), "/healthy")
    assert (caught.value.sent, caught.value.transient) == (False, False)
