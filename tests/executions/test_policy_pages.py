"""The P2P Preheat tab: policies, their dialog and preview, executions, tasks and peers."""
import re

import pytest
from sqlalchemy import func, select

from preheat.executions import runs
from preheat.models import Execution, Policy, Task
from preheat.services import instances, projects, registries
from tests.executions.conftest import PAT, run_to_end, wait_for
from tests.providers import kraken as kraken_standin

TAB = "/projects/library/preheat"


@pytest.fixture
def setup(session, box, images, dragonfly):
    """Project library on a real registry with app:1.0, 1.1, 2.0; a Dragonfly stand-in."""
    def make(**knobs):
        images(["1.0", "1.1", "2.0"])
        provider = dragonfly(**knobs)
        registry = registries.create(session, box, {"name": "hub", "url": images.registry.url})
        project = projects.create(session, "library", registry)
        instance = instances.create(session, box, {
            "vendor": "dragonfly", "name": "df", "endpoint": provider.url,
            "auth_mode": "OAUTH", "auth_info": {"token": PAT}})
        return project, instance, provider
    return make


def text(response, status=200) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def new_policy(admin, instance_id, **fields):
    data = {"instance_id": str(instance_id), "name": "warm", "repositories": "**",
            "tags": "1.*", "trigger": "manual", "enabled": "y", **fields}
    return admin.post(f"{TAB}/new", data=data, htmx=True)


def test_the_tab_lists_policies_with_their_columns(admin, setup, session):
    _, instance, _ = setup()
    assert new_policy(admin, instance.id, description="the ones").status_code == 204
    html = text(admin.get(TAB))
    for column in ("Name", "Enabled", "Provider", "Filters", "Trigger", "Creation time",
                   "Description"):
        assert re.search(rf"<th[^>]*>\s*(<button[^>]*>)?{column}\s*<", html), column
    assert re.search(r'preheat-tab-active" aria-current="page"\s+href="/projects/library/preheat"',
                     html)
    assert "<code>1.*</code>" in html and ">Manual<" in html and "the ones" in html
    assert "No policy name contains" in text(admin.get(TAB + "?q=zzz", htmx=True))



def test_the_dialog_chooses_the_default_and_shows_the_drivers_fields(admin, setup, session, box):
    _, instance, _ = setup()
    other = instances.create(session, box, {"vendor": "kraken", "name": "kr",
                                            "endpoint": "http://127.0.0.1:9", "default": True})
    html = text(admin.get(f"{TAB}/new", htmx=True))
    assert f'<option selected value="{other.id}">kr</option>' in html
    assert "preheat-option-scope" not in html, "Kraken declares no options"
    html = text(admin.get(f"{TAB}/provider-fields?instance_id={instance.id}", htmx=True))
    assert '<option value="single_seed_peer" selected>Single seed peer</option>' in html
    assert 'name="option-cluster_ids"' in html and 'placeholder="1, 2"' in html
    assert 'placeholder="linux/amd64"' in html and "Empty means all clusters" in html


def test_invalid_input_comes_back_with_what_was_typed(admin, setup, session):
    _, instance, _ = setup()
    response = new_policy(admin, instance.id, name="warm me", tags="1.*,",
                          **{"option-cluster_ids": "1, x", "option-platform": "linux/amd64"})
    html = text(response, 422)
    assert 'value="warm me"' in html and 'value="1.*,"' in html
    assert 'value="1, x"' in html and 'value="linux/amd64"' in html
    assert "Letters, digits" in html
    fixed = new_policy(admin, instance.id, tags="1.*,",
                       **{"option-cluster_ids": "1, x"})
    html = text(fixed, 422)
    assert "empty alternative" in html
    html = text(new_policy(admin, instance.id, **{"option-cluster_ids": "1, x"}), 422)
    assert re.search(r'id="preheat-option-cluster_ids-error">Cluster IDs are positive', html)
    assert text(new_policy(admin, instance.id, **{"option-cluster_ids": "2, 1",
                                                   "option-scope": "all_peers"}), 204) == ""
    stored = session.scalar(select(Policy))
    assert stored.options == '{"cluster_ids": [2, 1], "platform": "", "scope": "all_peers"}'


