"""Submitting and following Dragonfly jobs when things go wrong: each failure says whether to retry."""
from contextlib import closing

import pytest

from preheat.providers import PROVIDERS, PreheatRequest, ProgressError, SubmitError
from preheat.transport import Credentials, HttpClient, Target
from tests.providers import dragonfly
from tests.providers.conftest import PAT
from tests.providers.faults import free_port, silent
from tests.providers.server import QuietHandler, serve
from tests.transport.test_sent import reads_then

DRAGONFLY = PROVIDERS["dragonfly"]
URL = "http://registry.example:5000/v2/library/app/manifests/1.0"
PULL_TOKEN = "pull-canary-Hq7Tz2Lw9x"


def request(**options) -> PreheatRequest:
    return PreheatRequest("library/app", "1.0", "sha256:" + "ab" * 32,
                          "application/vnd.oci.image.manifest.v1+json", URL,
                          f"Bearer {PULL_TOKEN}", options=options, timeout=60)


def refusal(target, http, **options) -> SubmitError:
    with pytest.raises(SubmitError) as caught:
        DRAGONFLY.submit(target, http, request(**options))
    return caught.value


def test_beyond_the_rate_limit_the_job_is_retried_later(manager, http, clock):
    dragonfly = manager(rate=2, fetch=False)
    for _ in range(2):
        DRAGONFLY.submit(dragonfly.target, http, request())
    limited = refusal(dragonfly.target, http)
    assert limited.reason == ("Dragonfly's rate limit turned the job away (HTTP 429 Too Many"
                              " Requests: “rate limit exceeded”); nothing was created.")
    assert (limited.retry, limited.retry_after, limited.maybe_submitted) == (True, None, False)
    clock.advance(0.5)
    assert DRAGONFLY.submit(dragonfly.target, http, request()).job_id == "3"
    assert dragonfly.book.submissions == {URL: 3}


def test_a_retry_after_is_honoured(http, started):
    class Limited(QuietHandler):
        def do_POST(self):
            self.send_body(429, b"slow down", "text/plain", {"Retry-After": "7"})
    server = started(serve, Limited)
    limited = refusal(Target(server.url, Credentials.bearer(PAT)), http)
    assert (limited.retry, limited.retry_after) == (True, 7.0)


def test_a_refused_connection_is_retried(http):
    refused = refusal(Target(f"http://127.0.0.1:{free_port()}", Credentials.bearer(PAT)), http)
    assert (refused.retry, refused.maybe_submitted) == (True, False)
    assert refused.reason.startswith("Connection refused")


@pytest.mark.parametrize("answer", [None, b"HTTP/1.1 200 OK\r\nContent-Length: 90\r\n\r\n{\"id\""])
def test_an_answer_lost_after_sending_is_not_retried(http, answer):
    with reads_then(answer) as (url, received):
        lost = refusal(Target(url, Credentials.bearer(PAT)), http)
    assert received, "the request reached the manager"
    assert (lost.retry, lost.maybe_submitted) == (False, True)
    assert lost.reason.endswith("The request was sent, so the job may exist on Dragonfly: it"
                                " is not sent again, which could make a second job.")


def test_a_denied_address_is_not_retried():
    with closing(HttpClient(timeout=1.0, denylist="127.0.0.0/8")) as client:
        denied = refusal(Target("http://127.0.0.1:9", Credentials.bearer(PAT)), client)
    assert (denied.retry, denied.maybe_submitted) == (False, False)
    assert denied.reason.startswith("Blocked: 127.0.0.1")


def test_an_answer_that_never_comes_is_not_retried(http):
    with silent() as url:
        lost = refusal(Target(url, Credentials.bearer(PAT)), http)
    assert (lost.retry, lost.maybe_submitted) == (False, True)
    assert lost.reason.startswith("Timed out after 1 s waiting for an answer to POST"
                                  " /oapi/v1/jobs")


@pytest.mark.parametrize("state, reason", [
    ("unknown", "Token rejected: Dragonfly answered HTTP 401 Unauthorized to POST /oapi/v1/jobs."
                " The manager does not know this personal access token: it was deleted,"
                " revoked or mistyped."),
    ("inactive", "Token refused: Dragonfly answered HTTP 403 Forbidden to POST /oapi/v1/jobs:"
                 " “Token is inactive”. Activate the token in the Dragonfly console, or create"
                 " a new one."),
    ("expired", "Token refused: Dragonfly answered HTTP 403 Forbidden to POST /oapi/v1/jobs:"
                " “Token has expired”. Create a new personal access token in the Dragonfly"
                " console."),
    ("no-job-scope", "Token refused: Dragonfly answered HTTP 403 Forbidden to POST"
                     " /oapi/v1/jobs: “Forbidden”. The token must be active, unexpired and"
                     " have the job scope."),
])
def test_a_refused_token_says_why_and_is_not_retried(http, started, state, reason):
    server = started(dragonfly.serve, tokens={} if state == "unknown" else {PAT: state})
    refused = refusal(Target(server.url, Credentials.bearer(PAT)), http)
    assert (refused.reason, refused.retry, refused.maybe_submitted) == (reason, False, False)


