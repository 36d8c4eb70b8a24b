"""The service layer: rules, uniqueness, secrets, delete protection, in the database."""
import pytest
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from preheat.models import Instance, Policy, utcnow
from preheat.services import instances
from preheat.services.constraints import violated
from preheat.services.errors import Conflict, FieldError, InUse
from tests.helpers import project_id


@pytest.fixture
def box(app):
    return app.extensions["preheat"].secret_box


def new(session, box, **data):
    values = {"vendor": "dragonfly", "name": "df", "endpoint": "http://df.example:8080", **data}
    return instances.create(session, box, values)


def insert_raw(session, name):
    """Insert an instance row directly, past the service's checks."""
    session.execute(insert(Instance).values(
        name=name, vendor="dragonfly", endpoint="http://x", auth_mode="NONE", enabled=True,
        is_default=False, insecure=False, health_status="unknown", setup_timestamp=utcnow()))
    session.flush()


def test_created_instance_is_stored_normalized_with_encrypted_credentials(session, box):
    instance = new(session, box, endpoint="HTTP://DF.Example:8080/", auth_mode="OAUTH",
                   auth_info={"token": "canary-token"})
    assert instance.endpoint == "http://df.example:8080"
    assert instance.enabled and not instance.insecure and not instance.is_default
    assert "canary-token" not in instance.auth_secret
    assert instances.credentials(box, instance).token == "canary-token"


def test_names_are_unique_regardless_of_case(session, box):
    new(session, box, name="Dragonfly")
    with pytest.raises(Conflict) as error:
        new(session, box, name="dragonfly", endpoint="http://other")
    assert error.value.field == "name"


def test_equivalent_endpoints_are_duplicates(session, box):
    new(session, box, endpoint="http://df.example")
    with pytest.raises(Conflict) as error:
        new(session, box, name="other", endpoint="HTTP://df.example:80/")
    assert error.value.field == "endpoint"


def test_the_database_refuses_a_duplicate_name_that_skips_the_checks(session, box):
    new(session, box, name="Dragonfly")
    with pytest.raises(IntegrityError):
        insert_raw(session, "DRAGONFLY")
    session.rollback()


@pytest.mark.parametrize("bad_name", ["-bad", "a..b", "sp ace", "x" * 129])
def test_the_database_refuses_names_outside_the_pattern(session, bad_name):
    with pytest.raises(DBAPIError):  # a CHECK violation, or too long for the column
        insert_raw(session, bad_name)
    session.rollback()


def test_basic_mode_needs_username_and_password(session, box):
    with pytest.raises(FieldError) as error:
        new(session, box, auth_mode="BASIC", auth_info={"username": "u"})
    assert error.value.field == "password"


def test_edit_with_blank_secret_keeps_the_stored_one(session, box):
    instance = new(session, box, auth_mode="BASIC",
                   auth_info={"username": "u", "password": "stored-pw"})
    instances.update(session, box, instance, {"auth_mode": "BASIC",
                                              "auth_info": {"username": "u2", "password": ""}})
    creds = instances.credentials(box, instance)
    assert (creds.username, creds.password) == ("u2", "stored-pw")


def test_switching_auth_mode_requires_the_new_modes_secrets(session, box):
    instance = new(session, box, auth_mode="BASIC", auth_info={"username": "u", "password": "p"})
    with pytest.raises(FieldError) as error:
        instances.update(session, box, instance, {"auth_mode": "OAUTH", "auth_info": {}})
    assert error.value.field == "token"
    session.refresh(instance)
    assert instance.auth_mode == "BASIC"
    assert instances.credentials(box, instance).password == "p"


def test_none_mode_clears_stored_secrets(session, box):
    instance = new(session, box, auth_mode="OAUTH", auth_info={"token": "t"})
    instances.update(session, box, instance, {"auth_mode": "NONE"})
    assert instance.auth_secret is None


def test_rejected_edit_changes_nothing(session, box):
    instance = new(session, box, name="keep", description="old")
    with pytest.raises(FieldError):
        instances.update(session, box, instance, {"description": "new", "endpoint": "ftp://x"})
    stored = session.scalar(select(Instance).where(Instance.name == "keep"))
    assert (stored.description, stored.endpoint) == ("old", "http://df.example:8080")


def test_rename_keeps_identity(session, box):
    instance = new(session, box, name="old-name")
    instances.update(session, box, instance, {"name": "new-name"})
    assert instances.get_by_name(session, "NEW-NAME").id == instance.id


def test_provider_cannot_change_after_creation(session, box):
    instance = new(session, box)
    with pytest.raises(FieldError) as error:
        instances.update(session, box, instance, {"vendor": "kraken"})
    assert "cannot be changed" in error.value.message


def test_only_one_instance_is_the_default(session, box):
    first = new(session, box, name="a", endpoint="http://a", default=True)
    second = new(session, box, name="b", endpoint="http://b", default=True)
    session.refresh(first)
    assert (first.is_default, second.is_default) == (False, True)


def test_delete_is_refused_while_policies_reference_the_instance(session, box):
    used = new(session, box, name="used")
    free = new(session, box, name="free", endpoint="http://free")
    session.add_all([Policy(project_id=project_id(session), name="nightly", instance_id=used.id),
                     Policy(project_id=project_id(session), name="on-push", instance_id=used.id)])
    session.commit()
    with pytest.raises(InUse) as error:
        instances.delete(session, [used, free])
    assert "nightly" in error.value.message and "on-push" in error.value.message
    assert session.scalar(select(Instance).where(Instance.name == "free")) is not None
    instances.delete(session, [free])
    assert session.scalar(select(Instance).where(Instance.name == "free")) is None


def test_the_database_itself_refuses_to_orphan_a_policy(session, box):
    used = new(session, box, name="used")
    session.add(Policy(project_id=project_id(session), name="nightly", instance_id=used.id))
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(delete(Instance).where(Instance.id == used.id))
        session.flush()
    session.rollback()
    project = project_id(session)
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(insert(Policy).values(name="ghost", instance_id=9999, enabled=True,
                                              created_at=utcnow(), project_id=project))
        session.flush()
    session.rollback()


def test_the_violated_unique_index_is_named_by_the_database(app, session):
    row = dict(vendor="kraken", auth_mode="NONE", enabled=True, is_default=False,
               insecure=False, health_status="unknown", setup_timestamp=utcnow())
    session.execute(insert(Instance).values(name="endpoint-x", name_key="endpoint-x",
                                            endpoint="http://a", **row))
    session.commit()
    cases = [({"name": "ENDPOINT-X", "endpoint": "http://b"}, "uq_preheat_instance_name_ci"),
             ({"name": "other", "endpoint": "http://a"}, "uq_preheat_instance_endpoint")]
    for values, index in cases:
        with pytest.raises(IntegrityError) as caught:
            session.execute(insert(Instance).values(**{**row, **values},
                                                    name_key=values["name"].lower()))
        session.rollback()
        assert violated(caught.value) == index
