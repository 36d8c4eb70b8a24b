"""Kraken proxy (preheat server) driver."""
from __future__ import annotations

from .base import CheckResult, Provider, Target
from .http import HttpClient
from .probe import fetch, unexpected_status


class Kraken(Provider):
    id = "kraken"
    name = "Kraken"
    version = "0.1.3"
    icon = "https://github.com/uber/kraken/blob/master/assets/kraken-logo-color.svg"
    maintainers = ("mmpei/peimingming@corp.netease.com",)
    source = "https://github.com/uber/kraken"
    auth_modes = ("NONE", "BASIC", "OAUTH")

    def check_health(self, target: Target, http: HttpClient) -> CheckResult:
        response, failure = fetch(http, target, "/health")
        if failure:
            return failure
        if response.status != 200:
            return unexpected_status(response, "GET /health")
        return CheckResult(True, "Kraken is healthy.", 200, response.latency_ms)
