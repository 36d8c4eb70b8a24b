"""The shared rules for names, endpoints and descriptions."""
import pytest

from preheat.validation import FieldError, check_description, check_name, normalize_endpoint


@pytest.mark.parametrize("name", ["a", "df1", "dragonfly-prod", "a.b_c-d", "A1.B2", "x" * 128])
def test_valid_names_are_accepted(name):
    assert check_name(name) == name


@pytest.mark.parametrize("name", ["", "   ", "-a", "a-", "a..b", "a_-b", ".a", "a b", "ä",
                                  "a/b", "x" * 129, "<script>", "a\nb"])
def test_invalid_names_are_refused(name):
    with pytest.raises(FieldError) as error:
        check_name(name)
    assert error.value.field == "name"


@pytest.mark.parametrize("raw, normalized", [
    ("http://Dragonfly.Example:8080/", "http://dragonfly.example:8080"),
    ("HTTPS://HOST.example", "https://host.example"),
    ("http://host:80/api//", "http://host/api"),
    ("https://host:443", "https://host"),
    ("https://host:8443/p2p", "https://host:8443/p2p"),
    ("http://10.0.0.1:8002", "http://10.0.0.1:8002"),
    ("http://[::1]:8080", "http://[::1]:8080"),
    ("  http://host  ", "http://host"),
    ("http://bücher.example", "http://xn--bcher-kva.example"),
])
def test_endpoints_are_normalized(raw, normalized):
    assert normalize_endpoint(raw) == normalized


@pytest.mark.parametrize("raw, message", [
    ("", "required"),
    ("ftp://host", "http:// or https://"),
    ("javascript:alert(1)", "http:// or https://"),
    ("file:///etc/passwd", "http:// or https://"),
    ("host:8080", "http:// or https://"),
    ("http://user:pass@host", "user name or password"),
    ("http://host?x=1", "query"),
    ("http://host/#top", "fragment"),
    ("http://", "name a host"),
    ("http://[::1]:0", "between 1 and 65535"),
    ("http://host:99999", "valid URL"),
    ("http://ho st", "spaces"),
    ("http://host\x00", "control characters"),
    ("http://-bad-.example", "valid host name"),
    ("http://" + "a" * 1100, "at most 1024"),
])
def test_bad_endpoints_are_refused_with_a_reason(raw, message):
    with pytest.raises(FieldError) as error:
        normalize_endpoint(raw)
    assert error.value.field == "endpoint"
    assert message in error.value.message


def test_description_is_optional_and_bounded():
    assert check_description("  ") is None
    assert check_description("line one\nline two") == "line one\nline two"
    with pytest.raises(FieldError):
        check_description("x" * 1001)
