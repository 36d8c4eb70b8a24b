"""Dragonfly v2 manager driver: /healthy, then the token against the Open API; preheat jobs."""
from __future__ import annotations

from urllib.parse import urlsplit

from ...transport import HttpClient, Target
from ..base import CheckResult, Provider
from ..preheating import PreheatRequest, Progress, Submission
from ..probe import failed, fetch, passed, status_text, unexpected_body, unexpected_status
from . import jobs
from .options import OPTIONS, validate
from .answers import UPGRADE, message, says_ok, token_refusal

JOBS_PROBE = "/oapi/v1/jobs?page=1&per_page=1"


class Dragonfly(Provider):
    id = "dragonfly"
    name = "Dragonfly"
    version = "2.1.59"
    icon = "https://raw.githubusercontent.com/dragonflyoss/Dragonfly2/master/docs/images/logo/dragonfly-linear.png"
    maintainers = ("chlins.zhang@gmail.com", "gaius.qi@gmail.com")
    source = "https://github.com/dragonflyoss/Dragonfly2"
    auth_modes = ("OAUTH",)
    confirms = True
    options = OPTIONS

    def auth_note(self, mode: str) -> str | None:
        if mode == "BASIC":
            return ("Dragonfly's Open API accepts only personal access tokens: Basic"
                    " credentials cannot work. Choose OAuth and enter a token with the job scope.")
        if mode == "NONE":
            return ("Without a token only the manager's /healthy can be checked; preheating"
                    " needs a personal access token (OAuth).")
        return None

    def endpoint_note(self, endpoint: str) -> str | None:
        try:
            port = urlsplit(endpoint).port
        except ValueError:
            return None
        if port == 8002:
            return ("Port 8002 was Dragonfly v1's API port and is the v2 scheduler's gRPC port;"
                    " the Dragonfly v2 manager usually listens on 8080.")
        return None

    def check_health(self, target: Target, http: HttpClient) -> CheckResult:
        response, failure = fetch(http, target, "/healthy", authenticate=False)
        if failure:
            return failure
        if response.status != 200:
            return self._legacy(target, http, response) or \
                unexpected_status(response, "GET /healthy", message(response))
        if not says_ok(response):
            return unexpected_body(response, "GET /healthy", "“OK”")
        mode = target.credentials.mode
        if mode == "BASIC":
            return failed(response, "The Dragonfly manager is up, but " + self.auth_note(mode))
        if mode != "OAUTH":
            return passed(response, "The Dragonfly manager is up. No token is configured, so"
                                    " access to the Open API, which preheating needs,"
                                    " was not checked.")
        return self._check_token(target, http, response.latency_ms)

    def _check_token(self, target: Target, http: HttpClient, before_ms: int) -> CheckResult:
        response, failure = fetch(http, target, JOBS_PROBE)
        if failure:
            return failure
        what = "GET /oapi/v1/jobs"
        latency = before_ms + response.latency_ms
        if response.status == 200:
            if not isinstance(response.json(), list) or response.truncated:
                return unexpected_body(response, what, "a JSON list of jobs")
            return passed(response, "The Dragonfly manager is up and accepted the personal"
                                    " access token.", latency)
        refusal = token_refusal(response, what)
        if refusal:
            return failed(response, refusal)
        if 300 <= response.status < 400:
            return failed(response, f"The Dragonfly manager has no Open API: {what} was"
                                    f" redirected to {response.location() or 'another page'};"
                                    f" {UPGRADE}.")
        return unexpected_status(response, what, message(response))

    def _legacy(self, target: Target, http: HttpClient, healthy) -> CheckResult | None:
        """A legacy (v1-era) Dragonfly answers /_ping where v2 answers /healthy."""
        response, failure = fetch(http, target, "/_ping", authenticate=False)
        if failure or response.status != 200 or not says_ok(response):
            return None
        return failed(healthy, "Legacy Dragonfly API: /_ping answers but /healthy does not"
                               f" ({status_text(healthy.status)}). Preheat speaks the v2"
                               f" manager's Open API: {UPGRADE} and use the manager's"
                               " address (port 8080).")


    def validate_options(self, values) -> dict:
        return validate(values)

    def submit(self, target: Target, http: HttpClient, request: PreheatRequest) -> Submission:
        return jobs.submit(target, http, request)

    def progress(self, target: Target, http: HttpClient, job_id: str) -> Progress:
        return jobs.progress(target, http, job_id)
