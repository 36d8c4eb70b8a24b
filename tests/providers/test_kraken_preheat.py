"""Kraken preheats: one push notification per tag, Docker manifests only, never confirmed."""
from datetime import datetime

import pytest

from preheat.providers import PROVIDERS, PreheatRequest, SubmitError
from preheat.transport import Credentials, Target
from tests.providers.faults import free_port
from tests.providers.preheats import preheat_of
from tests.registry.fixtures import pusher_for

KRAKEN = PROVIDERS["kraken"]
DOCKER = "application/vnd.docker.distribution.manifest.v2+json"


def test_a_docker_image_is_one_notification_with_harbors_keys(kraken, http, open_registry,
                                                               repo):
    pushed = pusher_for(open_registry).image(repo, "1.0", kind="docker")
    request = preheat_of(open_registry, pushed, vendor="kraken")
    submitted = KRAKEN.submit(Target(kraken.url, Credentials.bearer("ignored-token")), http,
                              request)
    assert (submitted.job_id, submitted.state, submitted.message) == (
        None, "success", "submitted; Kraken does not confirm")
    [notification] = kraken.state["notifications"]
    [event] = notification["Events"]
    assert datetime.fromisoformat(event.pop("TimeStamp")).tzinfo is not None
    assert len(event.pop("Id")) == 32
    assert event == {"Action": "push", "Target": {
        "MediaType": DOCKER, "Digest": pushed.digest, "Repository": repo,
        "Url": f"{open_registry.url}/v2/{repo}/manifests/1.0", "Tag": "1.0"}}
    assert "Authorization" not in kraken.requests[-1][2]  # Kraken ignores credentials
    assert KRAKEN.confirms is False


@pytest.mark.parametrize("media_type, kind", [
    ("application/vnd.oci.image.manifest.v1+json", "an OCI image manifest"),
    ("application/vnd.oci.image.index.v1+json", "an OCI image index"),
    ("application/vnd.docker.distribution.manifest.list.v2+json",
     "a Docker manifest list (multi-platform)"),
])
def test_what_kraken_would_drop_is_refused_before_anything_is_sent(kraken, http, media_type,
                                                                   kind):
    request = PreheatRequest("library/app", "1.0", "sha256:" + "cd" * 32, media_type,
                             "http://registry.example/v2/library/app/manifests/1.0")
    reason = (f"Kraken preheats only Docker schema 2 (and schema 1) image manifests; this is"
              f" {kind} ({media_type}), which Kraken would drop without a word. Push it as a"
              " Docker schema 2 image, or preheat it with Dragonfly.")
    assert KRAKEN.accepts(media_type) == reason
    with pytest.raises(SubmitError) as refused:
        KRAKEN.submit(Target(kraken.url), http, request)
    assert (refused.value.reason, refused.value.retry) == (reason, False)
    assert kraken.requests == []


def test_docker_schema_1_and_2_are_accepted():
    assert KRAKEN.accepts(DOCKER) is None
    assert KRAKEN.accepts("application/vnd.docker.distribution.manifest.v1+prettyjws") is None


def test_kraken_takes_no_policy_options():
    assert KRAKEN.options == ()
    assert KRAKEN.validate_options({}) == {}
    with pytest.raises(ValueError) as refused:
        KRAKEN.validate_options({"scope": "all_peers"})
    assert refused.value.errors == {"scope": "Kraken takes no option named scope."}


def test_an_unreachable_kraken_is_retried(http):
    request = PreheatRequest("library/app", "1.0", "sha256:" + "cd" * 32, DOCKER,
                             "http://registry.example/v2/library/app/manifests/1.0")
    with pytest.raises(SubmitError) as refused:
        KRAKEN.submit(Target(f"http://127.0.0.1:{free_port()}"), http, request)
    assert (refused.value.retry, refused.value.maybe_submitted) == (True, False)
