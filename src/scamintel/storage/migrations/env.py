"""Alembic environment: runs against the engine the caller hands over in the config."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from scamintel.storage.tables import metadata

engine: Engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
