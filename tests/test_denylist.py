"""The endpoint denylist: every spelling of a denied address, named groups, and refusal on save."""
import time
from contextlib import closing

import pytest

from app import create_app
from preheat.health.checks import check
from preheat.transport import Credentials, HttpClient, Target
from tests.api.conftest import api, error_of  # noqa: F401 (api is a fixture)
from tests.helpers import NEW_INSTANCE, stored
from tests.providers.faults import free_port

METADATA = ("(which carries 169.254.169.254), in the range 169.254.0.0/16 that"
            " PREHEAT_ENDPOINT_DENYLIST forbids (link-local addresses are where cloud metadata"
            " services live).")
SAVE_REFUSED = ("Blocked: 169.254.169.254 resolves to 169.254.169.254, in the range"
                " 169.254.0.0/16 that PREHEAT_ENDPOINT_DENYLIST forbids (link-local addresses"
                " are where cloud metadata services live).")


def reason(client, endpoint, vendor="dragonfly"):
    result = check(vendor, Target(endpoint, Credentials()), client)
    assert not result.ok
    return result.reason


@pytest.fixture(scope="module")
def http():
    with closing(HttpClient(timeout=1.0)) as client:
        yield client


@pytest.mark.parametrize("host", [
    "64:ff9b::169.254.169.254",              # NAT64, well-known prefix
    "64:ff9b:1::169.254.169.254",            # NAT64, local-use prefix as /96
    "64:ff9b:1:a9fe:a9:fe00::",              # NAT64, local-use prefix as /48
    "::169.254.169.254",                     # IPv4-compatible
    "::ffff:0:169.254.169.254",              # IPv4-translated
    "2002:a9fe:a9fe::1",                     # 6to4
    "2001:0:4136:e378:8000:63bf:5601:5601",  # Teredo (the client address is obfuscated)
])
def test_ipv6_forms_that_carry_a_denied_ipv4_address_are_blocked(http, host):
    text = reason(http, f"http://[{host}]")
    assert text.startswith(f"Blocked: {host} resolves to ") and text.endswith(METADATA)


def test_ipv4_mapped_loopback_is_blocked_before_any_connection(dragonfly):
    port = dragonfly.server_address[1]
    with closing(HttpClient(timeout=1.0, denylist="127.0.0.0/8")) as client:
        text = reason(client, f"http://[::ffff:127.0.0.1]:{port}")
    assert text.startswith("Blocked: ::ffff:127.0.0.1 resolves to ::ffff:127.0.0.1"
                           " (which carries 127.0.0.1), in the range 127.0.0.0/8")
    assert dragonfly.requests == []


def test_loopback_group_denies_the_servers_own_addresses(dragonfly):
    port = dragonfly.server_address[1]
    with closing(HttpClient(timeout=1.0, denylist="link-local, loopback")) as client:
        for host in ("127.0.0.1", "localhost", "0.0.0.0", "[::1]"):
            assert reason(client, f"http://{host}:{port}").endswith(
                "that PREHEAT_ENDPOINT_DENYLIST forbids (loopback addresses are this server"
                " itself)."), host
    assert dragonfly.requests == []


@pytest.mark.parametrize("address", ["10.1.2.3", "172.20.0.1", "192.168.1.1", "[fd12::1]"])
def test_private_group_denies_private_networks(address):
    with closing(HttpClient(timeout=1.0, denylist=["private"])) as client:
        assert "(private networks are denied here)." in reason(client, f"http://{address}")


def test_default_denylist_still_reaches_local_stand_ins(http, dragonfly):
    assert check("dragonfly", Target(dragonfly.url, Credentials()), http).ok


def test_an_unknown_group_stops_the_app_at_start(app_config, tmp_path):
    app_config["PREHEAT_ENDPOINT_DENYLIST"] = "link-local, lopback"
    with pytest.raises(ValueError, match="'lopback' is neither a CIDR nor one of the groups"
                                         " link-local, metadata, loopback, private"):
        create_app(app_config, instance_path=str(tmp_path / "instance"))


def test_a_denied_endpoint_is_refused_when_saved_in_the_form(admin, session):
    response = admin.post("/distributions/new",
                          {**NEW_INSTANCE, "endpoint": "http://169.254.169.254"})
    assert response.status_code == 422
    assert SAVE_REFUSED in response.get_data(as_text=True)
    assert stored(session) is None


def test_a_denied_endpoint_is_refused_by_the_api_on_create_and_change(api):
    response = api.post("/instances", {"vendor": "dragonfly", "name": "md",
                                       "endpoint": "http://169.254.169.254"})
    assert response.status_code == 400
    assert error_of(response)["field"] == "endpoint"
    assert error_of(response)["message"] == "endpoint: " + SAVE_REFUSED
    api.create()
    response = api.patch("/instances/df-prod", {"endpoint": "http://[::169.254.169.254]"})
    assert response.status_code == 400 and error_of(response)["field"] == "endpoint"
    assert api.get("/instances/df-prod").get_json()["endpoint"] == "http://df.example:8080"


def test_save_refuses_the_same_sentence_the_check_gives(api, http):
    response = api.post("/instances", {"vendor": "dragonfly", "name": "md",
                                       "endpoint": "http://169.254.169.254"})
    assert error_of(response)["message"] == "endpoint: " + reason(http, "http://169.254.169.254")


@pytest.fixture
def loopback_denied(app_config):
    app_config["PREHEAT_ENDPOINT_DENYLIST"] = "link-local, loopback"


def test_a_name_resolving_into_the_denylist_is_refused_on_save(loopback_denied, api):
    response = api.post("/instances", {"vendor": "dragonfly", "name": "local",
                                       "endpoint": f"http://localhost:{free_port()}"})
    assert response.status_code == 400
    assert error_of(response)["message"].startswith("endpoint: Blocked: localhost resolves to ")


def test_an_unresolvable_name_is_saved_and_left_to_connect_time(api):
    api.create(endpoint="http://nonexistent.invalid:8080")


def test_a_slow_resolver_does_not_hold_up_a_save(app, api):
    def hanging_resolver(*args):
        time.sleep(5)
        raise OSError("too late")
    app.extensions["preheat"].http.resolver = hanging_resolver
    started = time.monotonic()
    api.create(endpoint="http://slow-dns.example:8080")
    assert time.monotonic() - started < 2.5
