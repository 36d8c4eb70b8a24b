"""The OpenAPI document tells the truth: same endpoints, methods, rules and fields as the code."""
import re

import pytest

from preheat.api import errors, payload, query
from preheat.api.document import spec
from preheat.api.serialize import check_json, provider_json
from preheat.models import AUTH_MODES
from preheat.providers import PROVIDERS, CheckResult
from preheat.validation import DESCRIPTION_MAX, ENDPOINT_MAX, NAME_MAX, NAME_PATTERN, SECRET_MAX
from tests.accounts import ADMIN
from tests.api.conftest import INSTANCE, ApiClient
from tests.helpers import basic

UNDOCUMENTED = {"preheat_api.unknown", "preheat_api.openapi"}


def schemas():
    return spec()["components"]["schemas"]


def documented_path(rule: str, prefix: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule[len(prefix):])


def test_every_route_is_documented_and_every_documented_path_is_served(app):
    rules = {documented_path(rule.rule, "/api/v2.0") for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("preheat_api.") and rule.endpoint not in UNDOCUMENTED}
    assert rules == set(spec()["paths"])


def test_documented_methods_are_exactly_the_allowed_ones(api):
    for path, item in spec()["paths"].items():
        documented = {method.upper() for method in item if method != "parameters"}
        response = api.request("OPTIONS", path.replace("{name}", "df-prod"))
        allowed = set(response.headers["Allow"].split(", ")) - {"HEAD", "OPTIONS"}
        assert allowed == documented, path


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


def test_field_rules_match_the_shared_validation():
    parts = schemas()
    assert parts["Name"]["pattern"] == f"^{NAME_PATTERN.pattern}$"
    assert parts["Name"]["maxLength"] == NAME_MAX
    assert parts["Description"]["maxLength"] == DESCRIPTION_MAX
    assert parts["Endpoint"]["maxLength"] == ENDPOINT_MAX
    assert parts["Secret"]["maxLength"] == SECRET_MAX
    assert parts["Vendor"]["enum"] == list(PROVIDERS)
    assert parts["AuthMode"]["enum"] == list(AUTH_MODES)
    assert parts["Provider"]["properties"]["id"]["enum"] == list(PROVIDERS)


def test_query_parameters_match_the_parser():
    parameters = {p["name"]: p["schema"]
                  for p in spec()["paths"]["/p2p/preheat/instances"]["get"]["parameters"]}
    assert parameters["q"]["pattern"] == query.Q_PATTERN
    assert parameters["sort"]["pattern"] == query.SORT_PATTERN
    assert parameters["page_size"]["maximum"] == query.MAX_PAGE_SIZE
    assert parameters["page_size"]["default"] == query.DEFAULT_PAGE_SIZE
    assert parameters["page"]["maximum"] == query.MAX_PAGE


@pytest.mark.parametrize("q", ["name=~df,enabled=true", "auth_mode={NONE BASIC}", "",
                               "status=Healthy,insecure=false"])
def test_the_q_pattern_accepts_what_the_parser_accepts(q):
    assert re.fullmatch(query.Q_PATTERN, q)
    query.parse_q(q)


def test_payload_fields_match_the_document():
    parts = schemas()
    accepted = set(payload.WRITABLE) | set(payload.READ_ONLY)
    for name in ("InstanceCreate", "InstanceReplace", "InstancePatch"):
        assert set(parts[name]["properties"]) == accepted, name
        assert parts[name]["additionalProperties"] is False
    assert set(parts["InstanceCreate"]["required"]) == set(payload.CREATE_REQUIRED)
    assert set(parts["InstanceReplace"]["required"]) == set(payload.PUT_REQUIRED)
    assert set(parts["InstancePing"]["properties"]) == accepted
    assert set(parts["AuthInfo"]["properties"]) == set(payload.SECRET_KEYS)


def test_response_shapes_match_the_serializers(api):
    parts = schemas()
    instance = api.create()
    assert set(parts["Instance"]["required"]) == set(instance) == set(
        parts["Instance"]["properties"])
    assert "auth_info" not in parts["Instance"]["properties"]
    assert set(parts["Health"]["required"]) == set(check_json(CheckResult(True, "ok")))
    assert set(parts["Provider"]["required"]) == set(provider_json(PROVIDERS["kraken"]))


def test_error_codes_match_the_error_module():
    item = schemas()["Errors"]["properties"]["errors"]["items"]
    assert set(item["properties"]["code"]["enum"]) == set(errors.CODES.values())
