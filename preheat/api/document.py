"""The API's own description: the OpenAPI document and the provider list."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask import jsonify, url_for

from ..providers import PROVIDERS
from .routing import route
from .serialize import provider_json

SPEC_PATH = Path(__file__).with_name("openapi.json")


def register(bp) -> None:
    route(bp, "/openapi.json", "openapi", GET=openapi)
    route(bp, "/p2p/preheat/providers", "providers", GET=list_providers)


@lru_cache(maxsize=1)
def spec() -> dict:
    """The hand-written document as shipped, without a server URL."""
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


def openapi():
    """Serve the OpenAPI document, its server set to where this API is mounted."""
    document = dict(spec())
    base = url_for(".openapi").rsplit("/", 1)[0]
    document["servers"] = [{"url": base or "/"}]
    return jsonify(document)


def list_providers():
    """List the provider drivers Preheat can talk to."""
    return jsonify([provider_json(provider) for provider in PROVIDERS.values()])
