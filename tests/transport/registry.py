"""A tiny Distribution-API server and token service: enough to drive the client's registry calls.

Not a registry (the registries issue brings Debian's real one): it answers
the few shapes the client must handle, and records what it was sent.
"""
from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

from tests.providers.server import QuietHandler, serve

TOKEN = "pull-token-7f3a9c"
USER, PASSWORD = "puller", "pw-canary-registry-41"
API_VERSION = {"Docker-Distribution-API-Version": "registry/2.0"}
MANIFEST = json.dumps({"schemaVersion": 2,
                       "mediaType": "application/vnd.oci.image.manifest.v1+json"}).encode()
DIGEST = "sha256:" + "ab" * 32


class RegistryHandler(QuietHandler):
    """/v2/ behind a Bearer challenge, a paged catalog and one manifest.

    state: realm (the token service's URL), repositories (the catalog),
    big_catalog (bytes of a catalog too big for the default cap).
    """

    def do_GET(self):
        parts = urlsplit(self.path)
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            realm = self.server.state["realm"]
            return self.send_json(401, {"errors": [{"code": "UNAUTHORIZED"}]}, {
                **API_VERSION,
                "WWW-Authenticate": f'Bearer realm="{realm}",service="standin"'})
        if parts.path == "/v2/":
            return self.send_json(200, {}, API_VERSION)
        if parts.path == "/v2/_catalog":
            return self._catalog(parse_qs(parts.query))
        if parts.path == "/v2/big/_catalog":
            return self.send_body(200, self.server.state["big_catalog"], "application/json")
        if parts.path == "/v2/library/alpine/manifests/3.20":
            return self.send_body(200, MANIFEST, "application/vnd.oci.image.manifest.v1+json",
                                  {**API_VERSION, "Docker-Content-Digest": DIGEST})
        self.send_json(404, {"errors": [{"code": "NAME_UNKNOWN"}]}, API_VERSION)

    do_HEAD = do_GET

    def _catalog(self, query):
        """Pages of `n`, strictly after `last`, with a relative Link as 2.8.2 writes it."""
        size = int(query.get("n", ["100"])[0])
        after = query.get("last", [""])[0]
        names = [name for name in self.server.state["repositories"] if name > after][:size]
        headers = dict(API_VERSION)
        if len(names) == size:
            last = names[-1].replace("/", "%2F")
            headers["Link"] = f'</v2/_catalog?last={last}&n={size}>; rel="next"'
        self.send_json(200, {"repositories": names}, headers)


class TokenHandler(QuietHandler):
    """A token service: a token for the right Basic credentials, 401 otherwise."""

    def do_GET(self):
        expected = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {expected}":
            return self.send_json(401, {"details": "bad credentials"})
        self.send_json(200, {"token": TOKEN, "expires_in": 60})


def serve_registry(realm: str, repositories=(), big_catalog: bytes = b"", **options):
    """The registry stand-in on a free port, sending clients to the token service at `realm`."""
    state = {"realm": realm, "repositories": sorted(repositories), "big_catalog": big_catalog}
    return serve(RegistryHandler, state, **options)


def serve_token_service(**options):
    """The token service stand-in on a free port."""
    return serve(TokenHandler, **options)
