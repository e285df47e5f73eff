from __future__ import annotations

from datetime import datetime
from typing import Any

from mahrem.adapters.db import unit_of_work
from mahrem.services.app import Mahrem
from tests.worlds import world


def t(value: str) -> datetime:
    return datetime.fromisoformat(value)


def loaded(service: Mahrem, **changes: Any) -> Mahrem:
    service.load_world(world(**changes), t("2026-01-01T00:00:00+03:00"))
    return service


def read(service: Mahrem, at: str, actor: str = "D1", record: str = "R1", patient: str = "P1",
         **extra: Any) -> tuple[str, str]:
    req = {"actor": actor, "action": "read", "patient": patient, "record": record, "purpose": "treatment", **extra}
    _, decision = service.decide(req, t(at))
    return decision.effect, decision.basis


def event(service: Mahrem, at: str, type_: str, **fields: Any) -> tuple[str, str | None]:
    outcome = service.apply_event({"type": type_, **fields}, t(at))
    return outcome.result, outcome.basis


def rows(service: Mahrem, kind: str, /, **match: Any) -> list[dict[str, Any]]:
    with unit_of_work(service.db) as store:
        return store.rows(kind, **match)
