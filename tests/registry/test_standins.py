"""What docker-registry 2.8.2 never does but other registries may: paged tags, slow answers."""
import threading
import time
from urllib.parse import parse_qs, urlsplit

from preheat.registry import RegistryClient
from preheat.transport import HttpClient, Target
from tests.providers.server import QuietHandler, serve

API = {"Docker-Distribution-API-Version": "registry/2.0"}
DIGEST = "sha256:" + "c" * 64


class PagedTags(QuietHandler):
    """Tags two per page, unsorted, with a relative Link; a second repository with null tags."""

    def do_GET(self):
        parts = urlsplit(self.path)
        if parts.path == "/v2/empty/app/tags/list":
            return self.send_json(200, {"name": "empty/app", "tags": None}, API)
        pages = {"": (["v10", "v9"], "v9"), "v9": (["v1", "latest"], "latest"),
                 "latest": (["v2"], None)}
        tags, last = pages[parse_qs(parts.query).get("last", [""])[0]]
        headers = dict(API)
        if last:
            headers["Link"] = f'</v2/team/app/tags/list?n=2&last={last}>; rel="next"'
        self.send_json(200, {"name": "team/app", "tags": tags}, headers)


class SlowManifests(QuietHandler):
    """Every manifest HEAD takes 50 ms; counts how many are in flight at once."""

    def do_HEAD(self):
        state = self.server.state
        with state["lock"]:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.05)
        with state["lock"]:
            state["now"] -= 1
        self.send_body(200, b"", "application/vnd.oci.image.manifest.v1+json",
                       {**API, "Docker-Content-Digest": DIGEST})


def test_tag_pages_are_followed_and_sorted(client, started):
    server = started(serve, PagedTags)
    target = Target(server.url)
    assert client.tags(target, "team/app") == ["latest", "v1", "v2", "v9", "v10"]
    assert client.requests_made == 3
    assert client.tags(target, "empty/app") == []


def test_artifacts_run_at_most_concurrency_requests_at_once(started):
    server = started(serve, SlowManifests, {"lock": threading.Lock(), "now": 0, "most": 0})
    client = RegistryClient(HttpClient(timeout=2.0, deadline=5.0))
    started_at = time.monotonic()
    found = client.artifacts(Target(server.url), "team/app", [f"v{i}" for i in range(12)],
                             concurrency=4)
    elapsed = time.monotonic() - started_at
    assert [a.digest for a in found] == [DIGEST] * 12
    assert server.state["most"] == 4
    assert 0.15 <= elapsed < 0.6  # three rounds of four, not twelve one after the other
