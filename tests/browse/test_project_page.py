"""The project page's Repositories tab against a real docker-registry."""
from __future__ import annotations

import re
import time

from sqlalchemy import select

from preheat.models import Project
from tests.browse.conftest import (add_project, basic_auth, basic_credentials, pusher_for,
                                   unique_project, views_of)
from tests.providers.faults import free_port, silent

BUDGET = 1.5  # PREHEAT_REGISTRY_BUDGET in this folder's app_config


def text_of(response) -> str:
    """The page's text without tags or runs of blanks."""
    plain = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", plain)


def rows_of(response, grid: str) -> list[str]:
    """The text of each row of the grid `grid` (preheat-repositories or preheat-tags)."""
    html = response.get_data(as_text=True)
    body = html[html.index(f'id="{grid}"'):]
    rows = re.findall(r'<tr class="preheat-row">(.*?)</tr>', body, re.DOTALL)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def test_library_lists_its_repositories_and_those_without_a_namespace(admin, session, box,
                                                                      own_registry):
    pusher = pusher_for(own_registry)
    for repository in ("library/nginx", "alpine", "library/team/app", "other/app", "busybox"):
        pusher.image(repository, "1.0")
    project = add_project(session, box, own_registry, "library")
    page = admin.get("/projects/library")
    assert page.status_code == 200
    rows = rows_of(page, "preheat-repositories")
    assert rows == ["library/alpine 1 alpine", "library/busybox 1 busybox",
                    "library/nginx 1 library/nginx", "library/team/app 1 library/team/app"]
    assert 'href="/projects/library/repositories/alpine"' in page.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(Project.repo_count).where(Project.id == project.id)) == 4


def test_a_bare_repository_shows_its_tags_under_its_real_path(admin, session, box, own_registry):
    pushed = pusher_for(own_registry).image("alpine", "3.20")
    add_project(session, box, own_registry, "library")
    page = admin.get("/projects/library/repositories/alpine")
    assert "library/alpine" in text_of(page) and "alpine in the registry" in text_of(page)
    assert pushed.digest in page.get_data(as_text=True)


def test_tags_are_paged_in_natural_order_with_the_pushed_digests(admin, session, box,
                                                                  open_registry):
    name = unique_project()
    digests = pusher_for(open_registry).images(f"{name}/app", [f"v{n}" for n in range(1, 31)])
    add_project(session, box, open_registry, name)
    page = admin.get(f"/projects/{name}/repositories/app?page=2&page_size=15")
    rows = rows_of(page, "preheat-tags")
    assert [row.split()[0] for row in rows] == [f"v{n}" for n in range(16, 31)]
    html = page.get_data(as_text=True)
    for tag in ("v16", "v30"):
        assert f'title="{digests[tag]}"' in html  # the whole digest, in its title
        assert f"{digests[tag][:19]}</code>" in html  # shortened in the cell
    assert "Image manifest (OCI)" in rows[0]
    assert "16 - 30 of 30 tags" in text_of(page)


def test_an_index_shows_its_platforms(admin, session, box, open_registry):
    name = unique_project()
    pusher = pusher_for(open_registry)
    index = pusher.index(f"{name}/multi", "latest", kind="docker",
                         platforms=("linux/amd64", "linux/arm64/v8"))
    add_project(session, box, open_registry, name)
    page = admin.get(f"/projects/{name}/repositories/multi", htmx=True)
    assert page.get_data(as_text=True).startswith('<div id="preheat-tags"')
    [row] = rows_of(page, "preheat-tags")
    assert "Manifest list (Docker)" in row and "linux/amd64" in row and "linux/arm64/v8" in row
    assert index.digest in page.get_data(as_text=True)


def test_filters_take_part_of_a_repository_name_or_a_tag(admin, session, box, open_registry):
    name = unique_project()
    pusher = pusher_for(open_registry)
    pusher.images(f"{name}/web-front", ["1.0", "1.1", "2.0-rc"])
    pusher.image(f"{name}/db", "1.0")
    add_project(session, box, open_registry, name)
    repositories = admin.get(f"/projects/{name}?q=FRONT", htmx=True)
    assert [row.split()[0] for row in rows_of(repositories, "preheat-repositories")] == \
        [f"{name}/web-front"]
    assert repositories.headers["HX-Replace-Url"] == f"/projects/{name}?q=FRONT"
    tags = admin.get(f"/projects/{name}/repositories/web-front?q=1.", htmx=True)
    assert [row.split()[0] for row in rows_of(tags, "preheat-tags")] == ["1.0", "1.1"]
    nothing = admin.get(f"/projects/{name}/repositories/web-front?q=zzz", htmx=True)
    assert "No tag contains “zzz”." in text_of(nothing)


