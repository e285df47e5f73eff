"""The correction itself (M13/1–3): a corrected version of a record, asked of the engine
(`correct`: rule 4a for facility staff of the creating facility, for records created on or
after the cut-off date GM sets, 13/3; rule 10 for GM answering a forwarded request, 13/1). The
correction adds a version — the earlier ones are kept, each linked to the one before by a FHIR
Provenance — and closes the record's open requests it answers as corrected."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain.decision import Request
from mahrem.domain.errors import InputError, MahremError, NotFound, Refused
from mahrem.services import audit
from mahrem.services.access import decide
from mahrem.services.corrections.state import CLOSED, request_of, require_open, status_of, when_of
from mahrem.services.lookup import require
from mahrem.services.ports import Store
from mahrem.services.records import add_version, tell_recipients, validate_fhir

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem


def correct(
    m: Mahrem,
    by: str,
    record: str,
    resource: dict[str, Any],
    *,
    request_id: str | None = None,
    category: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """M13/1–3 — a corrected version of a record, asked of the engine (`correct`): GM for a
    forwarded request (13/1), or staff of the creating facility for a record created on or after
    the cut-off date (13/3). The earlier version is kept; the request(s) it answers are closed as
    corrected. A refusal is raised after its audit entry is committed."""
    when = when_of(m, at)
    refusal: MahremError | None = None
    out: dict[str, Any] = {}
    validate_fhir(resource, "resource")
    with m.uow.write() as store:
        meta = store.record_meta(record)
        if meta is None:
            raise NotFound("record.unknown", f"record: unknown record {record!r}", field="record")
        require(store, "person", by, "by")
        answered = _answered_requests(store, record, request_id)
        decision = decide(
            store, Request(actor=by, action="correct", patient=meta.patient, at=when, record=record)
        )
        if not decision.permitted:
            refusal = Refused(decision.reason_key, decision.reason_en, basis=decision.basis)
        else:
            if decision.basis == "13/1":  # GM answers forwarded requests only
                answered = [r for r in answered if status_of(store, r) == "forwarded"]
            version = add_version(
                store,
                m.keys,
                record,
                resource,
                when,
                by=by,
                basis=decision.basis,
                category=category,
                request=answered[0]["id"] if answered else None,
            )
            for r in answered:
                store.add("correction_status", request=r["id"], status="corrected", at=when, by=by)
            tell_recipients(store, record, "corrected", when)  # KVKK 11/1-f
            # M13/2: the correction is carried out in the provider's own copy too — the provider
            # reads the current version through records.current_resource, and pulls the
            # corrections of its records with `provider_corrections`.
            audit.append(
                store,
                at=when,
                kind="admin",
                actor=by,
                action="record_corrected",
                patient=meta.patient,
                record=record,
                facility=meta.facility,
                outcome="accepted",
                basis=decision.basis,
                detail={"version": version, "requests": [r["id"] for r in answered]},
            )
            out = {
                "record": record,
                "version": version,
                "basis": decision.basis,
                "at": when.isoformat(),
                "requests": [r["id"] for r in answered],
            }
    if refusal is not None:
        raise refusal
    return out


def _answered_requests(store: Store, record: str, request_id: str | None) -> list[dict[str, Any]]:
    if request_id is not None:
        request = request_of(store, request_id)
        if request["record"] != record:
            raise InputError(
                "correction.other_record",
                f"request: {request_id!r} is about another record",
                field="request",
            )
        require_open(store, request, ("filed", "investigating", "forwarded"))
        return [request]
    return [
        r
        for r in sorted(
            store.rows("correction_request", record=record), key=lambda r: r["requested_at"]
        )
        if status_of(store, r) not in CLOSED
    ]
