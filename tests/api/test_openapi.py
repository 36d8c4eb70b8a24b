"""The OpenAPI document tells the truth: same endpoints, methods, rules and fields as the code."""
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

from preheat.api import errors, openapi, query
from preheat.api.endpoint_pattern import ENDPOINT_PATTERN
from preheat.api.responses import Health, Instance, Provider
from preheat.api.serialize import check_json, provider_json
from preheat.models import AUTH_MODES
from preheat.providers import PROVIDERS, CheckResult
from preheat.validation import (ENDPOINT_MAX, NAME_MAX, NAME_PATTERN, SECRET_MAX, FieldError,
                                normalize_endpoint)
from tests.accounts import ADMIN
from tests.api.conftest import INSTANCE, ApiClient, error_of
from tests.helpers import basic

UNDOCUMENTED = {"preheat_api.unknown", "preheat_api.openapi"}
SUCCESS = {200, 201}


@pytest.fixture
def document(app):
    return app.test_client().get("/api/v2.0/openapi.json").get_json()


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation


def documented_path(rule: str, prefix: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule[len(prefix):])


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    OPENAPI_31_VALIDATOR.validate(document)


def test_every_route_is_documented_and_every_documented_path_is_served(app, document):
    rules = {documented_path(rule.rule, "/api/v2.0") for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("preheat_api.") and rule.endpoint not in UNDOCUMENTED}
    assert rules == set(document["paths"])


def test_documented_methods_are_exactly_the_allowed_ones(api, document):
    for path, item in document["paths"].items():
        documented = {method.upper() for method in item if method != "parameters"}
        # Every GET answers HEAD too; only a HEAD of its own is documented.
        documented |= {"HEAD"} if "GET" in documented else set()
        response = api.request("OPTIONS", path.replace("{name}", "df-prod"))
        allowed = set(response.headers["Allow"].split(", ")) - {"OPTIONS"}
        assert allowed == documented, path


def test_every_documented_status_is_one_the_api_gives(document):
    for path, method, operation in operations(document):
        statuses = {int(status) for status in operation["responses"]}
        assert statuses - SUCCESS <= set(errors.CODES), (method, path)
        assert {401, 403} <= statuses, (method, path)
        if "requestBody" in operation:
            assert {400, 413, 415} <= statuses, (method, path)
    checks = {operation["operationId"]: operation for *_, operation in operations(document)}
    assert "Retry-After" in checks["PingInstances"]["responses"]["429"]["headers"]
    assert "412" in checks["DeleteInstance"]["responses"]
    assert "412" not in checks["GetInstance"]["responses"]


class TestAConfiguredPrefix:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "PREHEAT_API_PREFIX": "/tools/harbor"}

    def test_served_document_points_at_the_configured_prefix(self, app):
        document = app.test_client().get("/tools/harbor/openapi.json").get_json()
        assert document["servers"] == [{"url": "/tools/harbor"}]
        assert app.test_client().get("/api/v2.0/openapi.json").status_code == 404

    def test_the_configured_prefix_is_used_for_locations_and_links(self, app):
        client = ApiClient(app, basic(*ADMIN), collection="/tools/harbor/p2p/preheat/instances")
        created = client.post("/tools/harbor/p2p/preheat/instances", INSTANCE)
        assert created.headers["Location"] == "/tools/harbor/p2p/preheat/instances/df-prod"
        client.create(name="second", endpoint="http://second.example")
        listed = client.get("/tools/harbor/p2p/preheat/instances?page_size=1")
        assert "</tools/harbor/p2p/preheat/instances?" in listed.headers["Link"]


def test_field_rules_match_the_shared_validation(document):
    parts = document["components"]["schemas"]
    assert parts["Name"]["pattern"] == f"^{NAME_PATTERN.pattern}$"
    assert parts["Name"]["maxLength"] == NAME_MAX
    assert parts["Endpoint"]["maxLength"] == ENDPOINT_MAX
    assert parts["Endpoint"]["pattern"] == ENDPOINT_PATTERN
    assert parts["InstancePatch"]["properties"]["vendor"]["enum"] == list(PROVIDERS)
    assert parts["InstancePatch"]["properties"]["auth_mode"]["enum"] == list(AUTH_MODES)
    assert parts["BasicAuthInfo"]["properties"]["password"]["maxLength"] == SECRET_MAX
    assert parts["Provider"]["properties"]["id"]["enum"] == list(PROVIDERS)


