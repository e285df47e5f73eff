"""HTTP routes: the audit trail (M18, M20) — who saw a patient's data, the log searched and
exported by the data protection officer, its verification, checkpoints and proofs.

Thin: each route calls the service layer (services/audit/).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from mahrem.entrypoints.api.deps import Actor, Lang, Limit, Offset, Svc
from mahrem.entrypoints.api.problems import PROBLEMS
from mahrem.services import audit

router = APIRouter()


class AccessEntry(BaseModel):
    seq: int
    at: str
    actor: str | None
    actor_name: str | None
    role: str | None
    capacity: str | None
    facility: str | None
    facility_name: str | None
    via: str | None
    software: str | None
    action: str
    record: str | None
    purpose: str | None
    decision: str
    basis: str | None
    article: str
    reason: str


class Page(BaseModel):
    items: list[dict[str, Any]]
    limit: int
    offset: int


@router.get(
    "/patients/{patient}/access-log",
    operation_id="access_log",
    tags=["audit"],
    response_model=list[AccessEntry],
    responses=PROBLEMS,
)
def access_log(
    patient: str,
    service: Svc,
    x_acting_person: Actor,
    lang: Lang,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """Who read or tried to read the patient's data (the patient, or a parent as M8 allows)."""
    return audit.access_log(service, x_acting_person, patient, lang, limit=limit, offset=offset)


@router.get(
    "/audit/entries",
    operation_id="audit_search",
    tags=["audit"],
    response_model=Page,
    responses=PROBLEMS,
)
def audit_entries(
    service: Svc,
    x_acting_person: Actor,
    patient: str | None = None,
    actor: str | None = None,
    facility: str | None = None,
    via: str | None = None,
    basis: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page:
    """Search the audit log (data protection officer)."""
    filters = _filters(patient, actor, facility, via, basis, since, until)
    items = audit.search_log(service, x_acting_person, filters, limit, offset)
    return Page(items=[{**e, "at": e["at"].isoformat()} for e in items], limit=limit, offset=offset)


@router.get("/audit/export", operation_id="audit_export", tags=["audit"], responses=PROBLEMS)
def audit_export(
    service: Svc,
    x_acting_person: Actor,
    format: Literal["csv", "fhir"] = "fhir",
    patient: str | None = None,
    actor: str | None = None,
    facility: str | None = None,
    via: str | None = None,
    basis: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=100000)] = 10000,
) -> Any:
    """Export as CSV or as a FHIR Bundle of AuditEvents (IHE BALP shape)."""
    out = audit.export_log(
        service,
        x_acting_person,
        _filters(patient, actor, facility, via, basis, since, until),
        format,
        limit,
    )
    if isinstance(out, str):
        return PlainTextResponse(out, media_type="text/csv")
    return out


@router.get("/audit/verify", operation_id="audit_verify", tags=["audit"], responses=PROBLEMS)
def audit_verify(service: Svc, x_acting_person: Actor) -> dict[str, Any]:
    """Check the chain and every checkpoint (data protection officer)."""
    report = audit.verify(service, by=x_acting_person)
    return {
        "ok": report.ok,
        "entries": report.entries,
        "problems": [{"kind": p.kind, "seq": p.seq, "message": p.message} for p in report.problems],
    }


@router.post("/audit/checkpoints", operation_id="audit_seal", tags=["audit"], responses=PROBLEMS)
def audit_seal(service: Svc, x_acting_person: Actor) -> dict[str, Any] | None:
    """Seal the entries since the last checkpoint (data protection officer)."""
    return audit.seal(service, by=x_acting_person)


@router.get("/audit/checkpoints", operation_id="audit_checkpoints", tags=["audit"])
def audit_checkpoints(service: Svc, limit: Limit = 100, offset: Offset = 0) -> list[dict[str, Any]]:
    """The signed checkpoints, oldest first, as published (public)."""
    return audit.list_checkpoints(service)[offset : offset + limit]


@router.get(
    "/audit/public-key",
    operation_id="audit_public_key",
    tags=["audit"],
    response_class=PlainTextResponse,
)
def audit_public_key(service: Svc) -> str:
    """The Ed25519 public key that checks the checkpoints (PEM)."""
    return service.signer.public_pem()


@router.get("/audit/proofs/{seq}", operation_id="audit_prove", tags=["audit"], responses=PROBLEMS)
def audit_prove(seq: int, service: Svc, x_acting_person: Actor) -> dict[str, Any]:
    """An inclusion proof of one entry in its checkpoint (data protection officer)."""
    return audit.prove(service, seq, by=x_acting_person)


def _filters(
    patient: str | None,
    actor: str | None,
    facility: str | None,
    via: str | None,
    basis: str | None,
    since: datetime | None,
    until: datetime | None,
) -> dict[str, Any]:
    from mahrem.domain.clock import require_aware

    values = dict(
        patient=patient,
        actor=actor,
        facility=facility,
        via=via,
        basis=basis,
        since=require_aware(since, "since") if since else None,
        until=require_aware(until, "until") if until else None,
    )
    return {k: v for k, v in values.items() if v is not None}
