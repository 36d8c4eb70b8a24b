"""Running a policy: one task per matching tag, submitted once, followed to its end."""
import json

from preheat.executions import runs
from preheat.models import Task
from tests.executions.conftest import deactivate, run_to_end, wait_for


def tasks_of(session, execution):
    return session.query(Task).filter_by(execution_id=execution.id).order_by(Task.id).all()


def test_an_execution_preheats_each_matching_tag_once_and_ends_success(
        app, session, images, dragonfly, policy):
    digests = images(["1.0", "1.1", "2.0"])
    provider = dragonfly()
    execution = run_to_end(app, session, policy(provider, tags="1.*"))
    assert execution.status == "Success", execution.status_message
    tasks = tasks_of(session, execution)
    assert [(t.repository, t.tag, t.status) for t in tasks] == [
        ("library/app", "1.0", "Success"), ("library/app", "1.1", "Success")]
    assert [t.digest for t in tasks] == [digests["1.0"], digests["1.1"]]
    assert all(json.loads(t.peers) and all(p["ok"] for p in json.loads(t.peers))
               for t in tasks)
    assert sorted(provider.book.submissions.values()) == [1, 1]
    assert execution.status_message == "2 of 2 tasks succeeded."


def test_no_matching_tag_is_a_success_with_nothing_to_preheat(app, session, images, dragonfly,
                                                              policy):
    images(["2.0"])
    execution = run_to_end(app, session, policy(dragonfly(), tags="1.*"))
    assert (execution.status, tasks_of(session, execution)) == ("Success", [])
    assert "Nothing to preheat" in execution.status_message


def test_a_run_on_a_deactivated_provider_is_recorded_as_an_error_saying_why(
        app, session, images, dragonfly, policy):
    images(["1.0"])
    row = policy(dragonfly())
    deactivate(session, row.instance)
    execution = run_to_end(app, session, row)
    assert execution.status == "Error"
    assert "provider instance df is deactivated" in execution.status_message


def test_stopping_ends_pending_and_running_tasks_as_stopped(app, session, images, dragonfly,
                                                            policy):
    images(["1.0", "1.1"])
    provider = dragonfly(delay=3600)
    execution = runs.start(session, policy(provider))
    app.extensions["preheat"].executions.wake()
    wait_for(session, execution.id, statuses=("Running",))
    assert runs.stop(session, execution)
    session.expire_all()
    assert execution.status == "Stopped"
    assert {t.status for t in tasks_of(session, execution)} == {"Stopped"}