def test_a_new_instance_needs_the_secrets_of_its_auth_mode(document):
    parts = document["components"]["schemas"]
    variants = [part["$ref"].rsplit("/", 1)[1] for part in parts["InstanceCreate"]["oneOf"]]
    modes = {parts[name]["properties"]["auth_mode"]["const"]: parts[name] for name in variants}
    assert set(modes) == set(AUTH_MODES)
    assert set(parts["BasicAuthInfo"]["required"]) == {"username", "password"}
    assert parts["TokenAuthInfo"]["required"] == ["token"]
    assert modes["BASIC"]["properties"]["auth_info"] == {
        "$ref": "#/components/schemas/BasicAuthInfo"}
    assert "auth_info" in modes["OAUTH"]["required"]
    assert "auth_mode" not in modes["NONE"].get("required", [])


def test_query_parameters_match_the_parser(document):
    parameters = {p["name"]: p["schema"]
                  for p in document["paths"]["/p2p/preheat/instances"]["get"]["parameters"]}
    assert parameters["q"]["pattern"] == query.Q_PATTERN
    assert parameters["sort"]["pattern"] == query.SORT_PATTERN
    assert parameters["page_size"]["maximum"] == query.MAX_PAGE_SIZE
    assert parameters["page_size"]["default"] == query.DEFAULT_PAGE_SIZE
    assert parameters["page"]["maximum"] == query.MAX_PAGE
    audit = {p["name"] for p in document["paths"]["/p2p/preheat/audit-logs"]["get"]["parameters"]}
    assert audit == {"instance", "user", "action", "outcome", "page", "page_size"}


@pytest.mark.parametrize("q", ["name=~df,enabled=true", "auth_mode={NONE BASIC}", "",
                               "status=Healthy,insecure=false"])
def test_the_q_pattern_accepts_what_the_parser_accepts(q):
    assert re.fullmatch(query.Q_PATTERN, q)
    query.parse_q(q)


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.from_regex(ENDPOINT_PATTERN))
def test_every_endpoint_the_pattern_allows_is_one_the_server_saves(endpoint):
    normalize_endpoint(endpoint)


@pytest.mark.parametrize("endpoint", [
    "http://256.0.0.1", "http://1.2.3.4.5", "http://08.0.0.1", "http://4294967296",
    "http://host.42", "http://h:0", "http://h:65536", "http://-h", "http://a..b", "http://h/a b",
    "http://h/\x01", "http://[1:2:3:4:5:6:7:8:9]"])
def test_the_pattern_refuses_what_the_server_refuses(endpoint):
    assert not re.match(ENDPOINT_PATTERN, endpoint)
    with pytest.raises(FieldError):
        normalize_endpoint(endpoint)


def test_an_endpoint_outside_the_pattern_is_refused_even_if_it_would_normalize(api):
    # An IDN host is valid for the form, but the API takes what its document says.
    response = api.post("/instances", {**INSTANCE, "endpoint": "http://b\u00fccher.example"})
    assert response.status_code == 400 and error_of(response)["field"] == "endpoint"
    assert "http://xn--bcher-kva.example" in error_of(response)["message"]


def test_response_bodies_match_the_models(api):
    Instance.model_validate(api.create())
    Health.model_validate(check_json(CheckResult(True, "ok")))
    for provider in PROVIDERS.values():
        Provider.model_validate(provider_json(provider))


def test_error_codes_match_the_error_module(document):
    item = document["components"]["schemas"]["Error"]
    assert set(item["properties"]["code"]["enum"]) == set(errors.CODES.values())
    assert set(openapi.ERRORS) <= set(errors.CODES)


def test_the_registry_and_project_operations_come_from_their_models(document):
    from preheat.api import registry_models, responses
    ids = {operation["operationId"] for *_, operation in operations(document)}
    assert {"ListRegistries", "CreateRegistry", "GetRegistry", "UpdateRegistry",
            "DeleteRegistry", "PingRegistry", "ListProjects", "HeadProject", "CreateProject",
            "GetProject", "DeleteProject"} <= ids
    schemas = document["components"]["schemas"]
    for model in (registry_models.RegistryUpdate, registry_models.ProjectCreate,
                  responses.Registry, responses.Project):
        assert set(schemas[model.__name__]["properties"]) == set(model.model_fields)
    assert "access_secret" not in schemas["RegistryCredentialInfo"]["properties"]
    assert schemas["Registry"]["properties"]["creation_time"]["format"] == "date-time"
    head = document["paths"]["/projects"]["head"]
    assert [p["name"] for p in head["parameters"]] == ["project_name"]
    assert head["responses"]["404"] == {"description": "No project has this name."}
