"""The repository and tag filters of a policy: doublestar globs, as Harbor's.

`**` matches any number of path levels, `*` one level, `?` one character,
`[a-z]` a class, `{a,b}` either; a comma outside braces separates
alternatives (`1.*,2.0`). Repositories are matched by their path relative to
the project (`nginx` for `library/nginx`, and for `alpine`, which has no
namespace and belongs to `library`). Matching is wcmatch's, not ours.
"""
from __future__ import annotations

from dataclasses import dataclass

from wcmatch import glob

from ..validation import CONTROL_CHARS, FieldError

FLAGS = glob.GLOBSTAR | glob.BRACE | glob.DOTMATCH
FILTER_MAX = 1024
MATCH_ALL = "**"
LABELS = {"repositories": "Repositories", "tags": "Tags"}


@dataclass(frozen=True)
class Filter:
    """One filter as a user typed it, and the globs it stands for."""

    text: str
    globs: tuple[str, ...]

    def matches(self, value: str) -> bool:
        """Whether `value` matches any of the alternatives."""
        return glob.globmatch(value, list(self.globs), flags=FLAGS)


def parse(field: str, text) -> Filter:
    """A filter from what a user typed (blank means all), or FieldError saying why not."""
    label = LABELS.get(field, field)
    text = (text if isinstance(text, str) else "").strip() or MATCH_ALL
    if len(text) > FILTER_MAX:
        raise FieldError(field, f"{label} filter must be at most {FILTER_MAX} characters.")
    if CONTROL_CHARS.search(text):
        raise FieldError(field, f"{label} filter must not contain control characters.")
    globs = tuple(part.strip() for part in split_alternatives(text))
    if any(not part for part in globs):
        raise FieldError(field, f"{label} filter has an empty alternative: remove the extra"
                                " comma.")
    if _depth_errors(text):
        raise FieldError(field, f"{label} filter has an unbalanced {{ or }}.")
    if field == "tags" and any("/" in part for part in globs):
        raise FieldError(field, "Tags have no '/': a tag filter matches the tag alone"
                                " (for example v1.*).")
    return Filter(text, globs)


def split_alternatives(text: str) -> list[str]:
    """Split on the commas outside braces: `a,{b,c}` is `a` or `{b,c}`."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _depth_errors(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return True
    return depth != 0


def relative_name(project: str, repository: str) -> str:
    """A repository's path relative to its project: what the repositories filter sees."""
    prefix = f"{project}/"
    return repository[len(prefix):] if repository.startswith(prefix) else repository
