"""Concurrent writers: the database, not a racy check in Python, decides."""
import threading

import pytest
from sqlalchemy import func, insert, select

from preheat.models import Instance, Policy, utcnow
from preheat.services import instances
from preheat.services.errors import Conflict, InUse
from tests.helpers import add_instances, project_id


def run_in_threads(app, count, work):
    """Run work(session, index) in `count` threads at once; return their results."""
    results = [None] * count
    barrier = threading.Barrier(count)

    def runner(index):
        with app.app_context():
            session = app.extensions["preheat"].db.session
            barrier.wait()
            try:
                results[index] = work(session, index)
            except Exception as error:  # the test inspects what each thread got
                results[index] = error
            finally:
                session.remove()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_fifty_concurrent_creates_of_one_name_give_one_success_and_49_conflicts(app):
    box = app.extensions["preheat"].secret_box

    def create(session, index):
        return instances.create(session, box, {"vendor": "dragonfly", "name": "Same-Name",
                                               "endpoint": f"http://host{index}.example"})

    results = run_in_threads(app, 50, create)
    successes = [r for r in results if isinstance(r, Instance)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(successes) == 1
    assert len(conflicts) == 49, [type(r).__name__ + str(r) for r in results
                                  if not isinstance(r, (Instance, Conflict))]
    assert all(c.field == "name" for c in conflicts)


def test_deleting_while_policies_are_created_never_orphans_a_policy(app):
    [target] = add_instances(app, {"vendor": "kraken", "name": "target",
                                   "endpoint": "http://target"})
    with app.app_context():
        session = app.extensions["preheat"].db.session
        project = project_id(session)
        session.commit()

    def work(session, index):
        if index == 0:
            return instances.delete(session, [instances.get(session, target)])
        session.execute(insert(Policy).values(name=f"p{index}", instance_id=target,
                                              enabled=True, created_at=utcnow(),
                                              project_id=project))
        session.commit()
        return "policy"

    results = run_in_threads(app, 12, work)
    with app.app_context():
        session = app.extensions["preheat"].db.session
        orphans = session.scalar(select(func.count()).select_from(Policy).where(
            Policy.instance_id.not_in(select(Instance.id))))
        instance_left = session.get(Instance, target) is not None
        policies = session.scalar(select(func.count()).select_from(Policy))
    assert orphans == 0
    # Either the delete won (then no policy got in) or it was refused cleanly.
    assert instance_left == (policies > 0)
    unexpected = [r for r in results if isinstance(r, Exception)
                  and not isinstance(r, InUse) and "foreign key" not in str(r).lower()]
    assert not unexpected, unexpected


# PostgreSQL's message carries the value: a name like "endpoint-default" must
# not make a duplicate name look like an endpoint or default conflict.
@pytest.mark.parametrize("field, fields", [
    ("name", lambda n: {"name": "endpoint-default", "endpoint": f"http://name{n}.example"}),
    ("endpoint", lambda n: {"name": f"name-{n}", "endpoint": "http://name-taken.example"}),
])
def test_a_racing_duplicate_is_blamed_on_the_field_it_repeats(app, field, fields):
    box = app.extensions["preheat"].secret_box

    def create(session, index):
        return instances.create(session, box, {"vendor": "dragonfly", **fields(index)})

    results = run_in_threads(app, 20, create)
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 19
    assert {c.field for c in conflicts} == {field}
