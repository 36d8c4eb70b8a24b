"""`flask preheat ...` commands that change a user of the standalone app.

Each change that takes something away (a password, the account itself) ends
every session the user has, on every browser, at the user's next request.
"""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from .extensions import db
from .users import User


def register(app: Flask) -> None:
    group = app.cli.commands["preheat"]
    for command in (set_password, grant_sysadmin, revoke_sysadmin, deactivate_user,
                    activate_user, delete_user):
        group.add_command(command)


def _user(name: str) -> User:
    user = db.session.scalar(select(User).where(User.username == name))
    if user is None:
        raise click.ClickException(f"There is no user {name!r}.")
    return user


@click.command("set-password")
@with_appcontext
@click.argument("name")
@click.password_option()
def set_password(name, password):
    """Give a user a new password (prompted) and end their sessions."""
    _user(name).set_password(password)
    db.session.commit()
    click.echo(f"Changed the password of {name!r}; their sessions have ended.")


@click.command("grant-sysadmin")
@with_appcontext
@click.argument("name")
def grant_sysadmin(name):
    """Let a user manage Preheat."""
    _user(name).is_sysadmin = True
    db.session.commit()
    click.echo(f"{name!r} is now a sysadmin.")


@click.command("revoke-sysadmin")
@with_appcontext
@click.argument("name")
def revoke_sysadmin(name):
    """Stop a user from managing Preheat (from their next request on)."""
    _user(name).is_sysadmin = False
    db.session.commit()
    click.echo(f"{name!r} is no longer a sysadmin.")


@click.command("deactivate-user")
@with_appcontext
@click.argument("name")
def deactivate_user(name):
    """Stop a user from logging in and end their sessions."""
    user = _user(name)
    user.is_active = False
    user.end_sessions()
    db.session.commit()
    click.echo(f"Deactivated {name!r}; their sessions have ended.")


@click.command("activate-user")
@with_appcontext
@click.argument("name")
def activate_user(name):
    """Let a deactivated user log in again."""
    _user(name).is_active = True
    db.session.commit()
    click.echo(f"Activated {name!r}.")


@click.command("delete-user")
@with_appcontext
@click.argument("name")
def delete_user(name):
    """Delete a user; their sessions end with them."""
    db.session.delete(_user(name))
    db.session.commit()
    click.echo(f"Deleted {name!r}.")
