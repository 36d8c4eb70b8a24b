"""A refused save never sends the typed secret back (the browser keeps it itself)."""
from tests.helpers import NEW_INSTANCE


def test_a_refused_save_never_renders_the_typed_secret_back(admin):
    for mode, secret in [("OAUTH", {"token": "canary-token-9d2"}),
                         ("BASIC", {"username": "ops", "password": "canary-token-9d2"})]:
        response = admin.post("/distributions/new", {**NEW_INSTANCE, "name": "bad name",
                                                     "auth_mode": mode, **secret})
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert 'aria-invalid="true"' in html and "canary-token-9d2" not in html
