"""Inside Ops Portal's layout too, the instance table fits the window from 800 px up."""
import pytest
from playwright.sync_api import expect

from tests.browser.test_layout import REACH
from tests.helpers import create

from .conftest import OPS, PREFIX, PortalClient


@pytest.mark.parametrize("host_csrf", [True])
@pytest.mark.parametrize("width", [1280, 800])
def test_the_table_scrolls_inside_its_card_not_the_portals_page(admin_page, app, width):
    admin = PortalClient(app).login(*OPS)
    create(admin, prefix=PREFIX, name="dragonfly-manager-production-eu-west-1",
           endpoint="https://dragonfly-manager.production.eu-west-1.example.com:8080",
           description="The manager every EU node pulls through, replaced in March")
    page = admin_page
    page.set_viewport_size({"width": width, "height": 900})
    page.reload()
    expect(page.locator("#preheat-instances .preheat-row")).to_have_count(1)
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client, f"the portal's page scrolls sideways: {scroll} px in {client} px"
    assert page.evaluate(REACH, "#preheat-instances .preheat-table") == []
