"""Set as default in the Distributions Actions: one enabled instance, and the default moves."""
import pytest
from playwright.sync_api import expect

from tests.helpers import add_instances


@pytest.fixture
def three(admin_page, app):
    """Distributions with a default instance, another enabled one and a deactivated one."""
    add_instances(app, *({"vendor": "kraken", "name": name, "endpoint": f"http://127.0.0.1:{port}",
                          "auth_mode": "NONE", "enabled": enabled, "default": default}
                         for name, port, enabled, default in [("kr-a", 9, True, True),
                                                              ("kr-b", 10, True, False),
                                                              ("kr-off", 11, False, False)]))
    admin_page.reload()
    return admin_page


def select(page, *names):
    for name in names:
        page.get_by_role("checkbox", name=f"Select {name}").check()
    page.get_by_role("button", name="Actions").click()


def set_as_default(page):
    return page.get_by_role("menu", name="Actions").get_by_role("menuitem",
                                                                name="Set as default")


def name_cell(page, name):
    return page.locator("#preheat-instances tr.preheat-row",
                        has=page.get_by_role("checkbox", name=f"Select {name}")) \
        .locator("td.preheat-name")


def test_set_as_default_moves_the_default_tag(three):
    page = three
    expect(name_cell(page, "kr-a")).to_have_text("kr-a default")
    select(page, "kr-b")
    set_as_default(page).click()
    expect(page.locator("#preheat-toasts")).to_contain_text("Instance kr-b is now the default.")
    expect(name_cell(page, "kr-b")).to_have_text("kr-b default")
    expect(name_cell(page, "kr-a")).to_have_text("kr-a")
    # The table was reloaded: the new default's box now says so, and the item follows.
    select(page, "kr-b")
    expect(set_as_default(page)).to_be_disabled()


@pytest.mark.parametrize("names", [("kr-b", "kr-off"), ("kr-a", "kr-b"), ("kr-off",), ("kr-a",)],
                         ids=["two", "two-enabled", "deactivated", "already-default"])
def test_set_as_default_needs_one_enabled_instance_that_is_not_the_default(three, names):
    page = three
    select(page, *names)
    expect(page.get_by_role("menu", name="Actions")).to_be_visible()
    expect(set_as_default(page)).to_be_disabled()


def test_one_enabled_instance_enables_set_as_default(three):
    page = three
    select(page, "kr-b")
    expect(set_as_default(page)).to_be_enabled()
