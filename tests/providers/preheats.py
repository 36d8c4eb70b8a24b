"""Building preheat requests for images the tests pushed, and a fake clock for the stand-ins."""
from __future__ import annotations

from preheat.providers import PROVIDERS, PreheatRequest
from preheat.registry import manifest_url

HOUR = 3600.0


def preheat_of(running, pushed, authorization=None, *, vendor="dragonfly", **options):
    """The request for a pushed image, its manifest URL on `running`'s address."""
    return PreheatRequest(pushed.repository, pushed.tag, pushed.digest, pushed.media_type,
                          manifest_url(running.url, pushed.repository, pushed.tag),
                          authorization, options=PROVIDERS[vendor].validate_options(options),
                          timeout=HOUR)


class Clock:
    """A clock that moves only when told: stand-ins' delays and rate limits without waiting."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
