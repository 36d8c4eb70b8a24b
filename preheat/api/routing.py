"""One handler per method and URL, so every other method gets a JSON 405 with Allow.

Werkzeug's own 405 happens during routing, before any blueprint is known, so
the host's error page would answer it; routing every method to a dispatcher
keeps the answer inside the API and in its error format.
"""
from __future__ import annotations

from flask import request
from werkzeug.exceptions import MethodNotAllowed

ROUTED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


def route(bp, rule: str, endpoint: str, *, claim_all_methods: bool = True, **handlers) -> None:
    """Serve `rule` with `handlers` (GET=..., POST=...); other methods answer 405.

    With `claim_all_methods=False` the rule takes only its own methods, so a
    more general rule can serve the rest (POST .../ping vs GET .../{name}).
    """
    allowed = sorted({*handlers, "OPTIONS", *(["HEAD"] if "GET" in handlers else [])})

    def dispatch(**kwargs):
        method = request.method
        # A HEAD is its GET without the body, unless the rule answers HEAD on its own.
        if method == "HEAD" and "HEAD" not in handlers:
            method = "GET"
        if method == "OPTIONS":
            return "", 204, {"Allow": ", ".join(allowed)}
        handler = handlers.get(method)
        if handler is None:
            raise MethodNotAllowed(valid_methods=allowed)
        return handler(**kwargs)

    dispatch.__doc__ = f"Dispatch {rule} to the handler of the request's method."
    operations(bp).extend((rule, method, handler.operation) for method, handler in handlers.items()
                          if hasattr(handler, "operation"))
    methods = ROUTED_METHODS if claim_all_methods else allowed
    bp.add_url_rule(rule, endpoint, dispatch, methods=methods,
                    provide_automatic_options=False)


def operations(bp) -> list:
    """The (rule, method, Operation) triples routed on `bp` that the document describes."""
    return bp.__dict__.setdefault("preheat_operations", [])