def test_without_an_enabled_instance_the_dialog_says_where_to_set_one_up(admin, setup, session):
    _, instance, _ = setup()
    instances.set_enabled(session, [instance], False)
    html = text(admin.get(f"{TAB}/new", htmx=True))
    assert "No provider instance is enabled" in html and 'href="/distributions"' in html


def test_the_preview_counts_what_the_filters_match_in_the_registry(admin, setup):
    setup()
    html = text(admin.get(f"{TAB}/preview?repositories=**&tags=1.*", htmx=True))
    assert "<strong>2 tags</strong> in\n  <strong>1 repository</strong>" in html
    assert "<code>library/app:1.0</code>" in html and "<code>library/app:1.1</code>" in html
    assert "2.0" not in html
    assert "<strong>0 tags</strong>" in text(admin.get(f"{TAB}/preview?repositories=nope&tags=**"))
    assert "unbalanced" in text(admin.get(f"{TAB}/preview?tags={{1"))


def test_execute_starts_at_once_and_the_grid_polls_until_it_ends(admin, setup, session, app):
    _, instance, provider = setup()
    new_policy(admin, instance.id)
    policy = session.scalar(select(Policy))
    confirm = text(admin.get(f"{TAB}/actions/execute/confirm?policy={policy.id}", htmx=True))
    assert "Do you want to execute policy <strong>warm</strong>?" in confirm
    response = admin.post(f"{TAB}/actions/execute", data={"policy": policy.id}, htmx=True)
    assert response.status_code == 204 and "preheat:executions-changed" in \
        response.headers["HX-Trigger"]
    execution = session.scalar(select(Execution))
    assert execution is not None, "recorded before the response"
    running = text(admin.get(f"{TAB}/executions", htmx=True))
    if execution.status in ("Pending", "Running"):
        assert 'data-preheat-polling="true"' in running and "every 2s" in running
    ended = wait_for(session, execution.id)
    assert ended.status == "Success"
    grid = text(admin.get(f"{TAB}/executions", htmx=True))
    assert 'data-preheat-polling="false"' in grid and "every 2s" not in grid
    assert re.search(r'preheat-badge-ok"[^>]*>Success</span>', grid) and "<td>2/2</td>" in grid
    tasks = text(admin.get(f"{TAB}/executions/{execution.id}"))
    assert tasks.count("<code>library/app:1.") == 2 and "library/app:2.0" not in tasks
    assert "No Error task." in text(admin.get(f"{TAB}/executions/{execution.id}?status=Error",
                                              htmx=True))
    task = session.scalars(select(Task).order_by(Task.id)).first()
    page = text(admin.get(f"{TAB}/executions/{execution.id}/tasks/{task.id}"))
    assert task.provider_job_id and task.provider_job_id in page
    assert 'id="preheat-peers"' in page and "preheat-peer-ok" in page
    assert 'id="preheat-task-log"' in page and PAT not in page


def test_stop_and_delete_while_running(admin, setup, session):
    _, instance, _ = setup(delay=30)
    new_policy(admin, instance.id)
    policy = session.scalar(select(Policy))
    admin.post(f"{TAB}/actions/execute", data={"policy": policy.id}, htmx=True)
    execution = session.scalar(select(Execution))
    refused = admin.post(f"{TAB}/actions/delete", data={"policy": policy.id}, htmx=True)
    assert refused.status_code == 409
    assert f"an execution is running: warm (execution {execution.id}). Stop it first." in \
        refused.get_data(as_text=True)
    assert "Stop execution" in text(admin.get(
        f"{TAB}/executions/{execution.id}/stop/confirm", htmx=True))
    assert admin.post(f"{TAB}/executions/{execution.id}/stop", htmx=True).status_code == 204
    assert wait_for(session, execution.id).status == "Stopped"
    assert admin.post(f"{TAB}/actions/delete", data={"policy": policy.id},
                      htmx=True).status_code == 204
    session.expire_all()
    assert session.scalar(select(Policy)) is None


