"""The list's query language: Harbor's `q`, `sort`, `page` and `page_size`.

    q=name=~df,vendor=dragonfly,enabled=true,auth_mode={NONE BASIC}
    sort=-setup_timestamp,name

Text keys take `key=value` (exact), `key=~value` (contains) or `key={a b}`
(any of), all without regard to case; flag keys take `true` or `false`. The
patterns below are also the ones the OpenAPI document publishes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import jsonify, url_for

from ..services.query import FLAG_COLUMNS, SORT_COLUMNS, TEXT_COLUMNS, Filter, SortKey
from ..validation import CONTROL_CHARS
from .errors import ApiError

TEXT_KEYS = tuple(TEXT_COLUMNS)
FLAG_KEYS = tuple(FLAG_COLUMNS)
SORT_KEYS = tuple(SORT_COLUMNS)
MAX_TERMS = 20
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
MAX_PAGE = 2**31 - 1
TEXT_FILTER_MAX = 128  # the audit log's instance and user filters

_CHAR = r"[^,{}\x00-\x1f\x7f]"
_FIRST = r"[^~,{}\x00-\x1f\x7f]"
TEXT_TERM = rf"(?:{'|'.join(TEXT_KEYS)})=(?:~{_CHAR}+|\{{{_CHAR}*\}}|{_FIRST}{_CHAR}*)"
FLAG_TERM = rf"(?:{'|'.join(FLAG_KEYS)})=(?:true|false)"
_TERM = f"(?:{TEXT_TERM}|{FLAG_TERM})"
Q_PATTERN = rf"^(?:{_TERM}(?:,{_TERM}){{0,{MAX_TERMS - 1}}})?$"
_SORT_KEY = rf"-?(?:{'|'.join(SORT_KEYS)})"
SORT_PATTERN = rf"^(?:{_SORT_KEY}(?:,{_SORT_KEY}){{0,{len(SORT_KEYS) - 1}}})?$"
_KEY_VALUE = re.compile(r"([^=]*)=(.*)", re.DOTALL)


@dataclass(frozen=True)
class ListQuery:
    """A parsed list request."""

    filters: tuple[Filter, ...]
    order: tuple[SortKey, ...]
    page: int
    page_size: int


def parse(args) -> ListQuery:
    """Parse the list parameters of `args`; raise a 400 ApiError naming the bad one."""
    return ListQuery(
        filters=parse_q(args.get("q", "")),
        order=parse_sort(args.get("sort", "")),
        page=integer(args, "page", 1, 1, MAX_PAGE),
        page_size=integer(args, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
    )


def parse_q(text: str) -> tuple[Filter, ...]:
    """The filters of a `q` value; an empty `q` filters nothing."""
    if not text:
        return ()
    terms = text.split(",")
    if len(terms) > MAX_TERMS:
        raise _bad("q", f"q has {len(terms)} terms; at most {MAX_TERMS} are allowed.")
    return tuple(_term(term) for term in terms)


def _term(term: str) -> Filter:
    match = _KEY_VALUE.fullmatch(term)
    if not match:
        raise _bad("q", f"q term {_show(term)} is not key=value (for example name=~abc).")
    key, value = match.groups()
    if key in FLAG_KEYS:
        if value not in ("true", "false"):
            raise _bad("q", f"q term {_show(term)}: {key} takes true or false.")
        return Filter(key, "equals", (value == "true",))
    if key not in TEXT_KEYS:
        raise _bad("q", f"q cannot filter on {_show(key)}; use one of: "
                        + ", ".join(TEXT_KEYS + FLAG_KEYS) + ".")
    if CONTROL_CHARS.search(value):
        raise _bad("q", f"q term for {key} contains control characters.")
    return _text_filter(key, value, term)


def _text_filter(key: str, value: str, term: str) -> Filter:
    if value.startswith("{") and value.endswith("}") and len(value) >= 2:
        inner = value[1:-1]
        if "{" not in inner and "}" not in inner:
            return Filter(key, "any_of", tuple(inner.split()))
    elif "{" not in value and "}" not in value:
        if value.startswith("~") and len(value) > 1:
            return Filter(key, "contains", (value[1:],))
        if value and not value.startswith("~"):
            return Filter(key, "equals", (value,))
    raise _bad("q", f"q term {_show(term)}: write {key}=value, {key}=~part or {key}={{a b}}.")


def parse_sort(text: str) -> tuple[SortKey, ...]:
    """The sort keys of a `sort` value such as `-setup_timestamp,name`."""
    if not text:
        return ()
    keys = []
    for part in text.split(","):
        field = part[1:] if part.startswith("-") else part
        if field not in SORT_KEYS:
            raise _bad("sort", f"sort cannot order by {_show(field)}; use one of: "
                               + ", ".join(SORT_KEYS) + " (prefix - for descending).")
        keys.append(SortKey(field, part.startswith("-")))
    if len(keys) > len(SORT_KEYS):
        raise _bad("sort", f"sort has more than {len(SORT_KEYS)} keys.")
    return tuple(keys)


def integer(args, name: str, default: int, low: int, high: int) -> int:
    """A whole-number parameter within [low, high], or a 400 naming it."""
    text = args.get(name)
    if text is None:
        return default
    if not text.isascii() or not text.isdigit():
        raise _bad(name, f"{name} must be a whole number, not {_show(text)}.")
    digits = text.lstrip("0") or "0"
    # Checking the length first keeps int() cheap on a flood of digits.
    if len(digits) > len(str(high)) or not low <= int(digits) <= high:
        raise _bad(name, f"{name} must be between {low} and {high}.")
    return int(digits)


def paged_json(items: list, page, endpoint: str, args: dict):
    """A JSON list with its total in X-Total-Count and the other pages in Link."""
    response = jsonify(items)
    response.headers["X-Total-Count"] = str(page.total)
    links = paging_links(endpoint, page, args)
    if links:
        response.headers["Link"] = links
    return response


def paging_links(endpoint: str, page, args: dict) -> str:
    """The Link header value (rel prev/next) for `page` of a list at `endpoint`."""
    args = {**args, "page_size": page.size}
    links = []
    if page.number > 1:
        previous = min(page.number - 1, page.pages)
        links.append(f'<{url_for(endpoint, **args, page=previous)}>; rel="prev"')
    if page.number * page.size < page.total:
        links.append(f'<{url_for(endpoint, **args, page=page.number + 1)}>; rel="next"')
    return ", ".join(links)


def _bad(field: str, message: str) -> ApiError:
    return ApiError(400, message, field)


def _show(text: str) -> str:
    printable = "".join(ch if ch.isprintable() else "?" for ch in text)
    return repr(printable[:64] + ("..." if len(printable) > 64 else ""))
