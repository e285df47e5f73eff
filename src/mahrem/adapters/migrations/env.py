"""Alembic environment: runs on the connection handed in by `mahrem.adapters.db.upgrade`,
or on MAHREM_DATABASE_URL when called from the alembic command line."""

from __future__ import annotations

from alembic import context

from mahrem.adapters import orm
from mahrem.adapters.db import database_url, make_engine

config = context.config
target_metadata = orm.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    with make_engine(database_url()).begin() as conn:
        _migrate(conn)


def _migrate(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
