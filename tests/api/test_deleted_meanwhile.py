"""An instance deleted by another request while this one works on it: 404, never a 500."""
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import delete

from preheat.models import Instance
from preheat.services import instances
from preheat.services.errors import DELETED_MEANWHILE, NotFound
from tests.api.conftest import error_of


@contextmanager
def loaded_then_deleted(app, session):
    """The instance 'doomed' as this request loaded it, then deleted by another."""
    with app.app_context():
        state = app.extensions["preheat"]
        loaded = instances.get_by_name(state.db.session, "doomed")
        session.execute(delete(Instance).where(Instance.name == "doomed"))
        session.commit()
        yield state, loaded


def test_update_of_an_instance_deleted_meanwhile_is_not_found(app, api, session):
    api.create(name="doomed")
    with loaded_then_deleted(app, session) as (state, loaded):
        with pytest.raises(NotFound, match=re.escape(DELETED_MEANWHILE)):
            instances.update(state.db.session, state.secret_box, loaded, {"description": "x"})


def test_deactivating_an_instance_deleted_meanwhile_is_not_found(app, api, session):
    api.create(name="doomed")
    with loaded_then_deleted(app, session) as (state, loaded):
        with pytest.raises(NotFound):
            instances.set_enabled(state.db.session, [loaded], False)


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
