"""The Dragonfly options of a policy: which peers, which scheduler clusters, which platform."""
from __future__ import annotations

import re

from ..preheating import OptionError, OptionField

SCOPES = (("single_seed_peer", "Single seed peer"), ("all_seed_peers", "All seed peers"),
          ("all_peers", "All peers"))
DEFAULT_SCOPE = "single_seed_peer"
_PART = r"[a-z0-9]+(?:[._-][a-z0-9]+)*"
PLATFORM = re.compile(rf"{_PART}/{_PART}(?:/{_PART})?")
# Dragonfly's cluster ids are Go uints; anything above fails its JSON binding.
LARGEST_ID = 2 ** 63 - 1

OPTIONS = (
    OptionField("scope", "Scope", "choice", SCOPES, DEFAULT_SCOPE,
                "Which peers download the image: one seed peer per cluster, every seed"
                " peer, or every peer."),
    OptionField("cluster_ids", "Cluster IDs", "integers", help="Scheduler cluster IDs,"
                " comma-separated. Empty means all clusters.", placeholder="1, 2"),
    OptionField("platform", "Platform", "text", help="For multi-platform images, the one"
                " platform to preheat (os/arch or os/arch/variant). Empty means the"
                " manager's own platform.", placeholder="linux/amd64"),
)


def validate(values) -> dict:
    """{"scope", "cluster_ids", "platform"} checked and normalised; raise OptionError."""
    values = dict(values or {})
    errors = {name: f"Dragonfly takes no option named {str(name)[:40]}." for name in values
              if name not in {option.name for option in OPTIONS}}
    result = {}
    for name, check in (("scope", _scope), ("cluster_ids", _cluster_ids),
                        ("platform", _platform)):
        try:
            result[name] = check(values.get(name))
        except ValueError as problem:
            errors[name] = str(problem)
    if errors:
        raise OptionError(errors)
    return result


def _scope(value) -> str:
    if value in (None, ""):
        return DEFAULT_SCOPE
    if value not in dict(SCOPES):
        raise ValueError("Scope must be single_seed_peer, all_seed_peers or all_peers,"
                         f" not {_shown(value)}.")
    return value


def _cluster_ids(value) -> list[int]:
    if value in (None, ""):
        return []
    pieces = value.split(",") if isinstance(value, str) else \
        value if isinstance(value, (list, tuple)) else [value]
    ids = []
    for piece in pieces:
        text = piece.strip() if isinstance(piece, str) else piece
        if isinstance(piece, str) and not text and isinstance(value, str):
            continue  # "1, 2," and "1,,2" are typing slips, not errors
        number = int(text) if isinstance(text, str) and text.isascii() and text.isdigit() \
            else text if type(text) is int else None
        if number is None or not 0 < number <= LARGEST_ID:
            raise ValueError("Cluster IDs are positive whole numbers separated by commas;"
                             f" {_shown(text)} is not one.")
        if number not in ids:
            ids.append(number)
    return ids


def _platform(value) -> str:
    if value in (None, ""):
        return ""
    text = value.strip().lower() if isinstance(value, str) else None
    if not text or not PLATFORM.fullmatch(text):
        raise ValueError("Platform must be os/arch or os/arch/variant, such as linux/amd64"
                         f" or linux/arm64/v8, not {_shown(value)}.")
    return text


def _shown(value) -> str:
    text = repr(value) if not isinstance(value, str) else f"“{value}”"
    return text if len(text) <= 42 else text[:40] + "…”"
