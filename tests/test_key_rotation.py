"""Several keys may be configured; rotate-key moves every secret to the newest one."""
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from app import create_app
from preheat.crypto import SecretBox
from preheat.models import Instance, Registry
from preheat.services import instances, registries
from tests.helpers import add_instances, release


def secrets_of(app):
    with app.app_context():
        session = app.extensions["preheat"].db.session
        return {row.name: row.auth_secret
                for model in (Instance, Registry) for row in session.scalars(select(model))}


@pytest.fixture
def restart_with(app, tmp_path):
    """Build the app again with other keys; every app built is released at teardown."""
    restarted = []

    def restart(keys):
        config = {**app.config, "PREHEAT_ENCRYPTION_KEY": ",".join(keys)}
        restarted.append(create_app(config, instance_path=str(tmp_path / "instance")))
        return restarted[-1]
    yield restart
    for other in restarted:
        release(other)


@pytest.fixture
def old_key(app):
    return app.config["PREHEAT_ENCRYPTION_KEY"]


def seed(app):
    add_instances(app, *({"vendor": "dragonfly", "name": f"df{number}",
                          "endpoint": f"http://df{number}", "auth_mode": "OAUTH",
                          "auth_info": {"token": f"token-{number}"}} for number in range(3)),
                  {"vendor": "kraken", "name": "plain", "endpoint": "http://plain"})
    with app.app_context():
        state = app.extensions["preheat"]
        registries.create(state.db.session, state.secret_box, {
            "name": "hub", "url": "http://hub.example", "auth_mode": "BASIC",
            "auth_info": {"username": "puller", "password": "registry-pw"}})


def test_rotate_key_re_encrypts_every_secret_with_the_newest_key(app, restart_with, old_key):
    seed(app)
    new_key = Fernet.generate_key().decode()
    rotated_app = restart_with([new_key, old_key])
    result = rotated_app.test_cli_runner().invoke(args=["preheat", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 4 stored credential(s)" in result.output
    new_only = SecretBox([new_key])
    assert {name: new_only.open(token) for name, token in secrets_of(app).items() if token} == {
        **{f"df{n}": {"token": f"token-{n}"} for n in range(3)},
        "hub": {"username": "puller", "password": "registry-pw"}}


def test_secrets_under_an_old_key_still_read_before_rotation(app, restart_with, old_key):
    seed(app)
    both = restart_with([Fernet.generate_key().decode(), old_key])
    with both.app_context():
        state = both.extensions["preheat"]
        instance = instances.get_by_name(state.db.session, "df1")
        assert instances.credentials(state.secret_box, instance).token == "token-1"


def test_rotation_with_a_missing_key_changes_nothing(app, restart_with):
    seed(app)
    before = secrets_of(app)
    wrong = restart_with([Fernet.generate_key().decode()])
    result = wrong.test_cli_runner().invoke(args=["preheat", "rotate-key"])
    assert result.exit_code != 0
    assert "cannot be decrypted with any configured key; nothing was changed" in result.output
    assert secrets_of(app) == before


def test_rotate_key_re_encrypts_the_webhook_secrets_too(app, restart_with, old_key):
    from preheat.services import webhooks
    with app.app_context():
        state = app.extensions["preheat"]
        registry = registries.create(state.db.session, state.secret_box,
                                     {"name": "hub", "url": "http://hub.example"})
        secret = webhooks.generate(state.db.session, state.secret_box, registry)
    new_key = Fernet.generate_key().decode()
    result = restart_with([new_key, old_key]).test_cli_runner().invoke(
        args=["preheat", "rotate-key"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        sealed = app.extensions["preheat"].db.session.scalar(select(Registry.webhook_secret))
    assert SecretBox([new_key]).open(sealed) == {"secret": secret}
