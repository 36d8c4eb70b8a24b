"""`GET /metrics`: the Prometheus text exposition, at the root of the host's URLs."""
from __future__ import annotations

import os

from flask import Blueprint, Response, request
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from ..access import require_metrics_reader
from ..state import current_state
from .database import DatabaseCollector

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def make_blueprint(path: str) -> Blueprint:
    """The blueprint of the metrics route at `path`; its own, outside the pages and the API."""
    bp = Blueprint("preheat_metrics", __name__)
    bp.before_request(require_metrics_reader)
    bp.add_url_rule(path, "metrics", metrics, methods=["GET"])
    return bp


def metrics():
    """Serve every Preheat metric: this process's (or all processes') and the database's."""
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    state = current_state()
    body = encode(_Scrape(_processes(), DatabaseCollector(state.session), _Queue(state.engine)))
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})


def _processes():
    """The counters and histograms: of every process sharing the multiprocess folder, or of
    this one (with whatever else the host registered on the default registry)."""
    if not os.environ.get(MULTIPROCESS_DIR):
        return REGISTRY
    # prometheus-client's multiprocess mode: a fresh registry read from the folder each time.
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry


class _Scrape:
    """The collectors of one scrape, as one (`generate_latest` asks only for `collect`)."""

    def __init__(self, *collectors):
        self.collectors = collectors

    def collect(self):
        for collector in self.collectors:
            yield from collector.collect()


class _Queue:
    """The engine's calls waiting for a thread of this process, or for a Celery worker."""

    def __init__(self, engine):
        self.engine = engine

    def collect(self):
        yield GaugeMetricFamily(
            "preheat_jobs_queued", "Background jobs handed to the runner that wait for a"
            " thread (in-process) or a worker (the broker's queue).",
            value=self.engine.queued())
