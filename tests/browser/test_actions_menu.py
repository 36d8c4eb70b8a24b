"""The Actions menu by keyboard alone: the WAI-ARIA menu button pattern."""
import pytest
from playwright.sync_api import expect

from tests.helpers import add_instances


@pytest.fixture
def one_selected(admin_page, app):
    """The Distributions page with one enabled instance ticked: Enable is unavailable."""
    add_instances(app, {"vendor": "kraken", "name": "df-a", "endpoint": "http://127.0.0.1:9",
                        "auth_mode": "NONE", "enabled": True})
    page = admin_page
    page.reload()
    page.get_by_role("checkbox", name="Select df-a").check()
    return page


def button(page):
    return page.get_by_role("button", name="Actions")


def item(page, name):
    return page.get_by_role("menu", name="Actions").get_by_role("menuitem", name=name, exact=True)


def test_the_button_announces_a_menu(admin_page):
    page = admin_page
    expect(button(page)).to_have_attribute("aria-haspopup", "menu")
    expect(button(page)).to_have_attribute("aria-expanded", "false")
    button(page).click()
    expect(button(page)).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("menu", name="Actions").get_by_role("menuitem")).to_have_count(5)


@pytest.mark.parametrize("key", ["Enter", " ", "ArrowDown"])
def test_enter_space_and_down_open_the_menu_on_its_first_item(one_selected, key):
    page = one_selected
    button(page).focus()
    page.keyboard.press(key)
    expect(page.get_by_role("menu", name="Actions")).to_be_visible()
    expect(button(page)).to_have_attribute("aria-expanded", "true")
    expect(item(page, "Edit")).to_be_focused()


def test_up_opens_on_the_last_item_and_the_arrows_move_round_past_disabled_items(one_selected):
    page = one_selected
    button(page).focus()
    page.keyboard.press("ArrowUp")
    expect(item(page, "Delete")).to_be_focused()
    for key, name in [("ArrowDown", "Edit"), ("ArrowDown", "Set as default"),
                      ("ArrowDown", "Deactivate"), ("ArrowDown", "Delete"),
                      ("ArrowUp", "Deactivate"), ("ArrowUp", "Set as default"), ("ArrowUp", "Edit"),
                      ("ArrowUp", "Delete"), ("Home", "Edit"), ("End", "Delete"), ("e", "Edit"),
                      ("d", "Deactivate"), ("d", "Delete"), ("s", "Set as default")]:
        page.keyboard.press(key)
        expect(item(page, name)).to_be_focused()
    expect(item(page, "Enable")).to_be_disabled()


def test_escape_closes_the_menu_and_returns_to_the_button(one_selected):
    page = one_selected
    button(page).focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu", name="Actions")).to_be_hidden()
    expect(button(page)).to_have_attribute("aria-expanded", "false")
    expect(button(page)).to_be_focused()


def test_tab_closes_the_menu_and_moves_on(one_selected):
    page = one_selected
    button(page).focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("menu", name="Actions")).to_be_hidden()
    expect(page.get_by_role("searchbox", name="Filter instances")).to_be_focused()


def test_enter_on_an_item_runs_it_and_the_dialog_returns_to_the_button(one_selected):
    page = one_selected
    button(page).focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(item(page, "Deactivate")).to_be_focused()
    page.keyboard.press("Enter")
    dialog = page.locator("#preheat-dialog")
    expect(dialog).to_contain_text("Do you want to deactivate instance df-a?")
    expect(page.get_by_role("menu", name="Actions")).to_be_hidden()
    # The text arrives with the swap; the dialog opens once htmx has settled it.
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(button(page)).to_be_focused()


def test_with_nothing_selected_the_menu_itself_holds_the_focus(admin_page):
    page = admin_page
    button(page).focus()
    page.keyboard.press("ArrowDown")
    menu = page.get_by_role("menu", name="Actions")
    expect(menu).to_be_visible()
    expect(menu).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(menu).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(button(page)).to_be_focused()
