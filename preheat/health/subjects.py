"""What the background checks: provider instances by their drivers, registries by the client.

A subject names a table whose rows carry health columns, how its rows are
claimed, and the check one row gets. The engine, the claims and the group
commit are the same for every subject.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..providers import CheckResult
from ..transport import Target
from . import checks, claims


@dataclass(frozen=True)
class Subject:
    """A kind of row checked in the background."""

    jobs: str  # the engine jobs are `<jobs>.claim` and `<jobs>.check`
    noun: str
    claims: claims.Claims
    kind_of: Callable[[object], str]  # the provider or type that decides how to check
    check: Callable[[object, str, Target], CheckResult]  # (state, kind, target), never raises
    requests_per_check: int  # each within the HTTP client's deadline

    @property
    def model(self):
        return self.claims.model


INSTANCES = Subject("health", "instance", claims.INSTANCES, lambda row: row.vendor,
                    lambda state, vendor, target: checks.check(vendor, target, state.http),
                    requests_per_check=2)
# GET /v2/ and the catalog probe, each possibly answered with a challenge and a token.
REGISTRIES = Subject("health.registry", "registry", claims.REGISTRIES, lambda row: row.type,
                     lambda state, _type, target: checks.check_registry(state.registries,
                                                                        target),
                     requests_per_check=6)
