"""M13 — correcting health data created in error (sehven oluşturulan sağlık verileri).

M13/1: the patient applies to the provincial health directorate of the facility where the
record was created; the directorate investigates at the facility and, finding the record made
in error, asks the General Directorate (GM) in writing to correct it. M13/2: what GM does is
carried out in the provider's own database too. M13/3: GM sets a cut-off date; records created
on or after it are corrected by their facility, older ones by GM at the directorate's request.

A request moves filed → investigating → forwarded (to GM) → corrected, or ends rejected with a
reason (by the directorate, or by GM after forwarding); a facility correcting a record under
13/3 closes the record's open requests as corrected. Every correction is asked of the engine
(`correct`: rule 4a for facility staff, 13/3; rule 10 for GM, 13/1) and adds a version: the
earlier ones are kept, each linked to the one before by a FHIR Provenance. The applicant sees
every status change and the answer deadline (KVKK 13/2: 30 days).
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from mahrem.domain.clock import day_end, local_date, require_aware
from mahrem.domain.decision import Request
from mahrem.domain.errors import InputError, MahremError, NotFound, Refused
from mahrem.services import audit, events
from mahrem.services.access import decide
from mahrem.services.lookup import require
from mahrem.services.policies import policy_at
from mahrem.services.ports import Store
from mahrem.services.records import add_version, record_versions, validate_fhir

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem

STATUSES = ("filed", "investigating", "forwarded", "rejected", "corrected")
CLOSED = ("rejected", "corrected")
STATUS_TEXT: dict[str, tuple[str, str]] = {
    "filed": (
        "Başvurunuz alındı; il sağlık müdürlüğü inceleyecek.",
        "Your request was received; the provincial health directorate will review it.",
    ),
    "investigating": (
        "İl sağlık müdürlüğü kaydı oluşturan sağlık tesisinde araştırıyor.",
        "The provincial health directorate is investigating at the facility that created the record.",
    ),
    "forwarded": (
        "İl sağlık müdürlüğü düzeltilmesi için Genel Müdürlüğe iletti.",
        "The provincial health directorate forwarded it to the General Directorate for correction.",
    ),
    "rejected": (
        "Başvurunuz reddedildi; gerekçesi aşağıda.",
        "Your request was rejected; the reason is below.",
    ),
    "corrected": (
        "Kayıt düzeltildi; önceki sürüm saklanıyor.",
        "The record was corrected; the earlier version is kept.",
    ),
}
BASIS_SYSTEM = "https://mahrem.saglik.gov.tr/fhir/CodeSystem/basis"
PERSON_SYSTEM = "https://mahrem.saglik.gov.tr/fhir/sid/person"
FACILITY_SYSTEM = "https://mahrem.saglik.gov.tr/fhir/sid/facility"
REQUEST_SYSTEM = "https://mahrem.saglik.gov.tr/fhir/sid/correction-request"
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"


def _when(m: Mahrem, at: datetime | None) -> datetime:
    return require_aware(at) if at is not None else m.clock()


def _unknown(request_id: str) -> NotFound:
    return NotFound(
        "correction.unknown", f"id: unknown correction request {request_id!r}", field="id"
    )


def _request(store: Store, request_id: str) -> dict[str, Any]:
    row = store.get("correction_request", request_id)
    if row is None:
        raise _unknown(request_id)
    return row


def _statuses(store: Store, request_id: str) -> list[dict[str, Any]]:
    return sorted(
        store.rows("correction_status", request=request_id), key=lambda r: (r["at"], r["id"])
    )


def status_of(store: Store, request: dict[str, Any]) -> str:
    """The request's current status (requests filed before statuses were kept: from forwarded_at)."""
    rows = _statuses(store, request["id"])
    if rows:
        return str(rows[-1]["status"])
    return "forwarded" if request["forwarded_at"] is not None else "filed"


def _record_province(store: Store, record: str) -> str:
    meta = store.record_meta(record)
    assert meta is not None
    facility = store.get("facility", meta.facility)
    assert facility is not None
    return str(facility["province"])


def _holds(store: Store, person: str, role: str, at: datetime, province: str | None = None) -> bool:
    return any(
        r["role"] == role and (province is None or r["province"] == province)
        for r in store.open_rows("officer_role", at, person=person)
    )


def _require_province_officer(store: Store, by: str, request: dict[str, Any], at: datetime) -> None:
    """M13/1 — only the directorate of the province of the record's facility reviews it."""
    if not _holds(store, by, "province_officer", at, _record_province(store, request["record"])):
        raise Refused(
            "event.not_province_officer",
            "only an officer of the provincial directorate of the record's facility reviews it",
            basis="13/1",
        )


def _require_open(store: Store, request: dict[str, Any], allowed: tuple[str, ...]) -> str:
    status = status_of(store, request)
    if status not in allowed:
        raise InputError(
            "correction.state", f"id: request {request['id']!r} is {status}", field="id"
        )
    return status


