"""What a tag points at: its digest, media type and, for an index, its platforms."""
from __future__ import annotations

import hashlib
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

from ..providers.probe import status_text
from ..transport import LARGEST_BODY, Target
from .errors import RegistryError
from .names import DIGEST, INDEX_TYPES, MANIFEST_TYPES, platform_name, reference_problem, \
    repository_problem

ACCEPT = {"Accept": ", ".join(MANIFEST_TYPES)}


@dataclass(frozen=True)
class Artifact:
    """A tag resolved: digest and media type, or the reason it could not be."""

    tag: str
    digest: str | None = None
    media_type: str | None = None
    platforms: tuple[str, ...] = ()
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None

    @property
    def is_index(self) -> bool:
        return self.media_type in INDEX_TYPES


def artifact(client, target: Target, repository: str, tag: str,
             deadline: float | None = None) -> Artifact:
    """Resolve one tag (HEAD, and GET for an index to read its platforms); raise RegistryError."""
    problem = repository_problem(repository) or reference_problem(tag)
    if problem:
        raise RegistryError(problem)
    path = f"/v2/{repository}/manifests/{tag}"
    head = client.send(target, "HEAD", path, headers=ACCEPT, deadline=deadline)
    _expect_found(head, repository, tag, f"HEAD {path}")
    media_type = _media_type(head.headers.get("Content-Type"))
    digest = head.headers.get("Docker-Content-Digest", "")
    if media_type not in INDEX_TYPES and DIGEST.fullmatch(digest):
        return Artifact(tag, digest, media_type)
    # An index (to read its platforms), or a registry that gave no digest on HEAD.
    got = client.send(target, "GET", path, headers=ACCEPT, deadline=deadline,
                      max_body=LARGEST_BODY)
    _expect_found(got, repository, tag, f"GET {path}")
    actual = "sha256:" + hashlib.sha256(got.body).hexdigest()
    if got.truncated or (DIGEST.fullmatch(digest) and digest != actual):
        raise RegistryError(f"The manifest of {repository}:{tag} does not match its digest"
                            f" {digest or '(none given)'}.")
    media_type = _media_type(got.headers.get("Content-Type"))
    return Artifact(tag, actual, media_type, _platforms(got.json()) if media_type in INDEX_TYPES
                    else ())


def artifacts(client, target: Target, repository: str, tags, *, concurrency: int = 8,
              deadline: float | None = None) -> list[Artifact]:
    """Resolve many tags at once, within one deadline; in the tags' order, failures with reasons."""
    tags = list(tags)
    budget = float(deadline or client.http.deadline)
    ends = time.monotonic() + budget
    pool = ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(tags) or 1)))
    try:
        futures = [pool.submit(_one, client, target, repository, tag, ends) for tag in tags]
        wait(futures, timeout=budget)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    late = f"Not resolved within {budget:g} s: the registry answers too slowly."
    return [future.result() if future.done() and not future.cancelled()
            else Artifact(tag, reason=late) for tag, future in zip(tags, futures)]


def _one(client, target: Target, repository: str, tag: str, ends: float) -> Artifact:
    remaining = ends - time.monotonic()
    if remaining <= 0:
        return Artifact(tag, reason="Not resolved: the deadline passed first.")
    try:
        return artifact(client, target, repository, tag, deadline=remaining)
    except RegistryError as error:
        return Artifact(tag, reason=error.reason)


def _expect_found(response, repository: str, tag: str, what: str) -> None:
    if response.status == 200:
        return
    if response.status == 404:
        raise RegistryError(f"The tag {tag} does not exist in {repository} (or the"
                            f" repository does not).", 404)
    if response.status in (401, 403):
        raise RegistryError(f"The registry does not let these credentials pull"
                            f" {repository} ({status_text(response.status)} from {what}).",
                            response.status)
    raise RegistryError(f"{status_text(response.status)} from {what}.", response.status)


def _media_type(value: str | None) -> str | None:
    kind = (value or "").split(";", 1)[0].strip().lower()
    return kind or None


def _platforms(body) -> tuple[str, ...]:
    entries = body.get("manifests") if isinstance(body, dict) else None
    names = [platform_name(entry.get("platform")) for entry in entries or []
             if isinstance(entry, dict)]
    return tuple(name for name in names if name)
