"""Shared fixtures: the store runs on SQLite and on the throw-away PostgreSQL that
`make test` starts (scripts/test-with-postgres sets MAHREM_TEST_PG_URL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from mahrem.bootstrap import build
from mahrem.services.ports import Mahrem

# Suites send hundreds of requests a minute with one key: the throttle (entrypoints/api/
# throttle.py) is off here, and tests/e2e/test_records_fhir_door.py switches it on to test it.
os.environ.setdefault("MAHREM_RATE_LIMIT", "0")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SCENARIOS = sorted((SHARED / "scenarios").glob("*.json"))


def _postgres_url() -> str:
    url = os.environ.get("MAHREM_TEST_PG_URL")
    if url:
        return url
    if os.environ.get("MAHREM_TEST_PG") == "skip":
        pytest.skip("PostgreSQL tests skipped: MAHREM_TEST_PG=skip")
    pytest.fail(
        "MAHREM_TEST_PG_URL is not set: run the suite with `make test`, which starts PostgreSQL "
        "(or set MAHREM_TEST_PG=skip to skip the PostgreSQL tests)"
    )


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    admin_url = _postgres_url()
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on the embedded SQLite store and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/mahrem.db"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/mahrem.db"


@pytest.fixture
def service(db_url: str, tmp_path: Path) -> Iterator[Mahrem]:
    svc = build(db_url, key_dir=str(tmp_path / "keys"))
    yield svc
    svc.uow.dispose()


@pytest.fixture
def sqlite_service(sqlite_url: str, tmp_path: Path) -> Iterator[Mahrem]:
    svc = build(sqlite_url, key_dir=str(tmp_path / "keys"))
    yield svc
    svc.uow.dispose()