# -- the applicant files, the directorate reviews ---------------------------------------------
def file_request(
    m: Mahrem,
    patient: str,
    record: str,
    reason: str,
    *,
    request_id: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """M13/1 — the patient asks for a record of theirs to be corrected (event `correction_requested`)."""
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
        _when(m, at),
    )
    return correction_status(m, patient, rid, at=at)


def investigate(m: Mahrem, by: str, request_id: str, at: datetime | None = None) -> dict[str, Any]:
    """M13/1 — the directorate starts its investigation at the facility."""
    return _review(m, by, request_id, "investigating", None, _when(m, at))


def reject(
    m: Mahrem, by: str, request_id: str, reason: str, at: datetime | None = None
) -> dict[str, Any]:
    """M13/1 — the directorate (or GM, once forwarded) rejects the request, with its reason."""
    if not reason or not reason.strip():
        raise InputError("field.missing", "reason: a rejection gives its reason", field="reason")
    return _review(m, by, request_id, "rejected", reason.strip(), _when(m, at))


def _review(
    m: Mahrem, by: str, request_id: str, status: str, reason: str | None, when: datetime
) -> dict[str, Any]:
    refusal: MahremError | None = None
    with m.uow.write() as store:
        require(store, "person", by, "by")
        request = _request(store, request_id)
        current = _require_open(store, request, ("filed", "investigating", "forwarded"))
        try:
            if current == "forwarded" and status == "rejected":
                if not _holds(store, by, "gm_officer", when):
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
    when = _when(m, at)
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


# -- the correction itself -------------------------------------------------------------------
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
    when = _when(m, at)
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
        request = _request(store, request_id)
        if request["record"] != record:
            raise InputError(
                "correction.other_record",
                f"request: {request_id!r} is about another record",
                field="request",
            )
        _require_open(store, request, ("filed", "investigating", "forwarded"))
        return [request]
    return [
        r
        for r in sorted(
            store.rows("correction_request", record=record), key=lambda r: r["requested_at"]
        )
        if status_of(store, r) not in CLOSED
    ]


# -- what the applicant, the officers and the auditor see --------------------------------------
def _may_see_request(store: Store, viewer: str, request: dict[str, Any], at: datetime) -> bool:
    return (
        viewer == request["patient"]
        or _holds(store, viewer, "gm_officer", at)
        or _holds(store, viewer, "dpo", at)
        or _holds(store, viewer, "province_officer", at, _record_province(store, request["record"]))
    )


def _view(
    store: Store, request: dict[str, Any], viewer: str, at: datetime, lang: str
) -> dict[str, Any]:
    policy = policy_at(store, request["requested_at"])
    due = day_end(
        local_date(request["requested_at"]) + timedelta(days=policy.application_answer_days)
    )
    rows = _statuses(store, request["id"]) or [
        {"status": "filed", "at": request["requested_at"], "by": request["patient"], "reason": None}
    ]
    status = status_of(store, request)
    closed_at = rows[-1]["at"] if status in CLOSED else None
    officer = viewer != request["patient"]
    history = [
        {
            "status": r["status"],
            "at": r["at"].isoformat(),
            "reason": r["reason"],
            **({"by": r["by"]} if officer else {}),
        }
        for r in rows
    ]
    tr, en = STATUS_TEXT[status]
    return {
        "id": request["id"],
        "patient": request["patient"],
        "record": request["record"],
        "reason": request["reason"],
        "requested_at": request["requested_at"].isoformat(),
        "status": status,
        "message": en if lang == "en" else tr,
        "answer_due": due.isoformat(),
        "overdue": (closed_at or at) >= due,
        "closed_at": closed_at.isoformat() if closed_at else None,
        "history": history,
    }


def correction_status(
    m: Mahrem, viewer: str, request_id: str, *, at: datetime | None = None, lang: str = "tr"
) -> dict[str, Any]:
    """M13, KVKK 13/2 — a request's status, history and answer deadline (30 days), for the
    applicant and the officers concerned; to anyone else, the unknown-request answer."""
    when = _when(m, at)
    with m.uow.read() as store:
        request = store.get("correction_request", request_id)
        if request is None or not _may_see_request(store, viewer, request, when):
            raise _unknown(request_id)
        return _view(store, request, viewer, when, lang)


def corrections_of(
    m: Mahrem,
    viewer: str,
    patient: str,
    *,
    limit: int = 100,
    offset: int = 0,
    at: datetime | None = None,
    lang: str = "tr",
) -> list[dict[str, Any]]:
    """The patient's correction requests, newest first, as the applicant sees them."""
    when = _when(m, at)
    with m.uow.read() as store:
        rows = sorted(
            store.rows("correction_request", patient=patient),
            key=lambda r: r["requested_at"],
            reverse=True,
        )
        visible = [r for r in rows if _may_see_request(store, viewer, r, when)]
        return [_view(store, r, viewer, when, lang) for r in visible[offset : offset + limit]]