def test_stored_basic_credentials_are_sent(admin, session, box, basic_registry):
    name = unique_project()
    pushed = pusher_for(basic_registry, basic_credentials()).image(f"{name}/app", "v1")
    add_project(session, box, basic_registry, name, **basic_auth())
    page = admin.get(f"/projects/{name}/repositories/app")
    assert pushed.digest in page.get_data(as_text=True)
    assert "pw-canary" not in page.get_data(as_text=True)


def test_a_registry_stopped_mid_test_shows_the_reason_at_once(admin, session, box, own_registry,
                                                              browser_of):
    pusher_for(own_registry).images("team/app", ["v1", "v2"])
    add_project(session, box, own_registry, "team")
    assert rows_of(admin.get("/projects/team"), "preheat-repositories") == \
        ["team/app 2 team/app"]
    own_registry.stop()
    tags = timed(admin.get, "/projects/team/repositories/app")  # the tag list is still cached
    assert tags.elapsed < 1.0 and tags.answer.status_code == 200
    assert "2 of 2 tags could not be resolved" in text_of(tags.answer)
    assert "refused" in text_of(tags.answer).lower()
    browser_of().lists.clear()  # as when the cache's few seconds have passed
    page = timed(admin.get, "/projects/team")
    assert page.elapsed < 1.0 and page.answer.status_code == 200
    assert "No repositories to show: the registry could not be read." in text_of(page.answer)
    assert "refused" in text_of(page.answer).lower()


def test_a_silent_registry_is_given_up_on_within_the_budget(admin, session, box):
    with silent() as url:
        add_project(session, box, url, "quiet")
        for path in ("/projects/quiet", "/projects/quiet/repositories/app"):
            page = timed(admin.get, path)
            assert page.elapsed < BUDGET + 0.5, path
            assert page.answer.status_code == 200
            assert f"within {BUDGET:g} s" in text_of(page.answer), path


def test_an_unreachable_registry_and_an_unknown_repository_say_so(admin, session, box,
                                                                  open_registry):
    add_project(session, box, f"http://127.0.0.1:{free_port()}", "gone")
    assert "refused" in text_of(admin.get("/projects/gone")).lower()
    name = unique_project()
    add_project(session, box, open_registry, name)
    missing = admin.get(f"/projects/{name}/repositories/nothing")
    assert missing.status_code == 200
    assert f"The repository {name}/nothing does not exist" in text_of(missing)
    assert admin.get("/projects/no-such-project").status_code == 404


def test_requests_per_view_do_not_grow_with_tags_outside_the_page(admin, session, box,
                                                                  open_registry, browser_of):
    name = unique_project()
    pusher = pusher_for(open_registry)
    pusher.images(f"{name}/small", [f"t{n}" for n in range(20)])
    pusher.images(f"{name}/large", [f"t{n}" for n in range(200)])
    add_project(session, box, open_registry, name)
    browser = browser_of()
    small, answer = views_of(browser, lambda: admin.get(f"/projects/{name}/repositories/small"))
    assert len(rows_of(answer, "preheat-tags")) == 15
    large, answer = views_of(browser, lambda: admin.get(f"/projects/{name}/repositories/large"))
    assert len(rows_of(answer, "preheat-tags")) == 15
    assert small == large == 1 + 15  # the tag list, then one HEAD per tag on the page
    listed, _ = views_of(browser, lambda: admin.get(f"/projects/{name}"))
    assert listed == 1 + 2  # the catalog, then the tag list of each repository on the page
    cached, _ = views_of(browser, lambda: None)
    assert cached == 0


def test_the_project_page_has_its_tabs_repositories_and_p2p_preheat(admin, session, box,
                                                                     open_registry):
    name = unique_project()
    add_project(session, box, open_registry, name)
    html = admin.get(f"/projects/{name}").get_data(as_text=True)
    assert 'class="preheat-tab preheat-tab-active" aria-current="page"' in html
    assert re.search(rf'<a class="preheat-tab"\s+href="/projects/{name}/preheat">P2P Preheat</a>',
                     html)
    assert "The registry holds no repository in this project yet." in html


