"""Skip certificate verification: said once in the audit log, never again in the server log."""
import warnings
from contextlib import closing

import pytest
import requests
from sqlalchemy import select
from urllib3.exceptions import InsecureRequestWarning

from preheat.models import AuditEntry
from preheat.health.checks import check
from preheat.transport import Credentials, HttpClient, Target
from tests.helpers import NEW_INSTANCE
from tests.providers import dragonfly as dragonfly_standin


@pytest.fixture
def tls_dragonfly(started, tmp_path):
    return started(dragonfly_standin.serve, tls=tmp_path)


def insecure_warnings(caught) -> list:
    return [w for w in caught if issubclass(w.category, InsecureRequestWarning)]


def test_checks_with_verification_skipped_write_no_warning(tls_dragonfly):
    with closing(HttpClient(timeout=2.0)) as client, \
            warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            assert check("dragonfly", Target(tls_dragonfly.url, Credentials(), True), client).ok
    assert insecure_warnings(caught) == []


def test_test_connection_with_verification_skipped_writes_no_warning(admin, tls_dragonfly):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = admin.post("/distributions/test-connection",
                              {**NEW_INSTANCE, "endpoint": tls_dragonfly.url, "insecure": "y"})
    assert "Connection OK." in response.get_data(as_text=True)
    assert insecure_warnings(caught) == []


def test_the_host_apps_own_unverified_requests_still_warn(app, tls_dragonfly):
    with closing(HttpClient(timeout=2.0)) as client:
        check("dragonfly", Target(tls_dragonfly.url, Credentials(), True), client)
    with pytest.warns(InsecureRequestWarning):
        requests.get(tls_dragonfly.url + "/healthy", verify=False, timeout=2)


def details(session, action):
    session.expire_all()
    return [e.detail for e in session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))]


def test_skipping_verification_is_recorded_once_when_saved(admin, session):
    admin.post("/distributions/new", {**NEW_INSTANCE, "insecure": "y"})
    admin.post("/distributions/new", {**NEW_INSTANCE, "name": "strict",
                                      "endpoint": "https://strict.example"})
    created = details(session, "create")
    assert created[0].endswith(", certificate verification skipped")
    assert "certificate verification" not in created[1]
    admin.post("/distributions/2/edit", {**NEW_INSTANCE, "name": "strict",
                                         "endpoint": "https://strict.example", "insecure": "y"})
    admin.post("/distributions/2/edit", {**NEW_INSTANCE, "name": "strict", "description": "x",
                                         "endpoint": "https://strict.example", "insecure": "y"})
    updated = details(session, "update")
    assert updated[0].endswith("; certificate verification skipped")
    assert "certificate verification" not in updated[1]