def test_deactivate_and_enable_a_policy(admin, setup, session):
    _, instance, _ = setup()
    new_policy(admin, instance.id)
    policy = session.scalar(select(Policy))
    assert "Do you want to deactivate policy" in text(admin.get(
        f"{TAB}/actions/deactivate/confirm?policy={policy.id}", htmx=True))
    assert admin.post(f"{TAB}/actions/deactivate", data={"policy": policy.id},
                      htmx=True).status_code == 204
    session.expire_all()
    assert not session.get(Policy, policy.id).enabled
    edit = text(admin.get(f"{TAB}/actions/edit?policy={policy.id}", htmx=True))
    assert "Edit policy" in edit and 'value="1.*"' in edit


def test_set_as_default_moves_the_one_default(admin, setup, session, box):
    _, instance, _ = setup()
    other = instances.create(session, box, {"vendor": "kraken", "name": "kr",
                                            "endpoint": "http://127.0.0.1:9", "default": True})
    html = text(admin.get("/distributions"))
    assert re.search(r'data-preheat-needs="one-new-default"[^>]*\s+'
                     r'hx-post="/distributions/actions/default"', html)
    assert f'value="{other.id}" data-enabled="true" data-default="true"' in html
    response = admin.post("/distributions/actions/default", {"instance": instance.id})
    assert response.status_code == 204 and "now the default" in response.headers["HX-Trigger"]
    session.expire_all()
    assert session.get(type(instance), instance.id).is_default
    assert not session.get(type(other), other.id).is_default
    assert admin.post("/distributions/actions/default",
                      {"instance": [instance.id, other.id]}).status_code == 400
    instances.set_enabled(session, [other], False)
    refused = admin.post("/distributions/actions/default", {"instance": other.id})
    assert refused.status_code == 400 and "is deactivated" in refused.get_data(as_text=True)


def test_deactivating_a_used_instance_names_its_policies_with_their_projects(admin, setup,
                                                                              session):
    _, instance, _ = setup()
    new_policy(admin, instance.id)
    html = text(admin.get(f"/distributions/actions/deactivate/confirm?instance={instance.id}",
                          htmx=True))
    assert "df is used by preheat policy warm (project library); it will not preheat" in html
    refused = admin.post("/distributions/actions/delete", {"instance": instance.id})
    assert "df is used by preheat policy warm (project library)" in \
        refused.get_data(as_text=True)


def test_retry_failed_runs_a_new_execution_of_only_the_error_task(admin, session, app, images,
                                                                 started, policy):
    images(["1.0"], kind="docker")
    images(["oci"], kind="oci")
    first = run_to_end(app, session, policy(started(kraken_standin.serve), vendor="kraken"))
    assert sorted((t.tag, t.status) for t in first.tasks) == [("1.0", "Success"),
                                                             ("oci", "Error")]
    grid = text(admin.get(f"{TAB}/executions", htmx=True))
    assert f'hx-post="{TAB}/executions/{first.id}/retry"' in grid
    response = admin.post(f"{TAB}/executions/{first.id}/retry", htmx=True)
    assert response.status_code == 204, response.get_data(as_text=True)
    retried = session.scalar(select(Execution).where(Execution.id != first.id))
    assert f"Execution {retried.id} started: it retries the failed tasks of execution" \
           f" {first.id}." in response.headers["HX-Trigger"]
    retried = wait_for(session, retried.id)
    assert retried.retry_of == first.id
    assert [(t.repository, t.tag) for t in retried.tasks] == [("library/app", "oci")]
    nothing = admin.post(f"{TAB}/executions/{first.id}/retry", htmx=True)
    assert nothing.status_code == 204, "its Error task is still there to retry"


def test_retry_failed_is_refused_while_the_execution_runs(admin, setup, session, app):
    _, instance, _ = setup(delay=30)
    new_policy(admin, instance.id)
    admin.post(f"{TAB}/actions/execute", data={"policy": session.scalar(select(Policy)).id},
               htmx=True)
    execution = wait_for(session, session.scalar(select(Execution)).id,
                         statuses=("Running",))
    refused = admin.post(f"{TAB}/executions/{execution.id}/retry", htmx=True)
    assert refused.status_code == 409
    assert f"Execution {execution.id} is still running; retry it once it has ended." in \
        refused.headers["HX-Trigger"]
    assert f'{TAB}/executions/{execution.id}/retry' not in text(
        admin.get(f"{TAB}/executions", htmx=True))
    assert session.scalar(select(func.count()).select_from(Execution)) == 1
    runs.stop(session, execution)
