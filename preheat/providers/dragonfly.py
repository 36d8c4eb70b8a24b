"""Dragonfly v2 manager driver."""
from __future__ import annotations

from .base import CheckResult, Provider, Target
from .http import HttpClient
from .probe import fetch, unexpected_status


class Dragonfly(Provider):
    id = "dragonfly"
    name = "Dragonfly"
    version = "2.1.59"
    icon = "https://raw.githubusercontent.com/dragonflyoss/Dragonfly2/master/docs/images/logo/dragonfly-linear.png"
    maintainers = ("chlins.zhang@gmail.com", "gaius.qi@gmail.com")
    source = "https://github.com/dragonflyoss/Dragonfly2"
    auth_modes = ("NONE", "BASIC", "OAUTH")

    def check_health(self, target: Target, http: HttpClient) -> CheckResult:
        response, failure = fetch(http, target, "/healthy")
        if failure:
            return failure
        if response.status != 200:
            return unexpected_status(response, "GET /healthy")
        return CheckResult(True, "Dragonfly manager is healthy.", 200, response.latency_ms)
