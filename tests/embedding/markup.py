"""Reading Preheat's share of a page: the ids, classes, events and URLs it uses."""
from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
URL_ATTRIBUTES = ("href", "src", "action", "hx-get", "hx-post")
DOM_EVENTS = {"load", "input", "change", "search", "click", "submit"}


class GuestMarkup(HTMLParser):
    """Collects what the elements inside #preheat-root (or a whole partial) carry."""

    def __init__(self, whole: bool):
        super().__init__()
        self.depth = 1 if whole else 0
        self.names: list[str] = []
        self.events: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if not self.depth and attrs.get("id") != "preheat-root":
            return
        if tag not in VOID:
            self.depth += 1
        self.names += [attrs["id"]] if "id" in attrs else []
        self.names += (attrs.get("class") or "").split()
        self.urls += [attrs[name] for name in URL_ATTRIBUTES if attrs.get(name)]
        for trigger in (attrs.get("hx-trigger") or "").split(","):
            if trigger.strip():
                self.events.append(trigger.split()[0])

    def handle_endtag(self, tag):
        if self.depth and tag not in VOID:
            self.depth -= 1


def guest_markup(html: str, whole: bool = False) -> GuestMarkup:
    """Parse `html`: only #preheat-root's subtree, or all of it when `whole`."""
    parser = GuestMarkup(whole)
    parser.feed(html)
    return parser


def foreign_events(markup: GuestMarkup) -> list[str]:
    """Event names that are neither plain DOM events nor prefixed with preheat."""
    return [e for e in markup.events if e not in DOM_EVENTS and not e.startswith("preheat:")]
