"""One address, one stored spelling: so no spelling gets past the unique endpoint."""
import pytest

from preheat.validation import FieldError, normalize_endpoint
from tests.api.conftest import api, error_of  # noqa: F401 (api is a fixture)


@pytest.mark.parametrize("raw, normalized", [
    ("http://h:8080/.", "http://h:8080"),
    ("http://h:8080/api/..", "http://h:8080"),
    ("http://h:8080/%2e", "http://h:8080"),
    ("http://h:8080/api/%2E%2e/", "http://h:8080"),
    ("http://h:8080/a/./b/../c/", "http://h:8080/a/c"),
    ("http://h:8080/../../api", "http://h:8080/api"),
    ("http://h:8080/%61pi", "http://h:8080/api"),
    ("http://h:8080/%7euser", "http://h:8080/~user"),
    ("http://h:8080/a%2fb", "http://h:8080/a%2Fb"),     # an escaped "/" stays escaped
    ("http://h:8080/caf\u00e9", "http://h:8080/caf%C3%A9"),
    ("http://127.1:8080", "http://127.0.0.1:8080"),
    ("http://2130706433:8080", "http://127.0.0.1:8080"),
    ("http://0x7f000001:8080", "http://127.0.0.1:8080"),
    ("http://0x7F.0.0.1:8080", "http://127.0.0.1:8080"),
    ("http://0177.0.0.01:8080", "http://127.0.0.1:8080"),
    ("http://127.0.1:8080", "http://127.0.0.1:8080"),
    ("http://127.0.0.1.:8080", "http://127.0.0.1:8080"),
    ("http://[::ffff:127.0.0.1]:8080", "http://127.0.0.1:8080"),
    ("http://[::FFFF:7f00:1]:8080/api/", "http://127.0.0.1:8080/api"),
])
def test_spellings_of_one_endpoint_are_stored_as_one(raw, normalized):
    assert normalize_endpoint(raw) == normalized


@pytest.mark.parametrize("raw", ["http://256.0.0.1", "http://1.2.3.4.5", "http://08.0.0.1",
                                 "http://4294967296", "http://1.2.3.0x100", "http://host.42"])
def test_a_host_that_looks_numeric_must_be_a_valid_ipv4_address(raw):
    with pytest.raises(FieldError, match="looks like an IPv4 address but is not one"):
        normalize_endpoint(raw)


@pytest.mark.parametrize("spelling", [
    "http://127.0.0.1:8080/.", "http://127.0.0.1:8080/api/..", "http://127.0.0.1:8080/%2e",
    "http://127.1:8080", "http://2130706433:8080", "http://0x7f.1:8080/",
])
def test_a_second_spelling_of_a_stored_endpoint_is_a_conflict(api, spelling):
    api.create(endpoint="http://127.0.0.1:8080")
    response = api.post("/instances", {"vendor": "dragonfly", "name": "again",
                                       "endpoint": spelling})
    assert response.status_code == 409
    assert error_of(response)["field"] == "endpoint"
