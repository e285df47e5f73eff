"""HTTP tests run against a service whose clock the test sets (the API takes no `at` from
callers: nobody may act in the past)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mahrem.bootstrap import build
from mahrem.entrypoints.api.app import create_app
from mahrem.services.ports import Mahrem


class Clock:
    """A settable clock: `clock.set("2026-03-02T10:00:00+03:00")`."""

    def __init__(self, now: str) -> None:
        self.now = datetime.fromisoformat(now)

    def __call__(self) -> datetime:
        return self.now

    def set(self, value: str) -> None:
        self.now = datetime.fromisoformat(value)


@pytest.fixture
def clock() -> Clock:
    return Clock("2026-03-02T09:00:00+03:00")


@pytest.fixture
def clocked(db_url: str, tmp_path: Path, clock: Clock) -> Iterator[Mahrem]:
    """A service on SQLite and on PostgreSQL whose clock is `clock`."""
    svc = build(db_url, key_dir=str(tmp_path / "keys"), clock=clock)
    yield svc
    svc.uow.dispose()


@pytest.fixture
def sqlite_clocked(sqlite_url: str, tmp_path: Path, clock: Clock) -> Iterator[Mahrem]:
    svc = build(sqlite_url, key_dir=str(tmp_path / "keys"), clock=clock)
    yield svc
    svc.uow.dispose()


@pytest.fixture
def api(sqlite_clocked: Mahrem) -> TestClient:
    """The API over the test world on SQLite (a module may define its own `api`)."""
    from tests.integration.helpers import loaded

    return TestClient(create_app(loaded(sqlite_clocked)))


def svc(api: TestClient) -> Mahrem:
    """The service behind a test client."""
    service: Mahrem = api.app.state.service  # type: ignore[attr-defined]
    return service