def test_an_invalid_job_is_refused_with_the_managers_message(manager, http):
    invalid = refusal(manager(fetch=False).target, http, scope="some_peers")
    assert invalid.reason == (
        "Dragonfly refused the job as invalid (HTTP 422 Unprocessable Entity: “Key:"
        " 'CreatePreheatJobRequest.Args.Scope' Error:Field validation for 'Scope' failed on"
        " the 'oneof' tag”).")
    assert (invalid.retry, invalid.http_status) == (False, 422)


def test_an_unknown_cluster_is_refused(manager, http):
    unknown = refusal(manager(fetch=False).target, http, cluster_ids=[9])
    assert unknown.reason == ("Dragonfly could not create the job (HTTP 500 Internal Server"
                              " Error: “scheduler cluster id 9: record not found”).")


def test_the_echo_and_the_credentials_never_come_back(manager, http, clock):
    dragonfly = manager(delay=1.0, fetch=False,
                        failing_peers={"seed-peer-1": f"pull with Bearer {PULL_TOKEN} refused"})
    submitted = DRAGONFLY.submit(dragonfly.target, http, request())
    assert dragonfly.book.jobs[1]["args"]["headers"] == {"Authorization": f"Bearer {PULL_TOKEN}"}
    clock.advance(1.0)
    done = DRAGONFLY.progress(dragonfly.target, http, submitted.job_id)
    assert done.state == "failure"
    assert done.peers[0].description == "(no description, or one that repeated a credential)"
    for shown in (repr(submitted), repr(done), repr(request())):
        assert PULL_TOKEN not in shown and PAT not in shown and "args" not in shown


def test_a_message_that_repeats_the_pull_credential_is_not_shown(http, started):
    class Echo(QuietHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_json(500, {"message": f"registry refused Bearer {PULL_TOKEN[::-1]}"})
    server = started(serve, Echo)
    failed = refusal(Target(server.url, Credentials.bearer(PAT)), http)
    assert failed.reason == ("Dragonfly could not create the job (HTTP 500 Internal Server"
                             " Error (its message repeated a credential, so it is not shown)).")


def test_a_job_the_manager_no_longer_has_is_not_followed_further(manager, http):
    with pytest.raises(ProgressError) as gone:
        DRAGONFLY.progress(manager().target, http, "41")
    assert gone.value.reason == ("Dragonfly has no job 41 (HTTP 404 Not Found from GET"
                                 " /oapi/v1/jobs/{id}): it was deleted on the manager.")
    assert gone.value.retry is False


def test_progress_of_an_unreachable_manager_is_retried(http):
    with pytest.raises(ProgressError) as unreachable:
        DRAGONFLY.progress(Target(f"http://127.0.0.1:{free_port()}"), http, "1")
    assert unreachable.value.retry is True


def test_a_job_id_is_checked_before_any_request(http):
    with pytest.raises(ProgressError) as odd:
        DRAGONFLY.progress(Target("http://127.0.0.1:9"), http, "../users")
    assert (odd.value.reason, odd.value.retry) == ("'../users' is not a Dragonfly job id.", False)


@pytest.mark.parametrize("answer, state, message", [
    ({"id": 1, "state": "STARTED"}, "running", "Dragonfly reports the job STARTED."),
    ({"id": 1, "state": PULL_TOKEN}, "running",
     "Dragonfly reports the job in a state it does not name."),
    ({"id": 1, "state": "SUCCESS", "result": None}, "success",
     "Dragonfly reports success, naming no peers."),
])
def test_job_states_are_read_without_repeating_the_unknown(http, started, answer, state,
                                                           message):
    class Job(QuietHandler):
        def do_GET(self):
            self.send_json(200, {**answer, "args": {"headers": {
                "Authorization": f"Bearer {PULL_TOKEN}"}}})
    server = started(serve, Job)
    read = DRAGONFLY.progress(Target(server.url, Credentials.bearer(PAT)), http, "1")
    assert (read.state, read.message, read.peers) == (state, message, ())


def test_an_answer_that_is_not_a_job_is_read_again_later(http, started):
    class NotAJob(QuietHandler):
        def do_GET(self):
            self.send_json(200, ["OK"])
    server = started(serve, NotAJob)
    with pytest.raises(ProgressError) as odd:
        DRAGONFLY.progress(Target(server.url, Credentials.bearer(PAT)), http, "1")
    assert (odd.value.reason, odd.value.retry) == (
        "Unexpected answer to GET /oapi/v1/jobs/{id}: not a Dragonfly job.", True)