def record_history(
    m: Mahrem, viewer: str, record: str, at: datetime | None = None
) -> dict[str, Any]:
    """M13 — every version of a record with the FHIR Provenance linking each to the one
    before, for the patient and the data protection officer (the audit); the view is audited."""
    when = _when(m, at)
    with m.uow.write() as store:
        row = store.get("record", record)
        if row is None or not (viewer == row["patient"] or _holds(store, viewer, "dpo", when)):
            raise NotFound("record.unknown", f"record: unknown record {record!r}", field="record")
        versions = record_versions(store, m.keys, record)
        audit.append(
            store,
            at=when,
            kind="admin",
            actor=viewer,
            action="record_history_viewed",
            patient=row["patient"],
            record=record,
            outcome="accepted",
            detail={"versions": len(versions)},
        )
        disposal = store.get("record_disposal", record)
    return {
        "record": record,
        "patient": row["patient"],
        "resource_type": row["resource_type"],
        "disposed": disposal["method"] if disposal else None,
        "versions": [
            {
                **{
                    k: v[k]
                    for k in ("version", "category", "created_by", "basis", "correction_request")
                },
                "created_at": v["created_at"].isoformat(),
                "resource": v["resource"]
                if disposal is None
                else None,  # M14: out of every user's reach
                "provenance": provenance(row, v),
            }
            for v in versions
        ],
    }


def provider_corrections(
    m: Mahrem,
    viewer: str,
    facility: str,
    since: datetime | None = None,
    *,
    at: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """M13/2 — the corrections of a facility's records as a FHIR history Bundle (the current
    resource and its Provenance), which the provider applies to its own database. For the
    facility's staff and GM."""
    when = _when(m, at)
    with m.uow.write() as store:
        require(store, "facility", facility, "facility")
        staff = any(
            p["facility"] == facility for p in store.open_rows("staff_post", when, person=viewer)
        )
        if not (staff or _holds(store, viewer, "gm_officer", when)):
            raise NotFound(
                "facility.unknown", f"facility: unknown facility {facility!r}", field="facility"
            )
        entries: list[dict[str, Any]] = []
        for row in sorted(store.rows("record", facility=facility), key=lambda r: r["id"]):
            for v in record_versions(store, m.keys, row["id"]):
                if (
                    v["version"] > 1
                    and (since is None or v["created_at"] > since)
                    and v["resource"] is not None
                ):
                    entries.append(
                        {
                            "resource": v["resource"],
                            "provenance": provenance(row, v),
                            "at": v["created_at"],
                        }
                    )
        entries.sort(key=lambda e: e["at"])
        page = entries[offset : offset + limit]
        audit.append(
            store,
            at=when,
            kind="admin",
            actor=viewer,
            action="provider_corrections_pulled",
            facility=facility,
            outcome="accepted",
            detail={"corrections": len(page)},
        )
    return {
        "resourceType": "Bundle",
        "type": "history",
        "timestamp": when.isoformat(),
        "entry": [
            item
            for e in page
            for item in ({"resource": e["resource"]}, {"resource": e["provenance"]})
        ],
    }


def _fhir_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9\-.]", "-", text)[:64]


def provenance(row: dict[str, Any], version: dict[str, Any]) -> dict[str, Any]:
    """The FHIR R4 Provenance of one version: what it targets, who made it under which article,
    and (for a correction) the version it revises and the request it answers."""
    n = version["version"]
    base = f"{row['resource_type']}/{_fhir_id(row['id'])}/_history"
    who = (
        {"identifier": {"system": PERSON_SYSTEM, "value": version["created_by"]}}
        if version["created_by"]
        else {"identifier": {"system": FACILITY_SYSTEM, "value": row["facility"]}}
    )
    out: dict[str, Any] = {
        "resourceType": "Provenance",
        "id": _fhir_id(f"{row['id']}-v{n}"),
        "target": [{"reference": f"{base}/{n}"}],
        "recorded": version["created_at"].isoformat(),
        "activity": {
            "coding": [{"system": DATA_OPERATION, "code": "UPDATE" if n > 1 else "CREATE"}]
        },
        "agent": [{"who": who}],
    }
    if version["basis"]:
        out["reason"] = [{"coding": [{"system": BASIS_SYSTEM, "code": version["basis"]}]}]
    entities: list[dict[str, Any]] = []
    if n > 1:
        entities.append({"role": "revision", "what": {"reference": f"{base}/{n - 1}"}})
    if version["correction_request"]:
        entities.append(
            {
                "role": "source",
                "what": {
                    "identifier": {"system": REQUEST_SYSTEM, "value": version["correction_request"]}
                },
            }
        )
    if entities:
        out["entity"] = entities
    return validate_fhir(out, "provenance")
