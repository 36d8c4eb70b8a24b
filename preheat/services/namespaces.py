"""The namespaces a registry's catalog holds, for picking a project name."""
from __future__ import annotations

from ..crypto import SecretBox, SecretError
from ..models import Registry
from ..registry import Namespace, RegistryClient, RegistryError, namespaces
from ..transport import HttpClient
from . import registries


def namespaces_in(box: SecretBox, registry: Registry, http: HttpClient) -> list[Namespace]:
    """Each namespace of the registry with its repositories; raise RegistryError saying why not.

    Repositories without a namespace count under `library`; every request
    keeps to the HTTP client's timeouts.
    """
    try:
        target = registries.target(box, registry)
    except SecretError as error:
        raise RegistryError(f"the {error}.") from None
    return namespaces(RegistryClient(http).catalog(target))
