"""preheat.init_app: what it takes from the host, what it adds, and how it is configured."""
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from flask import Flask, url_for
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader, Environment

import preheat
from preheat import migrate
from preheat.layout import LayoutError, check_base_template

CSS = Path(preheat.__file__).parent / "static" / "preheat" / "preheat.css"


def host(tmp_path, *, sqlalchemy=True, login=True, **config) -> Flask:
    """A bare host app with the extensions Preheat needs (unless told otherwise)."""
    app = Flask("host", instance_path=str(tmp_path / "instance"))
    app.config.update(TESTING=True, SECRET_KEY="k",
                      SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'host.db'}",
                      PREHEAT_ENCRYPTION_KEY=Fernet.generate_key().decode(), **config)
    if sqlalchemy:
        SQLAlchemy().init_app(app)
    if login:
        LoginManager().init_app(app)
    return app


@pytest.fixture
def stop_health():
    states = []
    yield states.append
    for state in states:
        state.health.shutdown()


def test_without_flask_sqlalchemy_the_error_says_what_to_add(tmp_path):
    with pytest.raises(preheat.SetupError, match=r"needs Flask-SQLAlchemy.*SQLAlchemy\(\)"):
        preheat.init_app(host(tmp_path, sqlalchemy=False))


def test_without_flask_login_the_error_says_what_to_add(tmp_path):
    with pytest.raises(preheat.SetupError, match=r"needs Flask-Login.*LoginManager\(\)"):
        preheat.init_app(host(tmp_path, login=False))


def test_it_reuses_the_hosts_extensions_and_adds_only_its_own_state(tmp_path, stop_health):
    app = host(tmp_path)
    before = dict(app.extensions)
    login_manager = app.login_manager
    state = preheat.init_app(app)
    stop_health(state)
    assert set(app.extensions) - set(before) == {"preheat"}
    assert app.extensions["preheat"] is state
    assert state.db is before["sqlalchemy"] and app.extensions["sqlalchemy"] is state.db
    assert state.login_manager is login_manager is app.login_manager


def test_arguments_win_over_config_keys_which_win_over_defaults(tmp_path, stop_health):
    app = host(tmp_path, PREHEAT_URL_PREFIX="/from-config", PREHEAT_API_PREFIX="/ops/api",
               PREHEAT_PAGE_SIZE=50)
    stop_health(preheat.init_app(app, url_prefix="/from-argument", load_htmx=False))
    assert app.config["PREHEAT_URL_PREFIX"] == "/from-argument"
    assert app.config["PREHEAT_API_PREFIX"] == "/ops/api"
    assert app.config["PREHEAT_PAGE_SIZE"] == 50 and app.config["PREHEAT_HEALTH_TTL"] == 60
    assert app.config["PREHEAT_LOAD_HTMX"] is False
    assert app.config["PREHEAT_BASE_TEMPLATE"] == "preheat/base.html"
    with app.test_request_context():
        assert url_for("preheat.distributions") == "/from-argument/distributions"


def test_prefixes_lose_a_trailing_slash_and_must_start_with_one(tmp_path, stop_health):
    app = host(tmp_path)
    stop_health(preheat.init_app(app, url_prefix="/admin/p2p/", api_prefix="/admin/p2p/api/"))
    assert (app.config["PREHEAT_URL_PREFIX"], app.config["PREHEAT_API_PREFIX"]) == \
        ("/admin/p2p", "/admin/p2p/api")
    with pytest.raises(preheat.SetupError, match="PREHEAT_URL_PREFIX must start with '/'"):
        preheat.init_app(host(tmp_path), url_prefix="admin")


def is_ops_admin(user) -> bool:
    """A host's own idea of a sysadmin."""
    return getattr(user, "role", None) == "ops-admin"


@pytest.mark.parametrize("predicate", ["tests.test_extension:is_ops_admin",
                                       "tests.test_extension.is_ops_admin"])
def test_is_sysadmin_may_be_an_import_string_in_config(tmp_path, stop_health, predicate):
    state = preheat.init_app(host(tmp_path, PREHEAT_IS_SYSADMIN=predicate))
    stop_health(state)
    assert state.is_sysadmin(SimpleNamespace(role="ops-admin"))
    assert not state.is_sysadmin(SimpleNamespace(role="viewer", is_sysadmin=True))


def test_is_sysadmin_defaults_to_the_users_own_flag(tmp_path, stop_health):
    state = preheat.init_app(host(tmp_path))
    stop_health(state)
    assert state.is_sysadmin(SimpleNamespace(is_sysadmin=True))
    assert not state.is_sysadmin(SimpleNamespace(role="ops-admin"))


@pytest.mark.parametrize("predicate, message", [
    ("tests.test_extension:no_such_thing", "cannot import"),
    (42, "must be a callable or an import string")])
def test_a_bad_is_sysadmin_is_refused_at_setup(tmp_path, predicate, message):
    with pytest.raises(preheat.SetupError, match=message):
        preheat.init_app(host(tmp_path), is_sysadmin=predicate)


LAYOUTS = {
    "skeleton.html": "<title>{% block title %}{% endblock %}</title>{% block head %}{% endblock %}"
                     "<body>{% block body %}{% endblock %}</body>",
    "portal.html": "{% extends 'skeleton.html' %}{% block body %}<nav></nav>"
                   "{% block content %}{% endblock %}{% endblock %}",
    "no-content.html": "{% extends 'skeleton.html' %}",
    "flat.html": "<body>{% block main %}{% endblock %}</body>",
    "chosen-later.html": "{% extends layout %}",
}


def test_a_layout_may_inherit_the_blocks_it_offers():
    check_base_template(Environment(loader=DictLoader(LAYOUTS)), "portal.html")
    check_base_template(Environment(loader=DictLoader(LAYOUTS)), "chosen-later.html")


@pytest.mark.parametrize("name, message", [
    ("no-content.html", "has no block content"),
    ("flat.html", "has no block title, head, content"),
    ("missing.html", "'missing.html' was not found")])
def test_a_layout_without_the_blocks_is_refused_naming_them(name, message):
    with pytest.raises(LayoutError, match=message):
        check_base_template(Environment(loader=DictLoader(LAYOUTS)), name)


def test_pages_on_a_layout_without_the_blocks_fail_loudly(tmp_path, stop_health):
    app = host(tmp_path)
    app.jinja_loader = DictLoader(LAYOUTS)
    app.login_manager.request_loader(lambda request: SimpleNamespace(
        is_authenticated=True, is_active=True, is_sysadmin=True, get_id=lambda: "1"))
    stop_health(preheat.init_app(app, base_template="flat.html"))
    migrate.upgrade(app)
    with pytest.raises(LayoutError, match="'flat.html' has no block title, head, content"):
        app.test_client().get("/preheat/distributions")


def test_every_css_rule_starts_at_the_root_element():
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)
    keyframes = re.findall(r"@keyframes\s+([\w-]+)", css)
    css = re.sub(r"@keyframes[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", css)
    selectors = [s.strip() for block in re.findall(r"([^{}]+)\{[^{}]*\}", css)
                 for s in block.split(",")]
    assert len(selectors) > 50
    assert [s for s in selectors if not s.startswith(".preheat-root")] == []
    assert keyframes and all(name.startswith("preheat-") for name in keyframes)
