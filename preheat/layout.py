"""The contract between Preheat's pages and the host's layout (PREHEAT_BASE_TEMPLATE)."""
from __future__ import annotations

from jinja2 import Environment, TemplateNotFound, nodes

# title: inside <title>; head: inside <head>, for our stylesheet and scripts;
# content: inside <body>, where our pages go.
REQUIRED_BLOCKS = ("title", "head", "content")


class LayoutError(RuntimeError):
    """The host's layout cannot carry Preheat's pages."""


def check_base_template(env: Environment, name: str) -> None:
    """Raise LayoutError unless template `name` offers every required block."""
    missing = [block for block in REQUIRED_BLOCKS if block not in _blocks(env, name)]
    if missing:
        raise LayoutError(
            f"PREHEAT_BASE_TEMPLATE {name!r} has no block {', '.join(missing)}: Preheat's"
            f" pages need the blocks {', '.join(REQUIRED_BLOCKS)} (see the README).")


def _blocks(env: Environment, name: str) -> set[str]:
    """The blocks `name` and the templates it extends define."""
    found: set[str] = set()
    seen: set[str] = set()
    while name not in seen:
        seen.add(name)
        try:
            source = env.loader.get_source(env, name)[0]
        except TemplateNotFound:
            raise LayoutError(f"PREHEAT_BASE_TEMPLATE {name!r} was not found.") from None
        tree = env.parse(source)
        found.update(block.name for block in tree.find_all(nodes.Block))
        parent = tree.find(nodes.Extends)
        if parent is None:
            break
        if not isinstance(parent.template, nodes.Const):
            # The parent is chosen at render time: trust the host.
            return set(REQUIRED_BLOCKS)
        name = parent.template.value
    return found
