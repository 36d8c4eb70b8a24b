"""Push small test images to a registry you own: single images, two-platform indexes, many tags.

Blobs go up once per repository (POST, then a monolithic PUT; skipped when a
HEAD finds them), then each tag costs one manifest PUT. Requests go through
the guarded transport like every other call, so its JSON bodies are the
blobs: a registry never looks inside a blob, and a manifest's digest is that
of the exact bytes sent, which `_body` reproduces.
"""
from __future__ import annotations

import hashlib
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote

from ..providers.probe import status_text
from ..transport import Target
from .client import RegistryClient
from .errors import RegistryError
from .listing import _code
from .names import (DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, reference_problem,
                    repository_problem)

KINDS = {
    "oci": {"manifest": OCI_MANIFEST, "index": OCI_INDEX,
            "config": "application/vnd.oci.image.config.v1+json",
            "layer": "application/vnd.oci.image.layer.v1.tar+gzip"},
    "docker": {"manifest": DOCKER_MANIFEST, "index": DOCKER_LIST,
               "config": "application/vnd.docker.container.image.v1+json",
               "layer": "application/vnd.docker.image.rootfs.diff.tar.gzip"},
}
BLOB = {"Content-Type": "application/octet-stream"}


@dataclass(frozen=True)
class Pushed:
    """What a push stored: the tag's digest and media type, and an index's children by platform."""

    repository: str
    tag: str
    digest: str
    media_type: str
    children: tuple[tuple[str, str], ...] = ()


class Pusher:
    """Pushes to one registry as its target's credentials allow (Basic or Bearer)."""

    def __init__(self, client: RegistryClient, target: Target):
        self.client, self.target = client, target
        self._blobs: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def image(self, repository: str, tag: str | None, *, kind: str = "oci",
              platform: str = "linux/amd64") -> Pushed:
        """Push one image (config + one layer) and tag it; `tag=None` pushes it by digest."""
        media = KINDS[kind]
        config = self._blob(repository, _config(platform), media["config"])
        layer = self._blob(repository, f"layer of {repository} for {platform}", media["layer"])
        manifest = {"schemaVersion": 2, "mediaType": media["manifest"], "config": config,
                    "layers": [layer]}
        if tag:
            # Each tag its own digest, from the same blobs.
            manifest["annotations"] = {"org.opencontainers.image.version": tag}
        return self._manifest(repository, tag, manifest)

    def index(self, repository: str, tag: str, *, kind: str = "oci",
              platforms=("linux/amd64", "linux/arm64")) -> Pushed:
        """Push one image per platform by digest, then the index naming them at `tag`."""
        children = [(platform, self.image(repository, None, kind=kind, platform=platform))
                    for platform in platforms]
        entries = [{"mediaType": child.media_type, "size": len(child.body), "digest": child.digest,
                    "platform": _platform(platform)} for platform, child in children]
        pushed = self._manifest(repository, tag, {"schemaVersion": 2,
                                                  "mediaType": KINDS[kind]["index"],
                                                  "manifests": entries})
        return Pushed(repository, tag, pushed.digest, pushed.media_type,
                      tuple((platform, child.digest) for platform, child in children))

    def images(self, repository: str, tags, *, kind: str = "oci",
               concurrency: int = 8) -> dict[str, str]:
        """Push one image under each tag (the blobs once); return {tag: digest}."""
        tags = list(tags)
        if not tags:
            return {}
        first = self.image(repository, tags[0], kind=kind)
        with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
            rest = pool.map(lambda tag: self.image(repository, tag, kind=kind), tags[1:])
            return {first.tag: first.digest, **{each.tag: each.digest for each in rest}}

    def _blob(self, repository: str, value, media_type: str) -> dict:
        """Upload `value` as a blob unless the repository has it; return its descriptor."""
        body = _body(value)
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        descriptor = {"mediaType": media_type, "size": len(body), "digest": digest}
        with self._lock:
            if (repository, digest) in self._blobs:
                return descriptor
        base = f"/v2/{repository}/blobs/"
        if self._send("HEAD", base + digest, (200, 404)).status != 200:
            started = self._send("POST", base + "uploads/", (202,))
            location = started.headers.get("Location", "")
            if not location:
                raise RegistryError(f"POST {base}uploads/ answered without a Location.")
            joiner = "&" if "?" in location else "?"
            self._send("PUT", f"{location}{joiner}digest={quote(digest)}", (201,),
                       json=value, headers=BLOB)
        with self._lock:
            self._blobs.add((repository, digest))
        return descriptor

    def _manifest(self, repository: str, reference: str | None, manifest: dict) -> _Stored:
        body = _body(manifest)
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        path = f"/v2/{repository}/manifests/{reference or digest}"
        problem = repository_problem(repository) or reference_problem(reference or digest)
        if problem:
            raise RegistryError(problem)
        answer = self._send("PUT", path, (201,), json=manifest,
                            headers={"Content-Type": manifest["mediaType"]})
        stored = answer.headers.get("Docker-Content-Digest", digest)
        if stored != digest:
            raise RegistryError(f"The registry stored {repository}:{reference} under"
                                f" {stored}, not {digest}.")
        return _Stored(repository, reference or "", digest, manifest["mediaType"], body=body)

    def _send(self, method: str, path: str, expected, **options):
        response = self.client.send(self.target, method, path, **options)
        if response.status not in expected:
            shown = path.split("?", 1)[0]
            if "://" in shown:
                shown = "/v2/" + shown.partition("/v2/")[2]
            raise RegistryError(f"{status_text(response.status)} from {method} {shown}"
                                + _code(response) + self._why(response.status),
                                response.status)
        return response


    def _why(self, status: int) -> str:
        if status not in (401, 403):
            return "."
        if self.target.credentials.mode == "NONE":
            return ": the registry asks for credentials, and none were given."
        return ": the registry refused these credentials."


@dataclass(frozen=True)
class _Stored(Pushed):
    body: bytes = b""


def _body(value) -> bytes:
    """The bytes the transport sends for `value` as a JSON body (requests' own encoding)."""
    return json.dumps(value, allow_nan=False).encode("utf-8")


def _platform(name: str) -> dict:
    os_name, arch, *variant = name.split("/")
    return {"architecture": arch, "os": os_name, **({"variant": variant[0]} if variant else {})}


def _config(platform: str) -> dict:
    return {**_platform(platform), "rootfs": {"type": "layers", "diff_ids": []},
            "history": [{"created_by": "python -m preheat.registry.fill"}]}
