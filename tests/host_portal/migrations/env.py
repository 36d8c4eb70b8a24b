"""Alembic environment of the portal's own tables, as Flask-Migrate sets it up."""
from alembic import context
from flask import current_app

migrate = current_app.extensions["migrate"]
config = context.config


def process_revision_directives(context, revision, directives):
    """Write no empty revision when autogenerate finds nothing to do."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []


def run_migrations_online():
    """Run the portal's migrations on its database (the default version table)."""
    options = {"process_revision_directives": process_revision_directives,
               **migrate.configure_args}
    with migrate.db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=migrate.db.metadata,
                          **options)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
