"""Which database constraint a failed write broke, by its name.

The database's message is no guide: on PostgreSQL it carries the offending
value, so a name containing "endpoint" would look like an endpoint conflict.
PostgreSQL names the constraint in the error's diagnostics; SQLite names the
index (for expression indexes) or the table and columns it covers.
"""
from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError

from ..models import Base

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?:index '(?P<index>[^']+)'|(?P<columns>.+))")


def violated(error: IntegrityError) -> str | None:
    """The name of the unique index or constraint `error` reports, if it says."""
    diag = getattr(error.orig, "diag", None)
    if diag is not None:
        return getattr(diag, "constraint_name", None)
    match = _SQLITE_UNIQUE.search(str(error.orig))
    if match is None:
        return None
    return match.group("index") or _index_on(match.group("columns").strip())


def _index_on(columns: str) -> str | None:
    """The unique index over exactly these `table.column, ...` (SQLite's spelling)."""
    pairs = [part.strip().split(".", 1) for part in columns.split(",")]
    if not pairs or any(len(pair) != 2 for pair in pairs):
        return None
    table = Base.metadata.tables.get(pairs[0][0])
    if table is None:
        return None
    wanted = [column for _, column in pairs]
    for index in table.indexes:
        if index.unique and [c.name for c in index.columns] == wanted:
            return index.name
    return None
