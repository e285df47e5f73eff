"""HTTP routes: corrections (M13), under /lifecycle/corrections.

Thin: each route builds its input and calls the service layer (services/corrections/).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field

from mahrem.entrypoints.api.deps import Actor, At, Lang, Limit, Offset, Svc
from mahrem.entrypoints.api.problems import PROBLEMS
from mahrem.services import corrections

router = APIRouter()
CORRECTIONS = ["corrections"]


# -- bodies -----------------------------------------------------------------------------------
class CorrectionRequestIn(BaseModel):
    record: str = Field(..., description="The record to correct (one of the acting patient's)")
    reason: str = Field(..., min_length=1, description="What is wrong in it")
    id: str | None = Field(None, description="Request id; default a new one")
    at: At = Field(None, description="ISO 8601 with offset; default now")


class RejectIn(BaseModel):
    reason: str = Field(
        ..., min_length=1, description="Why the request is rejected (shown to the applicant)"
    )
    at: At = None


class AtIn(BaseModel):
    at: At = None


class CorrectIn(BaseModel):
    resource: dict[str, Any] = Field(
        ..., description="The corrected FHIR R4 resource (same resourceType)"
    )
    request: str | None = Field(
        None, description="The correction request it answers (default: the open ones)"
    )
    category: str | None = Field(None, description="A corrected category, if it changes")
    at: At = None


class StatusStep(BaseModel):
    status: str
    at: str
    reason: str | None = None
    by: str | None = None


class CorrectionStatusOut(BaseModel):
    id: str
    patient: str
    record: str
    reason: str
    requested_at: str
    status: Literal["filed", "investigating", "forwarded", "rejected", "corrected"]
    message: str
    answer_due: str
    overdue: bool
    closed_at: str | None
    history: list[StatusStep]


class CorrectionOut(BaseModel):
    record: str
    version: int
    basis: str
    at: str
    requests: list[str]


class VersionOut(BaseModel):
    version: int
    category: str
    created_at: str
    created_by: str | None
    basis: str | None
    correction_request: str | None
    resource: dict[str, Any] | None
    provenance: dict[str, Any]


class HistoryOut(BaseModel):
    record: str
    patient: str
    resource_type: str
    disposed: str | None
    versions: list[VersionOut]


# -- corrections (M13) ---------------------------------------------------------------------
@router.post(
    "/lifecycle/corrections",
    operation_id="correction_request_file",
    tags=CORRECTIONS,
    response_model=CorrectionStatusOut,
    status_code=201,
    responses=PROBLEMS,
)
def file_request(body: CorrectionRequestIn, service: Svc, actor: Actor) -> Any:
    """M13/1 — the acting patient asks for one of their records to be corrected."""
    return corrections.file_request(
        service, actor, body.record, body.reason, request_id=body.id, at=body.at
    )


@router.get(
    "/lifecycle/corrections/{request_id}",
    operation_id="correction_request_status",
    tags=CORRECTIONS,
    response_model=CorrectionStatusOut,
    responses=PROBLEMS,
)
def status(request_id: str, service: Svc, actor: Actor, lang: Lang) -> Any:
    """M13 — status, history and answer deadline of a request.

    For the applicant and the officers concerned."""
    return corrections.correction_status(service, actor, request_id, lang=lang)


@router.get(
    "/lifecycle/patients/{patient}/corrections",
    operation_id="correction_requests_of_patient",
    tags=CORRECTIONS,
    response_model=list[CorrectionStatusOut],
    responses=PROBLEMS,
)
def requests_of(
    patient: str, service: Svc, actor: Actor, lang: Lang, limit: Limit = 100, offset: Offset = 0
) -> Any:
    """M13 — the patient's correction requests, newest first."""
    return corrections.corrections_of(
        service, actor, patient, limit=limit, offset=offset, lang=lang
    )


@router.post(
    "/lifecycle/corrections/{request_id}/investigation",
    operation_id="correction_request_investigate",
    tags=CORRECTIONS,
    response_model=CorrectionStatusOut,
    responses=PROBLEMS,
)
def investigate(request_id: str, body: AtIn, service: Svc, actor: Actor) -> Any:
    """M13/1 — the provincial directorate starts investigating at the facility."""
    return corrections.investigate(service, actor, request_id, at=body.at)


@router.post(
    "/lifecycle/corrections/{request_id}/rejection",
    operation_id="correction_request_reject",
    tags=CORRECTIONS,
    response_model=CorrectionStatusOut,
    responses=PROBLEMS,
)
def reject(request_id: str, body: RejectIn, service: Svc, actor: Actor) -> Any:
    """M13/1 — the directorate (or GM, once forwarded) rejects the request with its reason."""
    return corrections.reject(service, actor, request_id, body.reason, at=body.at)


@router.post(
    "/lifecycle/corrections/{request_id}/forwarding",
    operation_id="correction_request_forward",
    tags=CORRECTIONS,
    response_model=CorrectionStatusOut,
    responses=PROBLEMS,
)
def forward(request_id: str, body: AtIn, service: Svc, actor: Actor) -> Any:
    """M13/1 — the directorate asks the General Directorate to correct the record."""
    return corrections.forward(service, actor, request_id, at=body.at)


@router.post(
    "/lifecycle/records/{record}/corrections",
    operation_id="record_correct",
    tags=CORRECTIONS,
    response_model=CorrectionOut,
    status_code=201,
    responses=PROBLEMS,
)
def correct(record: str, body: CorrectIn, service: Svc, actor: Actor) -> Any:
    """M13/1–3 — a corrected version (GM for forwarded requests, 13/1; the creating facility for
    records created on or after the cut-off date, 13/3); the earlier version is kept."""
    return corrections.correct(
        service,
        actor,
        record,
        body.resource,
        request_id=body.request,
        category=body.category,
        at=body.at,
    )


@router.get(
    "/lifecycle/records/{record}/history",
    operation_id="record_history",
    tags=CORRECTIONS,
    response_model=HistoryOut,
    responses=PROBLEMS,
)
def history(record: str, service: Svc, actor: Actor) -> Any:
    """M13 — every version with its FHIR Provenance (for the patient and the dpo)."""
    return corrections.record_history(service, actor, record)


@router.get(
    "/lifecycle/facilities/{facility}/corrections",
    operation_id="provider_corrections",
    tags=CORRECTIONS,
    response_model=dict[str, Any],
    responses=PROBLEMS,
)
def provider_feed(
    facility: str,
    service: Svc,
    actor: Actor,
    since: AwareDatetime | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    """M13/2 — the corrections of the facility's records (FHIR history Bundle), for its database."""
    return corrections.provider_corrections(
        service, actor, facility, since, limit=limit, offset=offset
    )
