"""Registries (OCI Distribution v2): check one, list its repositories, tags and digests.

No Flask here, and no HTTP but through `preheat.transport`:

    client = RegistryClient(HttpClient())
    target = Target("https://registry.example", Credentials.basic("u", "p"))
    client.check(target)              # RegistryCheck: ok, reason, catalog_allowed
    namespaces(client.catalog(target))
    client.artifacts(target, "team/app", client.tags(target, "team/app"))
"""
from __future__ import annotations

from .artifacts import Artifact
from .check import RegistryCheck
from .client import RegistryClient
from .errors import CatalogNotAllowed, RegistryError
from .names import (DEFAULT_NAMESPACE, MANIFEST_TYPES, Namespace, manifest_url, namespace_of,
                    namespaces, reference_problem, repository_problem)

__all__ = ["Artifact", "CatalogNotAllowed", "DEFAULT_NAMESPACE", "MANIFEST_TYPES", "Namespace",
           "RegistryCheck", "RegistryClient", "RegistryError", "manifest_url", "namespace_of",
           "namespaces", "reference_problem", "repository_problem"]
