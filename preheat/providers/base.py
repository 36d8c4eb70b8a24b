"""What every provider driver is and returns. No Flask here."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..transport import HttpClient, Target
from .preheating import OptionError, OptionField, PreheatRequest, Progress, Submission

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
    with a choice before anything is saved. A preheat is `accepts`, then
    `submit`, then (when `confirms`) `progress` until its state is done.
    """

    id: str
    name: str
    version: str
    icon: str = ""
    maintainers: tuple[str, ...] = ()
    source: str = ""
    auth_modes: tuple[str, ...] = ("NONE",)
    # Whether `progress` follows a job to its end; without it a submission is all there is.
    confirms: bool = True
    # The policy options this provider takes (the dialog and the API render them).
    options: tuple[OptionField, ...] = ()

    def auth_note(self, mode: str) -> str | None:
        """A sentence about using auth `mode` with this provider, if it needs one."""
        return None

    def endpoint_note(self, endpoint: str) -> str | None:
        """A sentence when `endpoint` looks like the wrong address for this provider."""
        return None

    @abstractmethod
    def check_health(self, target: Target, http: HttpClient) -> CheckResult:
        """Tell whether the provider at `target` is reachable and usable."""

    def validate_options(self, values) -> dict:
        """The policy options, checked and normalised; raise OptionError naming each bad field."""
        unknown = {name: f"{self.name} takes no option named {name}." for name in values or {}
                   if name not in {option.name for option in self.options}}
        if unknown:
            raise OptionError(unknown)
        return {}

    def accepts(self, media_type: str | None) -> str | None:
        """Why this provider cannot preheat a manifest of `media_type`, or None when it can."""
        return None

    @abstractmethod
    def submit(self, target: Target, http: HttpClient, request: PreheatRequest) -> Submission:
        """Ask the provider to preheat one image; raise SubmitError saying whether to retry."""

    def progress(self, target: Target, http: HttpClient, job_id: str) -> Progress:
        """How far a job has got; raise ProgressError. Only for drivers that confirm."""
        raise NotImplementedError(f"{self.name} does not report preheat progress.")
