"""HTML kept per app: a template rendered once per distinct set of values, then reused.

For parts whose HTML depends on nothing but the values they are given (no
request, no user, no clock), so that equal values give equal HTML and a kept
copy is never out of date. Kept per app, not per process: a template holds its
app, which a cache of the process would keep alive. Keyed by the template too,
so a template reloaded while debugging renders anew.
"""
from __future__ import annotations

from functools import lru_cache

from flask import current_app
from jinja2 import Template
from markupsafe import Markup

from ..state import current_state


def render(name: str, kept: int, **values) -> Markup:
    """Template `name` rendered with `values` alone, among the last `kept` of its renderings."""
    return render_each(name, kept, [values])[0]


def render_each(name: str, kept: int, each: list[dict]) -> list[Markup]:
    """Template `name` rendered with each of the dicts of values in `each`, as `render`."""
    template = current_app.jinja_env.get_template(name)
    renderer = _renderer(name, kept)
    return [renderer(template, tuple(values.items())) for values in each]


def _renderer(name: str, kept: int):
    renderers = current_state().kept_html
    renderer = renderers.get(name)
    if renderer is None:  # two threads may each make one: either will do
        renderer = renderers[name] = lru_cache(maxsize=kept)(_render)
    return renderer


def _render(template: Template, values: tuple) -> Markup:
    return Markup(template.render(dict(values)))
