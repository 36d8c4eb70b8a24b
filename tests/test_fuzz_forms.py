"""Hostile values in every field of the instance form: never a 5xx, never stored unescaped."""
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from preheat.models import Instance
from preheat.validation import NAME_PATTERN

HOSTILE = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "'; DROP TABLE preheat_instance; --",
    "' OR '1'='1", "http://[::1]:0", "javascript:alert(1)", "file:///etc/passwd", "\x00", "\u202e",
    "\r\nSet-Cookie: x=y", "{{ 7*7 }}", "%00", "../../etc/passwd", "http://[fe80::1%25eth0]:8080",
    "http://169.254.169.254/latest", "https://ünïcødé.example/pæth", "x" * 5000, "\ud7ff\ue000",
]
values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300),
                   st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
FIELDS = ["vendor", "name", "description", "endpoint", "auth_mode", "username", "password",
          "token", "enabled", "insecure"]
# The examples of a test share its app and clients; requests through them take a while.
FUZZ = settings(deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def echoed_unescaped(value: str, body: str, baseline: str) -> bool:
    """Whether markup from `value` reached the page raw (and not because it was there anyway)."""
    return "<" in value and value in body and value not in baseline


@settings(FUZZ, max_examples=150)
@given(form=st.fixed_dictionaries({}, optional={field: values for field in FIELDS}))
def test_hostile_form_input_never_breaks_the_server(admin, session, form):
    response = admin.post("/distributions/new", form)
    assert response.status_code in (204, 400, 422), response.status_code
    body = response.get_data(as_text=True)
    baseline = admin.get("/distributions/new", htmx=True).get_data(as_text=True)
    for value in form.values():
        assert not echoed_unescaped(value, body, baseline)
    session.expire_all()
    for instance in session.scalars(select(Instance)):
        assert NAME_PATTERN.fullmatch(instance.name)
        assert re.fullmatch(r"https?://[^\s/?#@]+(/[^\s?#]*)?", instance.endpoint)


@settings(FUZZ, max_examples=60)
@given(query=values, page=values, size=values)
def test_hostile_list_parameters_never_break_the_server(admin, query, page, size):
    for htmx in (False, True):
        response = admin.get("/distributions", htmx=htmx,
                             query_string={"q": query, "page": page, "page_size": size})
        assert response.status_code == 200
        baseline = admin.get("/distributions", htmx=htmx).get_data(as_text=True)
        assert not echoed_unescaped(query.strip()[:128], response.get_data(as_text=True),
                                    baseline)


names = st.from_regex(NAME_PATTERN, fullmatch=True).filter(lambda n: len(n) <= 128)


@settings(FUZZ, max_examples=100)
@given(name=names, field=st.sampled_from(["description", "username", "endpoint", "password"]),
       value=values)
def test_one_hostile_field_in_an_otherwise_valid_form(admin, session, name, field, value):
    form = {"vendor": "dragonfly", "name": name, "endpoint": f"http://{name.lower()}.example",
            "auth_mode": "BASIC", "username": "ops", "password": "pw", field: value}
    response = admin.post("/distributions/new", form)
    assert response.status_code in (204, 422)
    if response.status_code == 204 and field == "description":
        session.expire_all()
        stored = session.scalar(select(Instance).where(Instance.name == name))
        assert stored.description == (value.strip() or None)
        listing = admin.get("/distributions", query_string={"q": name}).get_data(as_text=True)
        baseline = admin.get("/distributions", query_string={"q": "x"}).get_data(as_text=True)
        assert not echoed_unescaped(value.strip(), listing, baseline)
