"""Provider drivers behind one interface, and the registry that lists them."""
from __future__ import annotations

from .base import AUTH_MODE_LABELS, CheckResult, Provider
from .dragonfly import Dragonfly
from .kraken import Kraken
from .preheating import (OptionError, OptionField, Peer, PreheatRequest, Progress, ProgressError,
                         Submission, SubmitError)

PROVIDERS: dict[str, Provider] = {provider.id: provider for provider in (Dragonfly(), Kraken())}
DEFAULT_PROVIDER = "dragonfly"


def get_provider(provider_id: str) -> Provider | None:
    """Return the driver registered under `provider_id`, if any."""
    return PROVIDERS.get(provider_id)


__all__ = ["PROVIDERS", "DEFAULT_PROVIDER", "AUTH_MODE_LABELS", "CheckResult", "OptionError",
           "OptionField", "Peer", "PreheatRequest", "Progress", "ProgressError", "Provider",
           "Submission", "SubmitError", "get_provider"]
