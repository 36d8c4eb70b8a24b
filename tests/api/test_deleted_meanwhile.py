"""An instance deleted by another request while this one works on it: 404, never a 500."""
from sqlalchemy import delete

from preheat.models import Instance
from preheat.services import instances
from preheat.services.errors import DELETED_MEANWHILE, NotFound
from tests.api.conftest import error_of


def test_update_of_an_instance_deleted_meanwhile_is_not_found(app, api, session):
    api.create(name="doomed")
    with app.app_context():
        state = app.extensions["preheat"]
        loaded = instances.get_by_name(state.db.session, "doomed")
        session.execute(delete(Instance).where(Instance.name == "doomed"))
        session.commit()
        try:
            instances.update(state.db.session, state.secret_box, loaded, {"description": "x"})
        except NotFound as error:
            assert error.message == DELETED_MEANWHILE
        else:
            raise AssertionError("the update of a deleted instance went through")


def test_deactivating_an_instance_deleted_meanwhile_is_not_found(app, api, session):
    api.create(name="doomed")
    with app.app_context():
        state = app.extensions["preheat"]
        loaded = instances.get_by_name(state.db.session, "doomed")
        session.execute(delete(Instance).where(Instance.name == "doomed"))
        session.commit()
        try:
            instances.set_enabled(state.db.session, [loaded], False)
        except NotFound:
            pass
        else:
            raise AssertionError("deactivating a deleted instance went through")


def test_api_answers_404_when_the_row_vanishes_after_the_change(app, api, session, monkeypatch):
    api.create(name="doomed")
    real_update = instances.update

    def update_then_vanish(db_session, box, instance, data):
        real_update(db_session, box, instance, data)
        session.execute(delete(Instance).where(Instance.name == "doomed"))
        session.commit()

    monkeypatch.setattr(instances, "update", update_then_vanish)
    response = api.patch("/instances/doomed", {"description": "x"})
    assert response.status_code == 404
    assert error_of(response)["message"] == DELETED_MEANWHILE
