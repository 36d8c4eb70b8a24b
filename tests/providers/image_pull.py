"""How the Dragonfly manager and its peers pull an image from a registry (registry.md, section 6).

The manager splits the manifest URL, fetches the manifest with the given
headers plus one Accept per manifest type (no /v2/ ping when an
Authorization header is given; else the challenge's anonymous or Basic
flow), resolves an index by platform, and hands the config and layer URLs
to the peers with the headers and the token it captured. Errors read as
the manager's do: "failed to pull image manifest: unauthorized: ...".
"""
from __future__ import annotations

import base64
import http.client
import json
import re
import ssl
from urllib.parse import urlencode, urlsplit

from preheat.transport import parse_challenges

MANIFEST_URL = re.compile(r"^(.*)://(.*)/v2/(.*)/manifests/(.*)")
ACCEPTS = ("application/vnd.docker.distribution.manifest.v1+prettyjws",
           "application/vnd.docker.distribution.manifest.v2+json",
           "application/vnd.docker.distribution.manifest.list.v2+json",
           "application/vnd.oci.image.manifest.v1+json",
           "application/vnd.oci.image.index.v1+json")
INDEXES = ACCEPTS[2], ACCEPTS[4]
# What the manager assumes when no platform is asked for: its own host's.
HOST_PLATFORM = "linux/amd64"
TIMEOUT = 5.0


class PullFailure(Exception):
    """The registry refused or failed a request; the message is the manager's wording."""


def get(url: str, headers) -> tuple[int, dict, bytes]:
    """One GET with `headers` (a list of pairs: a name may repeat); no redirects followed."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.netloc, timeout=TIMEOUT,
                                                 context=ssl._create_unverified_context())
    else:
        connection = http.client.HTTPConnection(parts.netloc, timeout=TIMEOUT)
    try:
        connection.putrequest("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        for name, value in headers:
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    except OSError as error:
        raise PullFailure(f"Get \"{url}\": {error}") from None
    finally:
        connection.close()


def registry_error(status: int, body: bytes) -> str:
    """The registry's error as Go's registry client words it ("unauthorized: authentication required")."""
    try:
        errors = json.loads(body)["errors"]
        return "; ".join(f"{e['code'].lower().replace('_', ' ')}: {e['message']}" for e in errors)
    except (ValueError, KeyError, TypeError, AttributeError):
        return f"unexpected status code {status}: {body[:100].decode(errors='replace')}"


def resolve(url: str, headers: dict, username: str = "", password: str = "",
            platform: str = "") -> tuple[list[str], dict]:
    """The blob URLs (config and layers) of the image, and the headers its layer tasks get."""
    match = MANIFEST_URL.match(url)
    if not match:
        raise PullFailure(f"invalid manifest url {url}")
    scheme, host, name, _ = match.groups()
    headers = dict(headers or {})
    if not headers.get("Authorization"):
        token = _authenticate(f"{scheme}://{host}", name, username, password)
        if token:
            headers["Authorization"] = token
    manifests = _manifests(url, headers, platform or HOST_PLATFORM)
    if not manifests:
        raise PullFailure(f"no matching manifest for platform {platform or HOST_PLATFORM}")
    base = f"{scheme}://{host}/v2/{name}/blobs/"
    blobs = [base + digest for manifest in manifests for digest in _references(manifest)]
    # Against a Basic-only registry nothing is captured: the layer tasks go out with an
    # empty Authorization, as the real manager sends them.
    headers.setdefault("Authorization", "")
    return blobs, headers


def _authenticate(origin: str, name: str, username: str, password: str) -> str:
    status, answer, _ = get(origin + "/v2/", [])
    if status != 401:
        return ""
    challenges = dict(parse_challenges(answer.get("www-authenticate")))
    basic = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
    if "bearer" in challenges:
        params = challenges["bearer"]
        query = {"service": params.get("service", ""), "scope": f"repository:{name}:pull"}
        if username:
            query["account"] = username
        status, _, body = get(params.get("realm", "") + "?" + urlencode(query),
                              [("Authorization", basic)] if username and password else [])
        if status != 200:
            raise PullFailure("failed to authenticate with registry: "
                              + registry_error(status, body))
        data = json.loads(body)
        return "Bearer " + (data.get("token") or data.get("access_token") or "")
    return basic if "basic" in challenges and username and password else ""


def _manifests(url: str, headers: dict, platform: str) -> list[dict]:
    sent = list(headers.items()) + [("Accept", accept) for accept in ACCEPTS]
    status, answer, body = get(url, sent)
    if status != 200:
        raise PullFailure("failed to pull image manifest: " + registry_error(status, body))
    manifest = json.loads(body)
    kind = answer.get("content-type", "").split(";")[0]
    if kind not in INDEXES:
        return [manifest]
    base = url.rsplit("/manifests/", 1)[0] + "/manifests/"
    return [child for entry in manifest.get("manifests", []) if _matches(entry, platform)
            for child in _manifests(base + entry["digest"], headers, platform)]


def _matches(entry: dict, platform: str) -> bool:
    wanted = platform.split("/")
    got = entry.get("platform") or {}
    if [got.get("os"), got.get("architecture")] != wanted[:2]:
        return False
    return len(wanted) < 3 or got.get("variant") == wanted[2]


def _references(manifest: dict) -> list[str]:
    if manifest.get("schemaVersion") == 1:
        return [layer["blobSum"] for layer in manifest.get("fsLayers", [])]
    return [manifest["config"]["digest"]] + [layer["digest"] for layer in manifest["layers"]]


def download(url: str, headers: dict) -> str | None:
    """What a peer's download of one blob says: None when it worked, else the failure."""
    try:
        status, _, body = get(url, list(headers.items()))
    except PullFailure as failure:
        return str(failure)
    if status == 200:
        return None
    return f"download {url} failed: status code {status}: {registry_error(status, body)}"
