"""Policies, executions and tasks listed as Harbor lists them: q, sort, page and page_size."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update

from preheat.executions import runs
from preheat.models import Policy, utcnow
from tests.api.conftest import error_of
from tests.executions.conftest import (app_config, box, images, policy,  # noqa: F401
                                       run_to_end)
from tests.helpers import add_instances, add_projects, add_registries, own_session
from tests.providers import kraken as kraken_standin

POLICIES = "/projects/library/preheat/policies"
TRIGGER = '{"type":"manual","trigger_setting":{}}'


@pytest.fixture
def three_policies(app, api):
    """Policies warm-a, warm-b (deactivated) and cold of project library, created in that order."""
    provider = add_instances(app, {"vendor": "kraken", "name": "kr",
                                   "endpoint": "http://127.0.0.1:9"})[0]
    add_projects(app, *add_registries(app, {"name": "hub", "url": "http://127.0.0.1:7"}),
                 "library")
    start = utcnow() - timedelta(days=3)
    for index, (name, enabled) in enumerate([("warm-a", True), ("warm-b", False),
                                             ("cold", True)]):
        created = api.post(POLICIES, {"name": name, "provider_id": provider, "trigger": TRIGGER,
                                      "enabled": enabled})
        assert created.status_code == 201, created.get_json()
        # Creation times a day apart, whatever the clock's resolution.
        with own_session(app) as session:
            session.execute(update(Policy).where(Policy.name == name)
                            .values(created_at=start + timedelta(days=index)))
            session.commit()


def names(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["name"] for item in response.get_json()]


def links(response) -> dict:
    """The Link header as {rel: the query of its URL}, with its path checked."""
    found = {}
    for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("Link", "")):
        parts = urlsplit(url)
        assert parts.path == response.request.path, url
        found[rel] = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return found


@pytest.mark.parametrize("q, expected", [
    ("name=~warm", ["warm-a", "warm-b"]),
    ("name=~WARM", ["warm-a", "warm-b"]),
    ("name=cold", ["cold"]),
    ("name=Warm-A", ["warm-a"]),
    ("name=warm", []),
    ("name={cold warm-b}", ["cold", "warm-b"]),
    ("enabled=false", ["warm-b"]),
    ("name=~warm,enabled=true", ["warm-a"]),
])
def test_policies_are_filtered_by_q(api, three_policies, q, expected):
    response = api.get(POLICIES, query_string={"q": q})
    assert names(response) == expected
    assert response.headers["X-Total-Count"] == str(len(expected))


@pytest.mark.parametrize("sort, expected", [
    (None, ["cold", "warm-a", "warm-b"]),
    ("name", ["cold", "warm-a", "warm-b"]),
    ("-name", ["warm-b", "warm-a", "cold"]),
    ("creation_time", ["warm-a", "warm-b", "cold"]),
    ("-creation_time", ["cold", "warm-b", "warm-a"]),
])
def test_policies_are_sorted(api, three_policies, sort, expected):
    query = {"sort": sort} if sort else {}
    assert names(api.get(POLICIES, query_string=query)) == expected


def test_policy_pages_keep_the_filter_and_the_order_in_their_links(api, three_policies):
    query = {"q": "name=~warm", "sort": "-creation_time", "page_size": "1"}
    first = api.get(POLICIES, query_string=query)
    assert names(first) == ["warm-b"] and first.headers["X-Total-Count"] == "2"
    assert links(first) == {"next": {**query, "page": "2"}}
    second = api.get(POLICIES, query_string={**query, "page": "2"})
    assert names(second) == ["warm-a"]
    assert links(second) == {"prev": {**query, "page": "1"}}
    assert names(api.get(POLICIES, query_string={**query, "page": "3"})) == []


LISTS = [POLICIES, POLICIES + "/warm-a/executions", POLICIES + "/warm-a/executions/{id}/tasks"]


@pytest.mark.parametrize("url", LISTS, ids=["policies", "executions", "tasks"])
@pytest.mark.parametrize("parameter, value", [
    ("q", "colour=red"), ("q", "name"), ("q", "status=~"), ("q", "enabled=maybe"),
    ("q", "status={Error"), ("sort", "size"), ("sort", "--id"),
    ("page", "0"), ("page", "x"), ("page_size", "1000"), ("page_size", "-1"),
])
def test_bad_list_parameters_are_a_400_naming_them(app, api, three_policies, url, parameter,
                                                   value):
    with own_session(app) as session:
        execution = runs.start(session, session.query(Policy).filter_by(name="warm-a").one())
        execution_id = execution.id
    response = api.get(url.format(id=execution_id), query_string={parameter: value})
    assert response.status_code == 400, (parameter, value, response.get_json())
    assert error_of(response)["field"] == parameter


def test_executions_are_paged_newest_first(app, api, three_policies):
    with own_session(app) as session:
        warm = session.query(Policy).filter_by(name="warm-a").one()
        # Not woken: they stay Pending while the list is read.
        ids = [runs.start(session, warm).id for _ in range(3)]
    url = POLICIES + "/warm-a/executions"
    first = api.get(url, query_string={"page_size": "2"})
    assert [e["id"] for e in first.get_json()] == ids[:0:-1]
    assert first.headers["X-Total-Count"] == "3"
    assert links(first) == {"next": {"page_size": "2", "page": "2"}}
    second = api.get(url, query_string={"page_size": "2", "page": "2"})
    assert [e["id"] for e in second.get_json()] == ids[:1]
    assert links(second) == {"prev": {"page_size": "2", "page": "1"}}
    oldest = api.get(url, query_string={"sort": "id", "page_size": "1"})
    assert [e["id"] for e in oldest.get_json()] == ids[:1]


def test_tasks_are_filtered_by_status(app, api, session, images, started, policy):
    images(["1.0", "1.1"], kind="docker")
    images(["oci"], kind="oci")
    execution = run_to_end(app, session, policy(started(kraken_standin.serve), vendor="kraken"))
    assert execution.status == "Error"
    tasks = f"/projects/library/preheat/policies/warm/executions/{execution.id}/tasks"

    def artifacts(response):
        assert response.status_code == 200, response.get_json()
        return [task["extra_attrs"]["artifact"] for task in response.get_json()]
    failed = api.get(tasks, query_string={"q": "status=Error"})
    assert artifacts(failed) == ["library/app:oci"] and failed.headers["X-Total-Count"] == "1"
    assert artifacts(api.get(tasks, query_string={"q": "status=error"})) == ["library/app:oci"]
    succeeded = api.get(tasks, query_string={"q": "status=Success", "page_size": "1"})
    assert artifacts(succeeded) == ["library/app:1.0"]
    assert succeeded.headers["X-Total-Count"] == "2"
    assert links(succeeded) == {"next": {"q": "status=Success", "page_size": "1", "page": "2"}}
    assert artifacts(api.get(tasks, query_string={"q": "status={Error Stopped}"})) == \
        ["library/app:oci"]
    assert artifacts(api.get(tasks, query_string={"sort": "-tag"})) == [
        "library/app:oci", "library/app:1.1", "library/app:1.0"]
    executions = api.get("/projects/library/preheat/policies/warm/executions",
                         query_string={"q": "status=Error"})
    assert [e["id"] for e in executions.get_json()] == [execution.id]
    assert api.get("/projects/library/preheat/policies/warm/executions",
                   query_string={"q": "status=Success"}).get_json() == []
