"""`flask preheat ...` commands."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from . import migrate
from .crypto import SecretError
from .state import current_state
from .services import audit, keys


def make_cli() -> AppGroup:
    """The `preheat` command group for the Flask CLI."""
    group = AppGroup("preheat", help="Manage Preheat (P2P preheat providers).")
    db_group = AppGroup("db", help="Preheat's database tables.")
    group.add_command(db_group)

    @db_group.command("upgrade")
    @click.argument("revision", default="head")
    def upgrade(revision):
        """Create or upgrade Preheat's tables (only ours) to REVISION."""
        migrate.upgrade(current_app._get_current_object(), revision)
        click.echo(f"Preheat tables upgraded to {revision}.")

    @db_group.command("downgrade")
    @click.argument("revision")
    def downgrade(revision):
        """Take Preheat's tables back to REVISION ("base" drops them)."""
        migrate.downgrade(current_app._get_current_object(), revision)
        click.echo(f"Preheat tables downgraded to {revision}.")

    @group.command("rotate-key")
    def rotate_key():
        """Re-encrypt all stored credentials with the newest PREHEAT_ENCRYPTION_KEY."""
        state = current_state()
        try:
            count = keys.rotate_all(state.db.session, state.secret_box)
        except SecretError as error:
            raise click.ClickException(str(error))
        click.echo(f"Re-encrypted {count} stored credential(s) of instances and registries"
                   " with the newest key.")

    @group.command("prune-audit")
    def prune_audit():
        """Delete audit entries older than PREHEAT_AUDIT_RETENTION_DAYS."""
        count = audit.prune(current_state().session)
        click.echo(f"Deleted {count} audit entries older than"
                   f" {current_app.config['PREHEAT_AUDIT_RETENTION_DAYS']} days.")

    return group
