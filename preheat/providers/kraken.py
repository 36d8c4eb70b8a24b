"""Kraken proxy (preheat server) driver: health, and one push notification per tag."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

from ..transport import HttpClient, Target
from .base import AUTH_MODE_LABELS, CheckResult, Provider
from .exchanges import post
from .preheating import PreheatRequest, Submission, SubmitError
from .probe import fetch, passed, status_text, unexpected_body, unexpected_status

NOTIFICATIONS = "/registry/notifications"
SUBMITTED = "submitted; Kraken does not confirm"
# The events Kraken's proxy keeps (proxy/proxyserver/registry_events.go): Docker schema 1 and 2.
WARMED = re.compile(r"application/vnd\.docker\.distribution\.manifest\.v\d\+(json|prettyjws)")
KINDS = {"application/vnd.oci.image.manifest.v1+json": "an OCI image manifest",
         "application/vnd.oci.image.index.v1+json": "an OCI image index",
         "application/vnd.docker.distribution.manifest.list.v2+json":
             "a Docker manifest list (multi-platform)"}


class Kraken(Provider):
    id = "kraken"
    name = "Kraken"
    version = "0.1.3"
    icon = "https://github.com/uber/kraken/blob/master/assets/kraken-logo-color.svg"
    maintainers = ("mmpei/peimingming@corp.netease.com",)
    source = "https://github.com/uber/kraken"
    auth_modes = ("NONE",)
    # Kraken answers 200 to every notification and reports nothing afterwards.
    confirms = False

    def auth_note(self, mode: str) -> str | None:
        if mode != "NONE" and mode in AUTH_MODE_LABELS:
            return (f"Kraken ignores credentials: {AUTH_MODE_LABELS[mode]} credentials are never"
                    " used. Choose NONE.")
        return None

    def check_health(self, target: Target, http: HttpClient) -> CheckResult:
        # Kraken ignores auth headers, so credentials are not sent at all.
        response, failure = fetch(http, target, "/health", authenticate=False)
        if failure:
            return failure
        if response.status != 200:
            return unexpected_status(response, "GET /health")
        if response.text.strip() != "OK" or response.truncated:
            return unexpected_body(response, "GET /health", "“OK”")
        note = self.auth_note(target.credentials.mode)
        return passed(response, "The Kraken preheat server is up." + (f" {note}" if note else ""))

    def accepts(self, media_type: str | None) -> str | None:
        if media_type and WARMED.fullmatch(media_type):
            return None
        kind = KINDS.get(media_type or "", "a manifest of another type")
        return (f"Kraken preheats only Docker schema 2 (and schema 1) image manifests; this is"
                f" {kind} ({media_type or 'no media type'}), which Kraken would drop without"
                " a word. Push it as a Docker schema 2 image, or preheat it with Dragonfly.")

    def submit(self, target: Target, http: HttpClient, request: PreheatRequest) -> Submission:
        refused = self.accepts(request.media_type)
        if refused:
            raise SubmitError(refused)
        response = post(http, target, NOTIFICATIONS, notification(request), "Kraken",
                        authenticate=False)
        if 200 <= response.status < 300:
            return Submission(None, "success", SUBMITTED)
        if response.status == 404:
            raise SubmitError(f"{status_text(404)} from POST {NOTIFICATIONS}: no Kraken preheat"
                              " server answers at this address (it is not on the proxy's"
                              " public port).", http_status=404)
        raise SubmitError(f"{status_text(response.status)} from POST {NOTIFICATIONS}.",
                          retry=response.status in (429, 503), http_status=response.status)


def notification(request: PreheatRequest, now: datetime | None = None,
                 event_id: str | None = None) -> dict:
    """The registry push notification Kraken reads, with Harbor's capitalised keys."""
    stamp = (now or datetime.now(timezone.utc)).isoformat().replace("+00:00", "Z")
    return {"Events": [{"Id": event_id or uuid.uuid4().hex, "TimeStamp": stamp,
                        "Action": "push",
                        "Target": {"MediaType": request.media_type, "Digest": request.digest,
                                   "Repository": request.repository,
                                   "Url": request.manifest_url, "Tag": request.tag}}]}
