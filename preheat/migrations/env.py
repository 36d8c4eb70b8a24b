"""Alembic environment for Preheat's tables only, with their own version table."""
from alembic import context

from preheat.migrate import VERSION_TABLE, include_object
from preheat.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run Preheat's migrations through `flask preheat db upgrade`.")


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    include_object=include_object,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
