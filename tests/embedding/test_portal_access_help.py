"""A member the portal does not let in gets Preheat's 403 page in the portal's layout,
with generic advice: the standalone shell's commands mean nothing on a portal."""
from .conftest import PREFIX


def test_the_403_page_names_itself_and_points_to_an_administrator(user):
    response = user.get(f"{PREFIX}/distributions")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert 'id="navbar"' in page
    assert "<h1>No access to P2P preheat</h1>" in page
    assert "Ask an administrator of this site" in page
    assert "flask --app app" not in page
