"""The list: Harbor's q, sort, page and page_size, with X-Total-Count and Link."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from preheat.models import Instance
from tests.api.conftest import error_of


@pytest.fixture
def fleet(api, session):
    """Five instances with known names, vendors, modes, flags and setup times."""
    rows = [("df-prod", "dragonfly", "OAUTH", True), ("df-stage", "dragonfly", "NONE", False),
            ("kraken-a", "kraken", "NONE", True), ("Kraken-B", "kraken", "BASIC", True),
            ("other", "dragonfly", "NONE", True)]
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for index, (name, vendor, mode, enabled) in enumerate(rows):
        auth_info = {"OAUTH": {"token": "t"}, "BASIC": {"username": "u", "password": "p"}}
        api.create(name=name, vendor=vendor, endpoint=f"http://{name.lower()}.example",
                   auth_mode=mode, auth_info=auth_info.get(mode), enabled=enabled)
        session.execute(update(Instance).where(Instance.name == name)
                        .values(setup_timestamp=start + timedelta(days=index)))
        session.commit()


def links(response) -> dict:
    """The Link header as {rel: url}."""
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"',
                                                 response.headers["Link"])}


def names(response):
    assert response.status_code == 200, response.get_json()
    return [item["name"] for item in response.get_json()]


def test_default_order_is_by_name_ignoring_case(api, fleet):
    response = api.get("/instances")
    assert names(response) == ["df-prod", "df-stage", "kraken-a", "Kraken-B", "other"]
    assert response.headers["X-Total-Count"] == "5" and "Link" not in response.headers


@pytest.mark.parametrize("q, expected", [
    ("name=~KRAK", ["kraken-a", "Kraken-B"]),
    ("name=kraken-b", ["Kraken-B"]),
    ("name=kraken", []),
    ("vendor=dragonfly,enabled=true", ["df-prod", "other"]),
    ("enabled=false", ["df-stage"]),
    ("auth_mode={OAUTH basic}", ["df-prod", "Kraken-B"]),
    ("auth_mode=none,name=~df", ["df-stage"]),
    ("endpoint=~kraken-a.", ["kraken-a"]),
    ("status=Unknown,default=false", ["df-prod", "df-stage", "kraken-a", "Kraken-B", "other"]),
    ("name=~%", []),
    ("name=~_", []),
    ("vendor=harbor", []),
    ("", ["df-prod", "df-stage", "kraken-a", "Kraken-B", "other"]),
])
def test_q_filters(api, fleet, q, expected):
    response = api.get("/instances", query_string={"q": q})
    assert names(response) == expected
    assert response.headers["X-Total-Count"] == str(len(expected))


@pytest.mark.parametrize("sort, expected", [
    ("-setup_timestamp", ["other", "Kraken-B", "kraken-a", "df-stage", "df-prod"]),
    ("setup_timestamp", ["df-prod", "df-stage", "kraken-a", "Kraken-B", "other"]),
    ("vendor,-name", ["other", "df-stage", "df-prod", "Kraken-B", "kraken-a"]),
    ("-enabled,name,name", ["df-prod", "kraken-a", "Kraken-B", "other", "df-stage"]),
])
def test_sort(api, fleet, sort, expected):
    assert names(api.get("/instances", query_string={"sort": sort})) == expected


def test_paging_with_total_and_links_keeping_the_query(api, fleet):
    first = api.get("/instances", query_string={"page_size": 2, "q": "name=~-", "sort": "name"})
    assert names(first) == ["df-prod", "df-stage"]
    assert first.headers["X-Total-Count"] == "4"
    assert set(links(first)) == {"next"}
    assert links(first)["next"].startswith("/api/v2.0/p2p/preheat/instances?")
    second = api.get(links(first)["next"])
    assert names(second) == ["kraken-a", "Kraken-B"]
    assert set(links(second)) == {"prev"}
    assert names(api.get(links(second)["prev"])) == ["df-prod", "df-stage"]


def test_default_page_size_is_10_and_a_page_past_the_end_is_empty(api, fleet):
    for number in range(8):
        api.create(name=f"extra{number}", endpoint=f"http://extra{number}.example")
    assert len(names(api.get("/instances"))) == 10
    assert names(api.get("/instances?page=2")) == ["kraken-a", "Kraken-B", "other"]
    beyond = api.get("/instances?page=2147483647&page_size=100")
    assert names(beyond) == [] and beyond.headers["X-Total-Count"] == "13"
    assert 'rel="prev"' in beyond.headers["Link"] and "page=1>" in beyond.headers["Link"]


def test_link_ignores_parameters_url_for_would_take_as_options(api, fleet):
    response = api.get("/instances?page_size=2&_external=1&_scheme=ftp&_anchor=x")
    assert response.status_code == 200
    assert response.headers["Link"].startswith("</api/v2.0/")


@pytest.mark.parametrize("args, parameter, words", [
    ({"q": "name"}, "q", "key=value"),
    ({"q": "colour=red"}, "q", "cannot filter on 'colour'"),
    ({"q": "enabled=yes"}, "q", "true or false"),
    ({"q": "name=~"}, "q", "name=~part"),
    ({"q": "name="}, "q", "name=value"),
    ({"q": "name={a"}, "q", "name={a b}"),
    ({"q": "name=a}"}, "q", "name={a b}"),
    ({"q": "name=a,"}, "q", "key=value"),
    ({"q": "name=a\x00"}, "q", "control characters"),
    ({"q": ",".join(["name=a"] * 21)}, "q", "at most 20"),
    ({"sort": "colour"}, "sort", "cannot order by 'colour'"),
    ({"sort": "name,"}, "sort", "cannot order by ''"),
    ({"sort": "--name"}, "sort", "cannot order by '-name'"),
    ({"sort": ",".join(["name"] * 11)}, "sort", "more than 10"),
    ({"page": "0"}, "page", "between 1 and"),
    ({"page": "-1"}, "page", "whole number"),
    ({"page": "1.5"}, "page", "whole number"),
    ({"page": "9" * 5000}, "page", "between 1 and"),
    ({"page": "٣"}, "page", "whole number"),
    ({"page_size": "101"}, "page_size", "between 1 and 100"),
    ({"page_size": "0"}, "page_size", "between 1 and 100"),
    ({"page_size": ""}, "page_size", "whole number"),
])
def test_malformed_list_parameters_are_400_saying_which(api, args, parameter, words):
    response = api.get("/instances", query_string=args)
    assert response.status_code == 400
    error = error_of(response)
    assert error["field"] == parameter and words in error["message"], error
