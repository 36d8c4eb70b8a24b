"""Kraken proxy (preheat server) driver."""
from __future__ import annotations

from ..transport import HttpClient, Target
from .base import AUTH_MODE_LABELS, CheckResult, Provider
from .probe import fetch, passed, unexpected_body, unexpected_status


class Kraken(Provider):
    id = "kraken"
    name = "Kraken"
    version = "0.1.3"
    icon = "https://github.com/uber/kraken/blob/master/assets/kraken-logo-color.svg"
    maintainers = ("mmpei/peimingming@corp.netease.com",)
    source = "https://github.com/uber/kraken"
    auth_modes = ("NONE",)

    def auth_note(self, mode: str) -> str | None:
        if mode != "NONE" and mode in AUTH_MODE_LABELS:
            return (f"Kraken ignores credentials: {AUTH_MODE_LABELS[mode]} credentials are never"
                    " used. Choose NONE.")
        return None

    def check_health(self, target: Target, http: HttpClient) -> CheckResult:
        # Kraken ignores auth headers, so credentials are not sent at all.
        response, failure = fetch(http, target, "/health", authenticate=False)
        if failure:
            return failure
        if response.status != 200:
            return unexpected_status(response, "GET /health")
        if response.text.strip() != "OK" or response.truncated:
            return unexpected_body(response, "GET /health", "“OK”")
        note = self.auth_note(target.credentials.mode)
        return passed(response, "The Kraken preheat server is up." + (f" {note}" if note else ""))
