"""What every provider driver is and returns. No Flask here."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..transport import HttpClient, Target

# How the UI and the drivers' messages name each auth mode.
AUTH_MODE_LABELS = {"NONE": "NONE", "BASIC": "Basic", "OAUTH": "OAuth"}


@dataclass(frozen=True)
class CheckResult:
    """The outcome of a health check or connection test."""

    ok: bool
    reason: str
    http_status: int | None = None
    latency_ms: int | None = None
    checked_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def status(self) -> str:
        return "healthy" if self.ok else "unhealthy"


class Provider(ABC):
    """A P2P provider driver: metadata plus the calls Preheat makes.

    `auth_modes` lists the modes the provider really honours; `auth_note` and
    `endpoint_note` tell the user, in the provider's own terms, what is wrong
    with a choice before anything is saved.
    """

    id: str
    name: str
    version: str
    icon: str = ""
    maintainers: tuple[str, ...] = ()
    source: str = ""
    auth_modes: tuple[str, ...] = ("NONE",)

    def auth_note(self, mode: str) -> str | None:
        """A sentence about using auth `mode` with this provider, if it needs one."""
        return None

    def endpoint_note(self, endpoint: str) -> str | None:
        """A sentence when `endpoint` looks like the wrong address for this provider."""
        return None

    @abstractmethod
    def check_health(self, target: Target, http: HttpClient) -> CheckResult:
        """Tell whether the provider at `target` is reachable and usable."""

    def preheat(self, target: Target, http: HttpClient, request):
        """Ask the provider to preheat one image; drivers add this with policies."""
        raise NotImplementedError(f"{self.name} preheating is not available yet.")

    def progress(self, target: Target, http: HttpClient, job_id: str):
        """Report how far a preheat job has got; drivers add this with policies."""
        raise NotImplementedError(f"{self.name} preheat progress is not available yet.")
