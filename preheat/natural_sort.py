"""Names in the order a person reads them: bulk-1, bulk-2, bulk-10.

The database sorts the stored key as plain text, so the key spells each run of
digits with its length in front: a longer number always sorts after a shorter
one, and numbers of equal length compare digit by digit. Leading zeros are
dropped, so node-01 and node-1 sort together (the id breaks the tie).
"""
from __future__ import annotations

import re

from .validation import NAME_MAX

# 3 digits of length per number; a name of 128 characters holds at most 64 numbers.
KEY_MAX = NAME_MAX + 3 * (NAME_MAX // 2)
_DIGITS = re.compile(r"[0-9]+")


def natural_key(name: str) -> str:
    """The text that sorts like `name` read naturally, ignoring case."""
    return _DIGITS.sub(_number, (name or "").lower())


def _number(match: re.Match) -> str:
    digits = match.group().lstrip("0") or "0"
    return f"{len(digits):03d}{digits}"
