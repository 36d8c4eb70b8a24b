"""How Preheat reaches the network: one guarded HTTP client for every endpoint.

`client.HttpClient` is the only way in: timeouts and a deadline per call, a
bounded body, no redirect followed, the denylist checked at connect time
(`connect`, `denylist`) and reasons that never carry a secret (`untrusted`).
Provider drivers and the registry client are built on it; nothing here
knows a provider or a registry.
"""
from __future__ import annotations

from .client import DEFAULT_MAX_BODY, DEFAULT_TIMEOUT, LARGEST_BODY, HttpClient
from .response import HttpFailure, HttpResponse, next_url, parse_challenges, parse_links
from .target import Credentials, Target, secrets_of

__all__ = ["DEFAULT_MAX_BODY", "DEFAULT_TIMEOUT", "LARGEST_BODY", "Credentials", "HttpClient",
           "HttpFailure", "HttpResponse", "Target", "next_url", "parse_challenges", "parse_links",
           "secrets_of"]
