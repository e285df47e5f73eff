"""M13 — correcting health data created in error (sehven oluşturulan sağlık verileri): where a
request stands, and the helpers every step of the procedure shares.

M13/1: the patient applies to the provincial health directorate of the facility where the
record was created; the directorate investigates at the facility and, finding the record made
in error, asks the General Directorate (GM) in writing to correct it. M13/2: what GM does is
carried out in the provider's own database too. M13/3: GM sets a cut-off date; records created
on or after it are corrected by their facility, older ones by GM at the directorate's request.

A request moves filed → investigating → forwarded (to GM) → corrected, or ends rejected with a
reason (by the directorate, or by GM after forwarding). Finding a request, its status history,
the province of the record's facility and the officer roles in force live here, so the steps
(corrections/review.py, correcting.py, status.py, history.py) do not import each other's
internals.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain.clock import require_aware
from mahrem.domain.errors import InputError, NotFound
from mahrem.services.ports import Store

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem


STATUSES = ("filed", "investigating", "forwarded", "rejected", "corrected")
CLOSED = ("rejected", "corrected")


def when_of(m: Mahrem, at: datetime | None) -> datetime:
    return require_aware(at) if at is not None else m.clock()


def unknown_request(request_id: str) -> NotFound:
    return NotFound(
        "correction.unknown", f"id: unknown correction request {request_id!r}", field="id"
    )


def request_of(store: Store, request_id: str) -> dict[str, Any]:
    row = store.get("correction_request", request_id)
    if row is None:
        raise unknown_request(request_id)
    return row


def statuses_of(store: Store, request_id: str) -> list[dict[str, Any]]:
    return sorted(
        store.rows("correction_status", request=request_id), key=lambda r: (r["at"], r["id"])
    )


def status_of(store: Store, request: dict[str, Any]) -> str:
    """The request's current status (requests filed before statuses were kept: from
    forwarded_at)."""
    rows = statuses_of(store, request["id"])
    if rows:
        return str(rows[-1]["status"])
    return "forwarded" if request["forwarded_at"] is not None else "filed"


def record_province(store: Store, record: str) -> str:
    meta = store.record_meta(record)
    assert meta is not None
    facility = store.get("facility", meta.facility)
    assert facility is not None
    return str(facility["province"])


def holds(store: Store, person: str, role: str, at: datetime, province: str | None = None) -> bool:
    return any(
        r["role"] == role and (province is None or r["province"] == province)
        for r in store.open_rows("officer_role", at, person=person)
    )


def require_open(store: Store, request: dict[str, Any], allowed: tuple[str, ...]) -> str:
    status = status_of(store, request)
    if status not in allowed:
        raise InputError(
            "correction.state", f"id: request {request['id']!r} is {status}", field="id"
        )
    return status
