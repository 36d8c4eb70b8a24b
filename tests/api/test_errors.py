"""Client mistakes get a 4xx in the error shape, naming what is wrong; never a 500."""
import pytest

from tests.api.conftest import INSTANCE, error_of


@pytest.mark.parametrize("field, value, message", [
    ("name", 123, "name: Must be a string."),
    ("name", None, "name: Must be a string."),
    ("name", "-bad-", "name: Name may contain letters"),
    ("name", " padded", "name: Must not start or end with white space."),
    ("name", "x" * 129, "name: Name must be at most 128 characters."),
    ("enabled", "yes", "enabled: Must be true or false."),
    ("default", 1, "default: Must be true or false."),
    ("insecure", None, "insecure: Must be true or false."),
    ("vendor", "harbor", "vendor: Provider must be one of: dragonfly, kraken."),
    ("endpoint", "ftp://df.example", "endpoint: Endpoint must start with http:// or https://."),
    ("endpoint", "http://user:pw@df.example", "endpoint: Endpoint must not contain a user"),
    ("endpoint", "http://df.example:99999", "endpoint: Endpoint"),
    ("endpoint", ["http://x"], "endpoint: Must be a string."),
    ("description", "d" * 1001, "description: Description must be at most 1000"),
    ("description", "bell\x07", "description: Description must not contain control"),
    ("description", {"a": 1}, "description: Must be a string."),
    ("auth_mode", "basic", "auth_mode: Auth Mode must be one of NONE, BASIC or OAUTH."),
    ("auth_info", "secret", "auth_info: Must be an object"),
    ("auth_info", {"user": "x"}, "auth_info.user: Unknown field"),
    ("auth_info", {"token": 5}, "auth_info.token: Must be a string."),
    ("id", "7", "id: Must be an integer"),
    ("setup_timestamp", True, "setup_timestamp: Must be an integer"),
    ("status", 3, "status: Must be a string"),
    ("enable", False, "enable: Unknown field"),
    ("name", "\ud800", "name: Must be valid Unicode text."),
])
def test_wrong_values_and_types_are_400_naming_the_field(api, field, value, message):
    response = api.post("/instances", {**INSTANCE, field: value})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "BAD_REQUEST"
    assert error["message"].startswith(message), error["message"]
    assert error["field"] == message.split(":")[0]


@pytest.mark.parametrize("missing", ["vendor", "name", "endpoint"])
def test_create_names_a_missing_required_field(api, missing):
    body = {key: value for key, value in INSTANCE.items() if key != missing}
    response = api.post("/instances", body)
    assert response.status_code == 400 and error_of(response)["field"] == missing


@pytest.mark.parametrize("mode, info, field", [
    ("BASIC", {"username": "ops"}, "auth_info.password"),
    ("BASIC", {}, "auth_info.username"),
    ("OAUTH", None, "auth_info.token"),
])
def test_missing_credentials_name_the_secret(api, mode, info, field):
    response = api.post("/instances", {**INSTANCE, "auth_mode": mode, "auth_info": info})
    assert response.status_code == 400 and error_of(response)["field"] == field


