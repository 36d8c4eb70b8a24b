"""Registry vocabulary without the network: media types, name grammar, namespaces, URLs."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+prettyjws"
MANIFEST_TYPES = (OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST, DOCKER_SCHEMA1)
INDEX_TYPES = (OCI_INDEX, DOCKER_LIST)
# The namespace Docker gives a repository whose name has no slash (alpine is library/alpine).
DEFAULT_NAMESPACE = "library"

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*"
REPOSITORY = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
REPOSITORY_MAX = 255
TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


@dataclass(frozen=True)
class Namespace:
    """One namespace of a registry: its name and the repositories in it (full paths)."""

    name: str
    repositories: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.repositories)


def namespace_of(repository: str) -> str:
    """The namespace a repository belongs to: its first component, or `library`."""
    head, slash, _ = repository.partition("/")
    return head if slash else DEFAULT_NAMESPACE


def namespaces(repositories) -> list[Namespace]:
    """Group repository names into namespaces, sorted by name, each keeping real paths."""
    groups: dict[str, list[str]] = {}
    for name in repositories:
        groups.setdefault(namespace_of(name), []).append(name)
    return [Namespace(name, tuple(sorted(members))) for name, members in sorted(groups.items())]


def repository_problem(name: str) -> str | None:
    """Why `name` is not a valid repository name, or None when it is."""
    if not name:
        return "A repository name is required."
    if len(name) > REPOSITORY_MAX:
        return f"A repository name has at most {REPOSITORY_MAX} characters."
    if not REPOSITORY.fullmatch(name):
        return (f"{name[:80]!r} is not a repository name: lowercase letters, digits and"
                " separators (. _ -) in components joined by /.")
    return None


def reference_problem(reference: str) -> str | None:
    """Why `reference` is neither a tag nor a sha256 digest, or None when it is one."""
    if TAG.fullmatch(reference or "") or DIGEST.fullmatch(reference or ""):
        return None
    return f"{(reference or '')[:80]!r} is neither a tag nor a sha256 digest."


def manifest_url(base_url: str, repository: str, reference: str) -> str:
    """`<base>/v2/<name>/manifests/<reference>`: the URL a P2P provider pulls an image by."""
    return f"{base_url.rstrip('/')}/v2/{repository}/manifests/{quote(reference, safe=':')}"


def platform_name(platform: dict | None) -> str | None:
    """`os/arch[/variant]` of a manifest list entry's platform, or None if it names none."""
    if not isinstance(platform, dict):
        return None
    parts = [platform.get("os"), platform.get("architecture"), platform.get("variant")]
    if not all(isinstance(part, str) and part for part in parts[:2]):
        return None
    return "/".join(part for part in parts if isinstance(part, str) and part)