class timed:
    """Call `view(*args)`, keeping its answer and how long it took."""

    def __init__(self, view, *args):
        started = time.monotonic()
        self.answer = view(*args)
        self.elapsed = time.monotonic() - started


def test_a_token_registry_is_read_with_tokens_for_the_stored_credentials(
        admin, session, box, token_registry, token_service):
    name = unique_project()
    pushed = pusher_for(token_registry, basic_credentials()).images(f"{name}/app", ["v1"])
    add_project(session, box, token_registry, name, **basic_auth())
    token_service.state["asked"].clear()
    assert rows_of(admin.get(f"/projects/{name}"), "preheat-repositories") == \
        [f"{name}/app 1 {name}/app"]
    assert pushed["v1"] in admin.get(f"/projects/{name}/repositories/app").get_data(as_text=True)
    assert ("alice", ["registry:catalog:*"]) in token_service.state["asked"]
    assert ("alice", [f"repository:{name}/app:pull"]) in token_service.state["asked"]


def test_rejected_credentials_are_said_without_the_password(admin, session, box,
                                                            basic_registry):
    canary = "pw-canary-wrong-4Hq8"
    add_project(session, box, basic_registry, "refused",
                auth_mode="BASIC", auth_info={"username": "alice", "password": canary})
    for path in ("/projects/refused", "/projects/refused/repositories/app"):
        page = admin.get(path)
        assert page.status_code == 200
        assert "HTTP 401 Unauthorized" in text_of(page), path
        assert canary not in page.get_data(as_text=True)


def test_only_sysadmins_see_a_project(user, session, box, open_registry):
    add_project(session, box, open_registry, unique_project())
    assert user.get("/projects/library").status_code == 403


def test_refresh_reads_the_registry_again(admin, session, box, open_registry):
    name = unique_project()
    pusher = pusher_for(open_registry)
    pusher.image(f"{name}/app", "v1")
    add_project(session, box, open_registry, name)
    assert len(rows_of(admin.get(f"/projects/{name}/repositories/app"), "preheat-tags")) == 1
    pusher.image(f"{name}/app", "v2")
    kept = admin.get(f"/projects/{name}/repositories/app", htmx=True)
    assert len(rows_of(kept, "preheat-tags")) == 1  # the tag list kept a few seconds
    again = admin.get(f"/projects/{name}/repositories/app?refresh=1", htmx=True)
    assert [row.split()[0] for row in rows_of(again, "preheat-tags")] == ["v1", "v2"]
    assert again.headers["HX-Replace-Url"] == f"/projects/{name}/repositories/app"
    assert 'hx-get="/projects/' + name + '/repositories/app?refresh=1"' in \
        admin.get(f"/projects/{name}/repositories/app").get_data(as_text=True)


def test_without_the_catalog_a_repository_typed_by_hand_still_opens(
        admin, session, box, token_registry, token_service):
    name = unique_project()
    pushed = pusher_for(token_registry, basic_credentials()).images(f"{name}/app", ["v1"])
    add_project(session, box, token_registry, name, **basic_auth())
    token_service.state["grant_catalog"] = False
    page = admin.get(f"/projects/{name}")
    assert "type project names by hand" in text_of(page)
    assert f'action="/projects/{name}/open"' in page.get_data(as_text=True)
    for typed in ("app", f"{name}/app", f" {name}/app/ "):
        opened = admin.get(f"/projects/{name}/open", query_string={"repository": typed})
        assert opened.status_code == 302
        assert opened.headers["Location"] == f"/projects/{name}/repositories/app", typed
    assert pushed["v1"] in admin.get(f"/projects/{name}/repositories/app").get_data(as_text=True)
    assert admin.get(f"/projects/{name}/open?repository=").headers["Location"] == \
        f"/projects/{name}"


def test_a_page_past_the_last_one_shows_the_last(admin, session, box, open_registry):
    name = unique_project()
    pusher_for(open_registry).images(f"{name}/app", [f"v{n}" for n in range(1, 18)])
    add_project(session, box, open_registry, name)
    assert rows_of(admin.get(f"/projects/{name}?page=3"), "preheat-repositories") == \
        [f"{name}/app 17 {name}/app"]
    tags = admin.get(f"/projects/{name}/repositories/app?page=9", htmx=True)
    assert [row.split()[0] for row in rows_of(tags, "preheat-tags")] == ["v16", "v17"]
    assert "16 - 17 of 17 tags" in text_of(tags)
    assert tags.headers["HX-Replace-Url"] == f"/projects/{name}/repositories/app?page=2"
