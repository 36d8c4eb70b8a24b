"""Fixtures for push events: the app on a real port, a docker-registry that notifies it."""
from __future__ import annotations

import time
import uuid

import pytest
import requests

from preheat.models import Execution, Policy, RegistryEvent
from preheat.services import instances, projects, registries, webhooks
from tests.executions.conftest import FAST, PAT, dragonfly  # noqa: F401 (the stand-in fixture)
from tests.registry.fixtures import pusher_for
from tests.registry.server import start_registry

# Deliveries retried quickly: a refused or lost one is sent again within a fraction of a second.
DELIVERY = {"timeout": "2s", "threshold": 3, "backoff": "200ms",
            "ignoredmediatypes": ["application/octet-stream"]}
ENVELOPE = "application/vnd.docker.distribution.events.v1+json"


@pytest.fixture
def app_config(app_config, request):
    """Executions in hundredths of a second; push batches closed after a second of quiet."""
    return {**app_config, **FAST, "PREHEAT_EVENT_BATCH_SECONDS": 1.0,
            **getattr(request, "param", {})}


@pytest.fixture
def box(app):
    return app.extensions["preheat"].secret_box


class Notified:
    """A Preheat registry, the docker-registry behind it that notifies the app, and a policy."""

    def __init__(self, app, session, box, live_server, running, registry, secret):
        self.app, self.session, self.box = app, session, box
        self.live_server, self.running, self.registry, self.secret = (
            live_server, running, registry, secret)
        self.pusher = pusher_for(running)
        self.url = f"{live_server}/api/v2.0/registries/{registry.id}/events"

    def policy(self, provider, name="warm", **fields) -> Policy:
        """An event-based policy of project `library` preheating to the Dragonfly `provider`."""
        instance = instances.create(self.session, self.box, {
            "vendor": "dragonfly", "name": f"df-{name}", "endpoint": provider.url,
            "auth_mode": "OAUTH", "auth_info": {"token": PAT}})
        project = self.registry.projects[0]
        row = Policy(name=name, project=project, instance=instance, trigger="event_based",
                     **fields)
        self.session.add(row)
        self.session.commit()
        return row

    def push(self, tag: str, repository: str = "library/app") -> str:
        return self.pusher.image(repository, tag, kind="docker").digest

    def post(self, body, headers=None):
        """POST an envelope to the webhook as a registry would, with the secret unless told."""
        sent = {"Content-Type": ENVELOPE,
                "Authorization": webhooks.header_value(self.secret), **(headers or {})}
        return requests.post(self.url, json=body, headers={k: v for k, v in sent.items() if v},
                             timeout=10)

    def events(self) -> list[RegistryEvent]:
        self.session.expire_all()
        rows = self.session.query(RegistryEvent).order_by(RegistryEvent.id).all()
        self.session.commit()
        return rows

    def executions(self, policy: Policy) -> list[Execution]:
        self.session.expire_all()
        rows = self.session.query(Execution).filter_by(policy_id=policy.id) \
            .order_by(Execution.id).all()
        self.session.commit()
        return rows

    def wait_for_events(self, count: int, timeout: float = 20.0) -> list[RegistryEvent]:
        """Wait until `count` events are recorded and none is still pending."""
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            rows = self.events()
            if len(rows) >= count and all(row.status != "pending" for row in rows):
                return rows
            time.sleep(0.05)
        raise AssertionError(f"events: {[(r.tag, r.status) for r in self.events()]}"
                             f"\n{self.running.log()[-3000:]}")


@pytest.fixture
def notified(app, session, box, live_server, tmp_path):
    """A docker-registry whose notifications go to the app's webhook with the secret."""
    registry = registries.create(session, box, {"name": "hub", "url": "http://127.0.0.1:9"})
    secret = webhooks.generate(session, box, registry)
    endpoint = {"name": "preheat", "url": f"{live_server}/api/v2.0/registries/{registry.id}"
                                          "/events",
                "headers": {"Authorization": [webhooks.header_value(secret)]}, **DELIVERY}
    running = start_registry(tmp_path / "registry", notifications=[endpoint])
    registries.update(session, box, registry, {"url": running.url})
    projects.create(session, "library", registry)
    yield Notified(app, session, box, live_server, running, registry, secret)
    running.stop()




def envelope(repository="library/app", tag="1.0", digest="sha256:" + "a" * 64,
             event_id=None, action="push",
             media_type="application/vnd.docker.distribution.manifest.v2+json", user=None):
    """A notification envelope as docker-registry 2.8 sends it, of one event."""
    target = {"mediaType": media_type, "size": 528, "digest": digest, "length": 528,
              "repository": repository,
              "url": f"http://127.0.0.1:5000/v2/{repository}/manifests/{digest}"}
    if tag:
        target["tag"] = tag
    return {"events": [{
        "id": event_id or str(uuid.uuid4()), "timestamp": "2026-12-01T21:40:01.123456789Z",
        "action": action, "target": target,
        "request": {"id": str(uuid.uuid4()), "addr": "127.0.0.1:50000", "host": "127.0.0.1",
                    "method": "PUT", "useragent": "test"},
        "actor": {"name": user} if user else {},
        "source": {"addr": "host:5000", "instanceID": str(uuid.uuid4())}}]}
