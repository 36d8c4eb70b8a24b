"""Prometheus metrics: what the app counts where work happens, and what `/metrics` serves.

The counters and histograms here count in the process that does the work,
on prometheus-client's default registry (so a host's own exposition shows
them too); with PROMETHEUS_MULTIPROC_DIR set, every process writes them to
that folder and a scrape sums them all. What the database knows (instances
by health, executions and tasks by status, the queue) is read at scrape
time by `database.DatabaseCollector`, so no process keeps it.
"""
from __future__ import annotations

import time
from contextlib import contextmanager

from prometheus_client import Counter, Histogram

# From a fast local answer to the HTTP client's deadline.
SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HEALTH_CHECK_SECONDS = Histogram(
    "preheat_health_check_seconds", "Time one health check took, of an instance or a registry.",
    ["kind"], buckets=SECONDS)
SUBMISSIONS = Counter(
    "preheat_submissions",
    "Submissions of preheat jobs to a provider instance, whatever the answer.", ["instance"])
RATE_LIMITED = Counter(
    "preheat_submission_rate_limited",
    "Submissions a provider instance turned away with 429 Too Many Requests.", ["instance"])
JOB_POLL_SECONDS = Histogram(
    "preheat_job_poll_seconds", "Time one progress poll of a provider's job took.",
    ["provider"], buckets=SECONDS)
WEBHOOK_EVENTS = Counter(
    "preheat_webhook_events",
    "Registry events the webhook received, by what became of them: recorded (a tag push"
    " to preheat), duplicate (an event id already received), ignored (not a tag push of a"
    " manifest, or no project covers it).", ["outcome"])
WEBHOOK_REFUSED = Counter(
    "preheat_webhook_refused",
    "Webhook deliveries refused: an unknown registry, or not its webhook secret.")
for _outcome in ("recorded", "duplicate", "ignored"):  # shown at 0 before the first event
    WEBHOOK_EVENTS.labels(_outcome)


@contextmanager
def timed(histogram: Histogram, label: str):
    """Observe in `histogram` (under `label`) the seconds the block took, even if it raised."""
    started = time.perf_counter()
    try:
        yield
    finally:
        histogram.labels(label).observe(time.perf_counter() - started)


def submitted(instance: str, rate_limited: bool = False) -> None:
    """Count one submission to `instance`, and whether a 429 turned it away."""
    SUBMISSIONS.labels(instance).inc()
    if rate_limited:
        RATE_LIMITED.labels(instance).inc()


def webhook_received(recorded: int, duplicates: int, ignored: int) -> None:
    """Count the events of one accepted delivery by outcome."""
    for outcome, number in (("recorded", recorded), ("duplicate", duplicates),
                            ("ignored", ignored)):
        if number:
            WEBHOOK_EVENTS.labels(outcome).inc(number)


def webhook_refused() -> None:
    """Count one refused delivery."""
    WEBHOOK_REFUSED.inc()
