"""The patient's request and the directorate's review (M13/1): the patient applies for a record
of theirs to be corrected; the provincial health directorate of the facility where it was
created investigates there, rejects the request with its reason, or asks the General
Directorate (GM) in writing to correct it. Once forwarded, only GM answers: by correcting the
record (corrections/correcting.py) or by rejecting the request."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain.errors import InputError, MahremError, Refused
from mahrem.services import audit, events
from mahrem.services.corrections.state import (
    holds,
    record_province,
    request_of,
    require_open,
    when_of,
)
from mahrem.services.corrections.status import correction_status
from mahrem.services.lookup import require
from mahrem.services.ports import Store

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem


def _require_province_officer(store: Store, by: str, request: dict[str, Any], at: datetime) -> None:
    """M13/1 — only the directorate of the province of the record's facility reviews it."""
    if not holds(store, by, "province_officer", at, record_province(store, request["record"])):
        raise Refused(
            "event.not_province_officer",
            "only an officer of the provincial directorate of the record's facility reviews it",
            basis="13/1",
        )


def file_request(
    m: Mahrem,
    patient: str,
    record: str,
    reason: str,
    *,
    request_id: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """M13/1 — the patient asks for a record of theirs to be corrected (event
    `correction_requested`)."""
    rid = request_id or f"CR-{secrets.token_hex(6)}"
    events.apply_event(
        m,
        {
            "type": "correction_requested",
            "id": rid,
            "patient": patient,
            "record": record,
            "reason": reason,
        },
        when_of(m, at),
    )
    return correction_status(m, patient, rid, at=at)


def investigate(m: Mahrem, by: str, request_id: str, at: datetime | None = None) -> dict[str, Any]:
    """M13/1 — the directorate starts its investigation at the facility."""
    return _review(m, by, request_id, "investigating", None, when_of(m, at))


def reject(
    m: Mahrem, by: str, request_id: str, reason: str, at: datetime | None = None
) -> dict[str, Any]:
    """M13/1 — the directorate (or GM, once forwarded) rejects the request, with its reason."""
    if not reason or not reason.strip():
        raise InputError("field.missing", "reason: a rejection gives its reason", field="reason")
    return _review(m, by, request_id, "rejected", reason.strip(), when_of(m, at))


def _review(
    m: Mahrem, by: str, request_id: str, status: str, reason: str | None, when: datetime
) -> dict[str, Any]:
    refusal: MahremError | None = None
    with m.uow.write() as store:
        require(store, "person", by, "by")
        request = request_of(store, request_id)
        current = require_open(store, request, ("filed", "investigating", "forwarded"))
        try:
            if current == "forwarded" and status == "rejected":
                if not holds(store, by, "gm_officer", when):
                    raise Refused(
                        "event.not_gm_officer",
                        "a forwarded request is answered by the General Directorate",
                        basis="13/1",
                    )
            else:
                _require_province_officer(store, by, request, when)
                if current == "forwarded":
                    raise InputError(
                        "correction.state", f"id: request {request_id!r} is forwarded", field="id"
                    )
        except Refused as exc:
            refusal = exc
            audit.append(
                store,
                at=when,
                kind="admin",
                actor=by,
                action=f"correction_{status}",
                patient=request["patient"],
                record=request["record"],
                outcome="rejected",
                basis=exc.basis,
                reason=exc.code,
                detail={"request": request_id},
            )
        else:
            store.add(
                "correction_status",
                request=request_id,
                status=status,
                at=when,
                by=by,
                reason=reason,
            )
            audit.append(
                store,
                at=when,
                kind="admin",
                actor=by,
                action=f"correction_{status}",
                patient=request["patient"],
                record=request["record"],
                outcome="accepted",
                basis="13/1",
                detail={"request": request_id, "reason": reason},
            )
    if refusal is not None:
        raise refusal
    return correction_status(m, by, request_id, at=when)


def forward(m: Mahrem, by: str, request_id: str, at: datetime | None = None) -> dict[str, Any]:
    """M13/1 — the directorate asks GM in writing to correct the record (event
    `correction_forwarded`; the engine's rule 10 then lets GM correct it)."""
    when = when_of(m, at)
    outcome = events.apply_event(
        m, {"type": "correction_forwarded", "id": request_id, "by": by}, when
    )
    if outcome.result != "accepted":
        raise Refused(
            outcome.reason_key or "correction.refused",
            outcome.reason_en or "refused",
            basis=outcome.basis or "13/1",
        )
    return correction_status(m, by, request_id, at=when)
