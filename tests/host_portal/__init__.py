"""Ops Portal: a small Flask portal of its own that mounts Preheat at /admin/p2p.

It is what the embedding tests run against: its own members with a role
instead of a sysadmin flag, its own table of who maintains which project (a
maintainer manages that project's preheat policies), its own sign-in page,
layout and nav bar, and its own tables under Flask-Migrate. Settings (also as PORTAL_* environment
variables): CSRF_PROTECT uses Flask-WTF's CSRFProtect; LOADS_HTMX loads htmx
on every portal page, so Preheat is told not to; IMAGE_REGISTRY_URL makes the
portal's released images (images.py) Preheat's artifact source.
"""
from __future__ import annotations

from pathlib import Path

import preheat
import preheat.migrate
from flask import Flask
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from . import account, images, pages, roles
from .models import db

MIGRATIONS = Path(__file__).parent / "migrations"
migrate = Migrate()


def create_app(test_config: dict | None = None) -> Flask:
    """Build the portal; `test_config` wins over PORTAL_* environment variables."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="ops-portal-development-key",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(app.instance_path) / 'portal.db'}",
        CSRF_PROTECT=True,
        LOADS_HTMX=False,
        IMAGE_REGISTRY_URL=None,
    )
    app.config.from_prefixed_env("PORTAL")
    app.config.update(test_config or {})

    db.init_app(app)
    # The portal's autogenerate must not offer to drop Preheat's tables.
    migrate.init_app(app, db, directory=str(MIGRATIONS),
                     include_object=preheat.migrate.exclude_preheat_tables)
    account.login_manager.init_app(app)
    app.register_blueprint(account.bp, url_prefix="/account")
    app.register_blueprint(pages.bp)

    preheat.init_app(app, url_prefix="/admin/p2p", api_prefix="/admin/p2p/api",
                     base_template="portal/layout.html", is_sysadmin=roles.is_ops_admin,
                     can_manage_project=roles.maintains_project,
                     artifact_source=_image_source(app.config["IMAGE_REGISTRY_URL"]),
                     load_htmx=not app.config["LOADS_HTMX"])
    if app.config["CSRF_PROTECT"]:
        # After preheat.init_app on purpose: Preheat must cope with either order.
        CSRFProtect(app)
    return app


def _image_source(registry_url: str | None) -> images.PortalImages | None:
    return images.PortalImages(registry_url) if registry_url else None
