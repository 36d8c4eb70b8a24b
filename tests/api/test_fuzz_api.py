"""Hostile values in every field of the API's instance body: never a 5xx, never raw in a page."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_fuzz_forms import HOSTILE, echoed_unescaped

scalars = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=200), st.integers(),
                    st.floats(allow_nan=False), st.booleans(), st.none())
values = st.one_of(scalars, st.lists(scalars, max_size=3),
                   st.dictionaries(st.sampled_from(["username", "password", "token", "x"]),
                                   scalars, max_size=3))
FIELDS = ["name", "description", "vendor", "endpoint", "auth_mode", "auth_info", "enabled",
          "insecure", "default", "id"]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=st.fixed_dictionaries({}, optional={field: values for field in FIELDS}))
def test_hostile_bodies_never_break_the_api(api, admin, body):
    created = api.post("/instances", body)
    assert created.status_code in (201, 400, 409), created.get_data(as_text=True)
    assert created.is_json and "auth_info" not in created.get_json()
    name = body.get("name")
    if isinstance(name, str) and len(name) < 200:
        assert api.patch(f"/instances/{name}", body).status_code < 500
        assert api.get(f"/instances/{name}/health").status_code < 500
    assert api.post("/instances/ping", body).status_code < 500
    if created.status_code == 201 and isinstance(body.get("description"), str):
        page = admin.get("/distributions").get_data(as_text=True)
        baseline = admin.get("/distributions?q=nothing-matches").get_data(as_text=True)
        assert not echoed_unescaped(body["description"].strip(), page, baseline)