@pytest.mark.parametrize("body, content_type, status, text", [
    (b'{"name": ', "application/json", 400, "not valid JSON"),
    (b"", "application/json", 400, "empty"),
    (b"[1, 2]", "application/json", 400, "must be a JSON object"),
    (b'"df"', "application/json", 400, "must be a JSON object"),
    (b'{"name": NaN}', "application/json", 400, "not valid JSON"),
    (b"\xff\xfe\x00", "application/json", 400, "not valid JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "application/json", 413, "too large"),
    (b"[" * 30_000 + b"]" * 30_000, "application/json", 400, "not valid JSON"),
    (b"1" * 5000, "application/json", 400, "not valid JSON"),
    (b"name=df", "application/x-www-form-urlencoded", 415, "application/json"),
    (b'{"name": "df"}', "text/plain", 415, "application/json"),
    (b'{"name": "df"}', None, 415, "application/json"),
])
def test_bodies_that_are_not_a_json_object(api, body, content_type, status, text):
    headers = {"Content-Type": content_type} if content_type else {}
    response = api.request("POST", "/instances", data=body, headers=headers)
    assert response.status_code == status
    assert text in error_of(response)["message"]


def test_a_huge_body_is_413_without_being_read_whole(api):
    response = api.request("POST", "/instances", data=b"{" + b" " * (10 * 1024 * 1024) + b"}",
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert error_of(response)["code"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8",
                                          "application/vnd.example+json"])
def test_json_with_a_charset_and_vendor_types_are_accepted(api, content_type):
    response = api.request("POST", "/instances", data=b'{"vendor": "kraken", "name": "k",'
                           b' "endpoint": "http://k.example"}',
                           headers={"Content-Type": content_type})
    assert response.status_code == 201


@pytest.mark.parametrize("method, url, allowed", [
    ("DELETE", "/instances", "GET, HEAD, OPTIONS, POST"),
    ("POST", "/instances/df-prod", "DELETE, GET, HEAD, OPTIONS, PATCH, PUT"),
    ("PUT", "/providers", "GET, HEAD, OPTIONS"),
    ("TRACE", "/instances/df-prod/health", "GET, HEAD, OPTIONS, POST"),
])
def test_wrong_method_is_405_with_allow(api, method, url, allowed):
    response = api.request(method, url)
    assert response.status_code == 405
    assert error_of(response)["code"] == "METHOD_NOT_ALLOWED"
    assert response.headers["Allow"] == allowed


def test_options_lists_the_methods_of_a_url(api):
    response = api.request("OPTIONS", "/instances/ping")
    assert response.status_code == 204 and response.headers["Allow"] == "OPTIONS, POST"


def test_get_on_ping_reads_an_instance_named_ping(api):
    api.create(name="ping")
    assert api.get("/instances/ping").get_json()["name"] == "ping"
    assert api.delete("/instances/ping").status_code == 200


@pytest.mark.parametrize("url", ["/api/v2.0/nothing", "/p2p/preheat/nothing", "/instances/a/b", "/instances/", "/api/v2.0/",
                                 "/instances/%00", "/instances/" + "x" * 300])
def test_unknown_urls_under_the_prefix_are_json_404(api, url):
    response = api.get(url)
    assert response.status_code == 404
    assert error_of(response)["code"] == "NOT_FOUND"


def test_a_host_error_page_handler_does_not_capture_api_errors(app, api):
    @app.errorhandler(404)
    def host_page(_error):
        return "<h1>Host 404</h1>", 404

    response = api.get("/instances/missing")
    assert response.status_code == 404 and error_of(response)["code"] == "NOT_FOUND"


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_an_id_that_is_not_the_instances_own_is_refused(api, method):
    created = api.create()
    response = api.request(method, "/instances/df-prod",
                           json={**INSTANCE, "id": created["id"] + 1})
    assert response.status_code == 400 and error_of(response)["field"] == "id"


def test_changing_the_vendor_is_400(api):
    api.create()
    response = api.patch("/instances/df-prod", {"vendor": "kraken"})
    assert response.status_code == 400
    assert "cannot be changed" in error_of(response)["message"]


def test_put_without_name_is_400(api):
    api.create()
    response = api.put("/instances/df-prod", {"endpoint": "http://df.example"})
    assert response.status_code == 400 and error_of(response)["field"] == "name"


def test_api_answers_are_not_cached(api):
    assert api.get("/instances").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("body, field", [
    ({"auth_mode": "BASIC", "auth_info": {"username": "ops", "password": ""}},
     "auth_info.password"),
    ({"auth_mode": "BASIC", "auth_info": {"username": None, "password": "pw"}},
     "auth_info.username"),
    ({"auth_mode": "OAUTH"}, "auth_info.token"),
])
def test_a_ping_of_an_unsaved_instance_needs_the_secrets_of_its_auth_mode(api, body, field):
    response = api.post("/instances/ping", {"vendor": "kraken", "endpoint": "http://k", **body})
    assert response.status_code == 400
    error = error_of(response)
    assert error["field"] == field and error["message"].endswith("required for this auth mode.")


def test_a_ping_of_an_unsaved_instance_names_a_missing_endpoint(api):
    response = api.post("/instances/ping", {"vendor": "kraken"})
    assert response.status_code == 400 and error_of(response)["field"] == "endpoint"
    assert "required" in error_of(response)["message"]


def test_a_secret_with_a_control_character_is_refused_without_repeating_it(api):
    response = api.post("/instances", {**INSTANCE, "auth_mode": "OAUTH",
                                       "auth_info": {"token": "canary-\x07"}})
    error = error_of(response)
    assert response.status_code == 400 and error["field"] == "auth_info.token"
    assert error["message"] == "auth_info.token: Must not contain control characters."


def test_an_internationalised_host_is_told_its_ascii_spelling(api):
    response = api.post("/instances", {**INSTANCE, "endpoint": "http://bücher.example:8080"})
    assert response.status_code == 400
    assert error_of(response) == {
        "code": "BAD_REQUEST", "field": "endpoint",
        "message": "endpoint: Write the host name in ASCII (punycode), as in"
                   " http://xn--bcher-kva.example:8080."}
    created = api.post("/instances", {**INSTANCE, "endpoint": "http://xn--bcher-kva.example:8080"})
    assert created.status_code == 201
