from __future__ import annotations

from datetime import datetime
from typing import Any

from mahrem.services import access, demo, events
from mahrem.services.ports import Mahrem
from tests.worlds import world


def t(value: str) -> datetime:
    return datetime.fromisoformat(value)


def loaded(service: Mahrem, **changes: Any) -> Mahrem:
    demo.load_world(service, world(**changes), t("2026-01-01T00:00:00+03:00"))
    return service


def read(
    service: Mahrem,
    at: str,
    actor: str = "D1",
    record: str = "R1",
    patient: str = "P1",
    **extra: Any,
) -> tuple[str, str]:
    req = {
        "actor": actor,
        "action": "read",
        "patient": patient,
        "record": record,
        "purpose": "treatment",
        **extra,
    }
    _, decision = access.decide_json(service, req, t(at))
    return decision.effect, decision.basis


def event(service: Mahrem, at: str, type_: str, **fields: Any) -> tuple[str, str | None]:
    outcome = events.apply_event(service, {"type": type_, **fields}, t(at))
    return outcome.result, outcome.basis


def rows(service: Mahrem, kind: str, /, **match: Any) -> list[dict[str, Any]]:
    with service.uow.write() as store:
        return store.rows(kind, **match)


def without_version(resource: dict[str, Any] | None) -> dict[str, Any] | None:
    """A resource as read, less the `meta.versionId` and `meta.lastUpdated` Mahrem sets on every
    read (and the `meta` they leave empty)."""
    if resource is None:
        return None
    meta = {
        k: v for k, v in resource.get("meta", {}).items() if k not in ("versionId", "lastUpdated")
    }
    out = {k: v for k, v in resource.items() if k != "meta"}
    return {**out, "meta": meta} if meta else out
