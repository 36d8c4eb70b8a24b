"""The pages fit the window: from 800 px up every column is reachable without the
page scrolling sideways (a wide table scrolls inside its card); narrower, the
navigation folds behind a Menu button."""
import re

import pytest
from playwright.sync_api import expect

from preheat.models import AuditEntry, Instance, utcnow

WINDOWS = [(1280, 900), (800, 900), (390, 844)]
LONG_DETAIL = ("description: 'Dragonfly manager of the EU cluster' -> 'Dragonfly manager of the "
               "EU cluster, replaced in March'; endpoint: 'http://dragonfly-manager:8080' -> "
               "'https://dragonfly-manager.production.eu-west-1.example.com:8080'")

# Where each header cell ends up once scrolled into view, against the window and
# the card's scroll box; and whether the page itself ever scrolled sideways.
REACH = """(selector) => {
  const problems = [];
  const table = document.querySelector(selector);
  const box = table.closest(".preheat-table-scroll") || table.parentElement;
  const card = table.closest(".preheat-grid");
  const view = document.documentElement.clientWidth;
  if (card.getBoundingClientRect().right > view + 0.5) problems.push("the card leaves the window");
  for (const cell of table.querySelectorAll("thead th")) {
    cell.scrollIntoView({block: "nearest", inline: "nearest"});
    const at = cell.getBoundingClientRect(), inside = box.getBoundingClientRect();
    const name = cell.textContent.trim() || "select";
    if (at.left < inside.left - 0.5 || at.right > inside.right + 0.5 || at.right > view + 0.5) {
      problems.push(name + " cannot be scrolled into view");
    }
  }
  if (window.scrollX !== 0) problems.push("the page scrolled sideways");
  box.scrollLeft = 0;
  return problems;
}"""

# Every timestamp, scrolled into view, is wholly inside its cell and its scroll box.
CLIPPED = """(selector) => {
  const clipped = [];
  for (const time of document.querySelectorAll(selector + " time")) {
    time.scrollIntoView({block: "nearest", inline: "nearest"});
    const at = time.getBoundingClientRect();
    const cell = time.closest("td").getBoundingClientRect();
    const box = time.closest(".preheat-table-scroll").getBoundingClientRect();
    if (at.right > cell.right + 0.5 || at.right > box.right + 0.5 || at.height > 2 * parseFloat(getComputedStyle(time).lineHeight)) {
      clipped.push(time.textContent);
    }
  }
  return clipped;
}"""


@pytest.fixture
def crowded(session):
    """Instances and audit entries with the long values that used to widen the page."""
    rows = [("kraken-blackhole", "kraken", "http://10.255.255.1:10050",
             "A Kraken that never answers, to see what timeouts look like"),
            ("dragonfly-manager-production-eu-west-1", "dragonfly",
             "https://dragonfly-manager.production.eu-west-1.example.com:8080", "Main"),
            ("df-prod", "dragonfly", "http://127.0.0.1:9", "")]
    for name, vendor, endpoint, description in rows:
        session.add(Instance(name=name, vendor=vendor, endpoint=endpoint, description=description,
                             enabled=False, auth_mode="NONE", is_default=False, insecure=False,
                             health_status="unknown"))
        session.add(AuditEntry(occurred_at=utcnow(), username="admin", address="192.168.100.200",
                               action="update", object_type="instance", object_name=name,
                               outcome="success", detail=LONG_DETAIL))
    session.commit()


def assert_fits(page, table):
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width[0]} px wide in {width[1]} px"
    assert page.evaluate(REACH, table) == []
    assert page.evaluate(CLIPPED, table) == [], "timestamps are cut off"


@pytest.mark.parametrize("width, height", WINDOWS)
def test_the_instance_table_fits_the_window(admin_page, crowded, width, height):
    page = admin_page
    page.set_viewport_size({"width": width, "height": height})
    page.reload()
    expect(page.locator(".preheat-row")).to_have_count(3)
    assert_fits(page, "#preheat-instances .preheat-table")
    stamp = page.locator("#preheat-instances time").first
    expect(stamp).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC$"))


@pytest.mark.parametrize("width, height", WINDOWS)
def test_the_audit_log_fits_the_window_and_its_details_stay_readable(admin_page, crowded,
                                                                     width, height):
    page = admin_page
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/audit-log")
    expect(page.locator("#preheat-audit .preheat-row")).to_have_count(3)
    assert_fits(page, "#preheat-audit .preheat-table")
    details = page.locator("#preheat-audit .preheat-detail").first
    assert details.evaluate("e => e.getBoundingClientRect().width") >= 200, \
        "the Details column is squeezed to a few letters a line"


def test_a_status_popover_in_a_scrolled_table_is_not_clipped(admin_page, crowded):
    page = admin_page
    page.set_viewport_size({"width": 800, "height": 900})
    page.reload()
    page.locator("#preheat-instances tr", has_text="kraken-blackhole").locator("summary").click()
    popover = page.locator("#preheat-instances tr", has_text="kraken-blackhole") \
        .locator(".preheat-popover")
    expect(popover).to_be_visible()
    # What is drawn at the popover's corners is the popover, not the rows or the page.
    corners = popover.evaluate("""e => {
      const r = e.getBoundingClientRect();
      return [[r.left + 2, r.top + 2], [r.right - 2, r.bottom - 2]].map(
        ([x, y]) => e.contains(document.elementFromPoint(x, y)));
    }""")
    assert corners == [True, True]


@pytest.mark.parametrize("width", [1280, 800])
def test_the_navigation_stays_beside_the_page_in_a_wide_window(admin_page, width):
    page = admin_page
    page.set_viewport_size({"width": width, "height": 900})
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()


def test_the_navigation_folds_behind_a_menu_button_in_a_narrow_window(admin_page):
    page = admin_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    nav = page.get_by_role("navigation", name="Main")
    menu = page.get_by_role("button", name="Menu")
    expect(nav).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    heading = page.get_by_role("heading", name="Distributions")
    assert heading.evaluate("e => e.getBoundingClientRect().left") < 40, \
        "something still sits beside the page"
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    nav.get_by_role("link", name="Distributions").focus()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()
    menu.click()
    nav.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    expect(nav).to_be_hidden()


def test_the_dialog_fits_a_phone_with_its_buttons_in_view(admin_page):
    page = admin_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="New instance").click()
    dialog = page.locator("#preheat-dialog")
    dialog.get_by_label("Auth Mode").select_option("BASIC")
    expect(dialog.get_by_label("Username")).to_be_visible()
    assert dialog.evaluate("e => e.scrollWidth <= e.clientWidth"), "the dialog scrolls sideways"
    inside = dialog.evaluate("""e => {
      const box = e.getBoundingClientRect();
      return Array.from(e.querySelectorAll(".preheat-dialog-foot button"), (b) => {
        const r = b.getBoundingClientRect();
        return r.left >= box.left && r.right <= box.right && r.bottom <= box.bottom;
      });
    }""")
    assert inside == [True, True, True], "a dialog button is cut off"
    name = dialog.get_by_label("Name", exact=True)
    label = dialog.locator("label[for=preheat-field-name]")
    assert label.bounding_box()["y"] < name.bounding_box()["y"], "labels sit above their fields"
    dialog.get_by_role("button", name="OK").click()
    expect(dialog.locator("#preheat-field-name-error")).to_be_visible()
