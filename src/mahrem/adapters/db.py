"""Database engines and the unit of work. SQLite (WAL) by default, PostgreSQL in production."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect

from mahrem.adapters.store import SqlStore

DEFAULT_URL = "sqlite:///var/mahrem.db"
MIGRATIONS = Path(__file__).parent / "migrations"


def database_url() -> str:
    """`MAHREM_DATABASE_URL`, or the embedded SQLite file under ./var."""
    return os.environ.get("MAHREM_DATABASE_URL", DEFAULT_URL)


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": float(os.environ.get("MAHREM_SQLITE_TIMEOUT", "30"))}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # SQLAlchemy's pysqlite driver opens transactions lazily; BEGIN IMMEDIATE at the
        # start of each unit of work serialises writers so the audit chain head is never raced.
        # Read-only units of work (verify, searches) begin DEFERRED and never take the write lock.
        event.listen(
            engine,
            "begin",
            lambda conn: conn.exec_driver_sql(
                "BEGIN"
                if conn.get_execution_options().get("mahrem_read_only")
                else "BEGIN IMMEDIATE"
            ),
        )
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # let the "begin" listener issue BEGIN itself
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def has_mahrem_data(engine: Engine) -> bool:
    """True when the database already holds Mahrem tables with people in them."""
    if not inspect(engine).has_table("person"):
        return False
    with unit_of_work(engine) as store:
        return store.count("person") > 0


@contextmanager
def read_only(engine: Engine) -> Iterator[SqlStore]:
    """A transaction for reading only: on SQLite it does not block writers while it runs."""
    with engine.connect() as conn:
        conn.execution_options(mahrem_read_only=True)
        with conn.begin():
            yield SqlStore(conn)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[SqlStore]:
    """One transaction: commits when the block ends normally, rolls back on any exception."""
    with engine.begin() as conn:
        yield SqlStore(conn)


class SqlUnitOfWork:
    """The `UnitOfWork` port over one SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def write(self) -> AbstractContextManager[SqlStore]:
        """One transaction: commits when the block ends normally, rolls back on an exception."""
        return unit_of_work(self.engine)

    def read(self) -> AbstractContextManager[SqlStore]:
        """A transaction for reading only (on SQLite it does not block writers)."""
        return read_only(self.engine)

    def has_data(self) -> bool:
        """True when the database already holds Mahrem tables with people in them."""
        return has_mahrem_data(self.engine)

    def dispose(self) -> None:
        """Close the engine's pooled connections (a throw-away database is removed after)."""
        self.engine.dispose()


def grant_app_role(engine: Engine, role: str) -> None:
    """PostgreSQL: give the application's role what it needs and no more — the audit log and
    its checkpoints can be read and appended, never updated, deleted or truncated."""
    if engine.dialect.name != "postgresql":
        raise ValueError("roles and grants exist on PostgreSQL only")
    quoted = '"' + role.replace('"', '""') + '"'
    with engine.begin() as conn:
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {quoted}")
        conn.exec_driver_sql(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}"
        )
        conn.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
        conn.exec_driver_sql(
            f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, audit_checkpoint FROM {quoted}"
        )
