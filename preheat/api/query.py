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

from flask import jsonify, request, url_for

from ..services.query import INSTANCES, Filter, Listing, SortKey, search
from ..validation import CONTROL_CHARS
from .errors import ApiError

MAX_TERMS = 20
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
MAX_PAGE = 2**31 - 1
TEXT_FILTER_MAX = 128  # the audit log's instance and user filters, Harbor's name filter

_CHAR = r"[^,{}\x00-\x1f\x7f]"
_FIRST = r"[^~,{}\x00-\x1f\x7f]"


def q_pattern(listing: Listing) -> str:
    """The pattern of a valid `q` for `listing`, as the document publishes it."""
    terms = [rf"(?:{'|'.join(listing.text)})=(?:~{_CHAR}+|\{{{_CHAR}*\}}|{_FIRST}{_CHAR}*)"]
    if listing.flags:
        terms.append(rf"(?:{'|'.join(listing.flags)})=(?:true|false)")
    term = f"(?:{'|'.join(terms)})"
    return rf"^(?:{term}(?:,{term}){{0,{MAX_TERMS - 1}}})?$"


def sort_pattern(listing: Listing) -> str:
    """The pattern of a valid `sort` for `listing`."""
    key = rf"-?(?:{'|'.join(listing.sorts)})"
    return rf"^(?:{key}(?:,{key}){{0,{len(listing.sorts) - 1}}})?$"


TEXT_KEYS = tuple(INSTANCES.text)
FLAG_KEYS = tuple(INSTANCES.flags)
SORT_KEYS = tuple(INSTANCES.sorts)
Q_PATTERN = q_pattern(INSTANCES)
SORT_PATTERN = sort_pattern(INSTANCES)
_KEY_VALUE = re.compile(r"([^=]*)=(.*)", re.DOTALL)


@dataclass(frozen=True)
class ListQuery:
    """A parsed list request."""

    filters: tuple[Filter, ...]
    order: tuple[SortKey, ...]
    page: int
    page_size: int


def parse(args, listing: Listing = INSTANCES) -> ListQuery:
    """Parse the list parameters of `args`; raise a 400 ApiError naming the bad one."""
    return ListQuery(
        filters=parse_q(args.get("q", ""), listing),
        order=parse_sort(args.get("sort", ""), listing),
        page=integer(args, "page", 1, 1, MAX_PAGE),
        page_size=integer(args, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
    )


def name_filter(args) -> tuple[Filter, ...]:
    """Harbor's older `name` parameter: the name contains it, without regard to case."""
    value = args.get("name")
    if value is None or value == "":
        return ()
    if len(value) > TEXT_FILTER_MAX or CONTROL_CHARS.search(value):
        raise _bad("name", f"name must be at most {TEXT_FILTER_MAX} characters, without"
                           " control characters.")
    return (Filter("name", "contains", (value,)),)


def parse_q(text: str, listing: Listing = INSTANCES) -> tuple[Filter, ...]:
    """The filters of a `q` value; an empty `q` filters nothing."""
    if not text:
        return ()
    terms = text.split(",")
    if len(terms) > MAX_TERMS:
        raise _bad("q", f"q has {len(terms)} terms; at most {MAX_TERMS} are allowed.")
    return tuple(_term(term, listing) for term in terms)


def _term(term: str, listing: Listing) -> Filter:
    match = _KEY_VALUE.fullmatch(term)
    if not match:
        raise _bad("q", f"q term {_show(term)} is not key=value (for example name=~abc).")
    key, value = match.groups()
    if key in listing.flags:
        if value not in ("true", "false"):
            raise _bad("q", f"q term {_show(term)}: {key} takes true or false.")
        return Filter(key, "equals", (value == "true",))
    if key not in listing.text:
        raise _bad("q", f"q cannot filter on {_show(key)}; use one of: "
                        + ", ".join((*listing.text, *listing.flags)) + ".")
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


def parse_sort(text: str, listing: Listing = INSTANCES) -> tuple[SortKey, ...]:
    """The sort keys of a `sort` value such as `-setup_timestamp,name`."""
    if not text:
        return ()
    keys = []
    for part in text.split(","):
        field = part[1:] if part.startswith("-") else part
        if field not in listing.sorts:
            raise _bad("sort", f"sort cannot order by {_show(field)}; use one of: "
                               + ", ".join(listing.sorts) + " (prefix - for descending).")
        keys.append(SortKey(field, part.startswith("-")))
    if len(keys) > len(listing.sorts):
        raise _bad("sort", f"sort has more than {len(listing.sorts)} keys.")
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


def listed(session, listing: Listing, endpoint: str, to_json, *, harbor_name: bool = False,
           where=(), path_args: dict | None = None, whole_page: bool = False):
    """One page of `listing` as `q`, `sort`, `page` and `page_size` ask, with paging headers.

    `harbor_name`: Harbor's older `name` parameter filters too (name contains it).
    `where` narrows the rows (to a project, an execution); `path_args` fill the
    endpoint's URL in the Link header. With `whole_page`, `to_json` turns the
    page's rows into JSON at once (in one query), not one row at a time.
    """
    wanted = parse(request.args, listing)
    filters = wanted.filters + (name_filter(request.args) if harbor_name else ())
    page = search(session, filters, wanted.order, wanted.page, wanted.page_size, listing, where)
    # Only our own parameters: url_for would read "_external" and the like as options.
    names = ("q", "sort", "name") if harbor_name else ("q", "sort")
    args = {**(path_args or {}),
            **{key: request.args[key] for key in names if key in request.args}}
    items = to_json(page.items) if whole_page else [to_json(row) for row in page.items]
    return paged_json(items, page, endpoint, args)


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
