"""Each app's registry browser (`services.browse.Browser`), made on first use from its config.

PREHEAT_REGISTRY_BUDGET: seconds one page view may spend on the registry in
all (default: PREHEAT_HTTP_TIMEOUT's read timeout). PREHEAT_REGISTRY_CACHE_SECONDS:
how long catalog and tag lists are kept in memory (default 15; 0 keeps none).
"""
from __future__ import annotations

import threading

from flask import current_app

from .services.browse import Browser
from .state import current_state

KEY = "preheat_browse"
DEFAULT_CACHE_SECONDS = 15.0
_lock = threading.Lock()


def current_browser() -> Browser:
    """The registry browser of the current app."""
    app = current_app._get_current_object()
    browser = app.extensions.get(KEY)
    if browser is None:
        with _lock:
            browser = app.extensions.get(KEY)
            if browser is None:
                browser = app.extensions[KEY] = _make(app.config)
    return browser


def _make(config) -> Browser:
    http = current_state().http
    budget = config.get("PREHEAT_REGISTRY_BUDGET") or http.read_timeout
    ttl = config.get("PREHEAT_REGISTRY_CACHE_SECONDS")
    return Browser(http, budget=float(budget),
                   ttl=DEFAULT_CACHE_SECONDS if ttl is None else float(ttl))
