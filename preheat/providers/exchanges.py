"""How a preheat's HTTP exchanges turn into SubmitError and ProgressError: shared by the drivers."""
from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

from ..transport import HttpClient, HttpFailure, Target
from .preheating import ProgressError, SubmitError

# A Retry-After further away than this is read as this: a policy run is not parked for days.
LONGEST_RETRY_AFTER = 600.0


def post(http: HttpClient, target: Target, path: str, body, provider: str, **options):
    """POST `body`; a failure becomes a SubmitError that says whether the provider got it."""
    try:
        return http.request("POST", target, path, json=body, **options)
    except HttpFailure as failure:
        if not failure.sent:
            # Nothing reached the provider: trying again is safe, and worth it unless
            # the failure lasts (a denied address, an untrusted certificate).
            raise SubmitError(failure.reason, retry=failure.transient) from None
        raise SubmitError(f"{failure.reason} The request was sent, so the job may exist on"
                          f" {provider}: it is not sent again, which could make a second"
                          " job.", maybe_submitted=True) from None


def get(http: HttpClient, target: Target, path: str, **options):
    """GET `path`; a failure becomes a ProgressError, worth retrying unless it lasts."""
    try:
        return http.get(target, path, **options)
    except HttpFailure as failure:
        raise ProgressError(failure.reason, retry=failure.transient or failure.sent) from None


def retry_after(response, clock=time.time) -> float | None:
    """The seconds a Retry-After header asks to wait (delay or HTTP date), or None."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - clock()
        except (TypeError, ValueError, OverflowError):
            return None
    return min(max(seconds, 0.0), LONGEST_RETRY_AFTER)
