"""Alembic environment for the standalone shell's own tables (its users)."""
from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run the shell's migrations through `flask --app app upgrade-db`.")

context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
