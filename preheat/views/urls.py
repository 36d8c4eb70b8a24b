"""URLs a page repeats many times, built from one call to url_for.

url_for routes and encodes anew on every call; a table asks for the same URL
with another id or another query dozens of times per page.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlencode

from flask import url_for

# The characters Werkzeug leaves unquoted in a query, so that a URL built here
# is the one url_for would give.
QUERY_SAFE = "!$'()*,/:;?@"
MARKER = 918273645


def per_instance(endpoint: str, argument: str = "instance_id") -> Callable[[int], str]:
    """`url_for(endpoint, instance_id=...)` (or another id `argument`) for any row."""
    head, _, tail = url_for(endpoint, **{argument: MARKER}).rpartition(str(MARKER))
    return lambda row_id: f"{head}{row_id}{tail}"


def with_query(endpoint: str) -> Callable[..., str]:
    """`url_for(endpoint, **query)` for any query: None values left out, in the order given."""
    return with_base(url_for(endpoint))


def with_base(base: str) -> QueryURL:
    """`base` with any query: None values left out, in the order given."""
    return QueryURL(base)


@dataclass(frozen=True)
class QueryURL:
    """A page's URL with any query, called as `url(q=..., page=...)`; equal for equal bases."""

    base: str

    def __call__(self, **query) -> str:
        items = [(key, value) for key, value in query.items() if value is not None]
        return f"{self.base}?{urlencode(items, safe=QUERY_SAFE)}" if items else self.base
