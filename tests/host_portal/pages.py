"""The portal's own pages and commands, which must keep working with Preheat mounted."""
from __future__ import annotations

from pathlib import Path

import click
import preheat
from flask import Blueprint, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .models import Bulletin, Maintainer, Member, db

bp = Blueprint("portal", __name__)


@bp.route("/")
def home():
    """Show the bulletins."""
    bulletins = db.session.scalars(select(Bulletin).order_by(Bulletin.id.desc())).all()
    return render_template("portal/home.html", bulletins=bulletins)


@bp.route("/bulletins", methods=["POST"])
@login_required
def post_bulletin():
    """Add a bulletin."""
    db.session.add(Bulletin(text=request.form["text"], author_id=current_user.id))
    db.session.commit()
    return redirect(url_for("portal.home"))


@bp.route("/vendor/htmx.min.js")
def htmx():
    """Serve htmx for portals that load it themselves on every page."""
    # A real portal vendors its own copy; this one borrows Preheat's rather
    # than keep a second copy of the same file in the repository.
    return send_from_directory(Path(preheat.__file__).parent / "static" / "preheat",
                               "htmx.min.js")


@bp.app_errorhandler(404)
def not_found(_error):
    """The portal's own 404 page."""
    return render_template("portal/not_found.html"), 404


@bp.cli.command("add-member")
@click.argument("email")
@click.option("--role", default="viewer")
@click.password_option()
def add_member(email, role, password):
    """Add a member who can sign in."""
    db.session.add(Member.new(email, password, role))
    db.session.commit()


@bp.cli.command("add-maintainer")
@click.argument("email")
@click.argument("project")
def add_maintainer(email, project):
    """Let a member maintain a project (by name), and so manage its preheat policies."""
    member = db.session.scalar(select(Member).where(Member.email == email))
    if member is None:
        raise click.ClickException(f"No member {email}.")
    db.session.add(Maintainer(member=member, project_name=project))
    db.session.commit()
