"""Credentials are encrypted at rest with Fernet keys."""
import os
import stat

import pytest
from cryptography.fernet import Fernet

from app import create_app
from preheat.crypto import SecretBox, SecretError, load_or_create_key_file, parse_keys
from tests.helpers import release


def test_sealed_credentials_do_not_contain_the_secret_and_open_again():
    box = SecretBox([Fernet.generate_key().decode()])
    token = box.seal({"token": "canary-123"})
    assert "canary-123" not in token
    assert box.open(token) == {"token": "canary-123"}


def test_secrets_sealed_with_an_older_key_still_open_and_rotate_to_the_newest():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = SecretBox([old]).seal({"password": "p"})
    box = SecretBox(parse_keys(f"{new}, {old}"))
    assert box.open(token) == {"password": "p"}
    assert SecretBox([new]).open(box.rotate(token)) == {"password": "p"}


def test_a_wrong_key_gives_a_clear_error_without_the_secret():
    token = SecretBox([Fernet.generate_key().decode()]).seal({"token": "canary"})
    with pytest.raises(SecretError) as error:
        SecretBox([Fernet.generate_key().decode()]).open(token)
    assert "canary" not in str(error.value)


def test_an_invalid_key_is_refused_at_start():
    with pytest.raises(ValueError, match="Fernet"):
        SecretBox(["not-a-key"])


def test_the_generated_key_is_created_once_and_private(tmp_path):
    key = load_or_create_key_file(str(tmp_path))
    assert load_or_create_key_file(str(tmp_path)) == key
    mode = os.stat(tmp_path / "preheat-encryption.key").st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_the_standalone_apps_generated_session_key_is_kept_and_private(app_config, tmp_path):
    folder = tmp_path / "instance"
    first = create_app({**app_config, "SECRET_KEY": None}, instance_path=str(folder))
    second = create_app({**app_config, "SECRET_KEY": None}, instance_path=str(folder))
    try:
        assert len(first.config["SECRET_KEY"]) >= 48
        assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
        assert stat.S_IMODE(os.stat(folder / "secret-key").st_mode) == 0o600
    finally:
        release(first)
        release(second)
