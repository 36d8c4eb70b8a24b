"""The portal's own sign-in and sign-out (nothing like the standalone app's /login)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, login_required, login_user, logout_user
from sqlalchemy import select

from .models import Member, db

bp = Blueprint("account", __name__)
login_manager = LoginManager()
login_manager.login_view = "account.sign_in"
login_manager.login_message = "Sign in to see that page."


@login_manager.user_loader
def load_member(member_id: str) -> Member | None:
    return db.session.get(Member, int(member_id)) if member_id.isdigit() else None


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Show the sign-in form, or sign the member in."""
    if request.method == "POST":
        member = db.session.scalar(select(Member).where(Member.email == request.form["email"]))
        if member and member.check_password(request.form["password"]):
            login_user(member)
            return redirect(_local(request.args.get("next")))
        flash("Unknown e-mail address or wrong password.")
    return render_template("portal/sign_in.html")


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out():
    """Sign the member out."""
    logout_user()
    return redirect(url_for("portal.home"))


def _local(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("portal.home")
