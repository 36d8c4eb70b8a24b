"""The Dragonfly stand-in pulls as the manager does, and keeps up with thousands of jobs."""
import hashlib
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from preheat.providers import PROVIDERS, PreheatRequest, SubmitError
from tests.providers.image_pull import ACCEPTS
from tests.providers.server import QuietHandler, serve

DRAGONFLY = PROVIDERS["dragonfly"]
CONFIG, LAYER = b'{"os":"linux","architecture":"amd64"}', b"layer bytes"


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


MANIFEST = json.dumps({"schemaVersion": 2,
                       "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                       "config": {"digest": digest(CONFIG)},
                       "layers": [{"digest": digest(LAYER)}]}).encode()


class RecordingRegistry(QuietHandler):
    """One image; records every request's Accept values and Authorization."""

    def do_GET(self):
        self.server.state.setdefault("seen", []).append(
            (self.path, self.headers.get_all("Accept"), self.headers.get("Authorization")))
        if self.path.endswith("/manifests/1.0"):
            return self.send_body(200, MANIFEST, "application/vnd.docker.distribution"
                                                 ".manifest.v2+json")
        blobs = {digest(CONFIG): CONFIG, digest(LAYER): LAYER}
        name = self.path.rsplit("/", 1)[-1]
        if name in blobs:
            return self.send_body(200, blobs[name], "application/octet-stream")
        self.send_json(404, {"errors": [{"code": "BLOB_UNKNOWN", "message": "blob unknown"}]})


def request(url: str, tag: str = "1.0", authorization: str | None = "Bearer given") -> PreheatRequest:
    return PreheatRequest("team/app", tag, digest(MANIFEST),
                          "application/vnd.docker.distribution.manifest.v2+json",
                          f"{url}/v2/team/app/manifests/{tag}", authorization,
                          options={"scope": "all_peers"})


def test_the_manifest_gets_every_accept_and_the_blobs_only_the_headers(manager, http, clock,
                                                                       started):
    registry = started(serve, RecordingRegistry)
    dragonfly = manager()
    submitted = DRAGONFLY.submit(dragonfly.target, http, request(registry.url))
    clock.advance(1.0)
    assert DRAGONFLY.progress(dragonfly.target, http, submitted.job_id).state == "success"
    assert registry.state["seen"] == [
        ("/v2/team/app/manifests/1.0", list(ACCEPTS), "Bearer given"),
        (f"/v2/team/app/blobs/{digest(CONFIG)}", None, "Bearer given"),
        (f"/v2/team/app/blobs/{digest(LAYER)}", None, "Bearer given"),
    ]


def test_without_a_header_the_manager_pings_and_the_layers_go_out_empty(manager, http, clock,
                                                                        started):
    registry = started(serve, RecordingRegistry)
    dragonfly = manager()
    submitted = DRAGONFLY.submit(dragonfly.target, http, request(registry.url,
                                                                  authorization=None))
    clock.advance(1.0)
    DRAGONFLY.progress(dragonfly.target, http, submitted.job_id)
    seen = registry.state["seen"]
    assert [path for path, _, _ in seen][:2] == ["/v2/", "/v2/team/app/manifests/1.0"]
    assert seen[-1][2] == ""  # an empty Authorization, as the real manager sends


def test_jobs_stay_pending_until_their_delay_is_over(manager, http, clock):
    dragonfly = manager(delay=10.0, fetch=False)
    submitted = DRAGONFLY.submit(dragonfly.target, http, request("http://r.example"))
    clock.advance(9.9)
    assert DRAGONFLY.progress(dragonfly.target, http, submitted.job_id).state == "pending"
    clock.advance(0.1)
    assert DRAGONFLY.progress(dragonfly.target, http, submitted.job_id).state == "success"
    assert dragonfly.book.polls == 2 and dragonfly.book.poll_times == [1009.9, 1010.0]


def test_released_jobs_end_after_the_delay_given_and_refusals_are_counted(manager, http, clock):
    dragonfly = manager(delay=1e6, rate=1.0, fetch=False)
    held = DRAGONFLY.submit(dragonfly.target, http, request("http://r.example"))
    assert dragonfly.book.created_times == [1000.0]
    clock.advance(5.0)
    dragonfly.book.release(30.0)
    later = DRAGONFLY.submit(dragonfly.target, http, request("http://r.example", "2.0"))
    with pytest.raises(SubmitError) as refused:
        DRAGONFLY.submit(dragonfly.target, http, request("http://r.example", "3.0"))
    assert refused.value.http_status == 429 and dragonfly.book.refusals == 1
    clock.advance(29.9)
    assert DRAGONFLY.progress(dragonfly.target, http, held.job_id).state == "pending"
    clock.advance(0.1)
    assert DRAGONFLY.progress(dragonfly.target, http, held.job_id).state == "success"
    assert DRAGONFLY.progress(dragonfly.target, http, later.job_id).state == "success"


JOBS = 500


def test_hundreds_of_jobs_are_counted_per_manifest_url(manager, http):
    dragonfly = manager(fetch=False)

    def one(i):
        submitted = DRAGONFLY.submit(dragonfly.target, http, request("http://r.example", f"t{i}"))
        return DRAGONFLY.progress(dragonfly.target, http, submitted.job_id).state
    with ThreadPoolExecutor(8) as pool:
        states = list(pool.map(one, range(JOBS)))
    assert set(states) == {"success"}
    assert len(dragonfly.book.submissions) == JOBS
    assert set(dragonfly.book.submissions.values()) == {1}
    assert dragonfly.book.polls == JOBS
