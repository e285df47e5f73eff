"""HTTP routes of the breach register (M18/2): recording a breach, its measures and affected
patients, the Board's notification and the letters to patients. Thin: each route calls
services.rights (the data protection officer only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from mahrem.entrypoints.api.deps import Actor, Limit, Offset, Svc
from mahrem.entrypoints.api.problems import PROBLEMS
from mahrem.entrypoints.api.rights import AtIn
from mahrem.services import rights

router = APIRouter()
At = Annotated[datetime | None, Query(description="ISO 8601 with offset; default now")]


# -- breaches (M18/2) -----------------------------------------------------------------------------
class BreachIn(BaseModel):
    detected_at: datetime
    description: str
    categories: list[str] = Field(..., description="Record categories, identity, contact")
    occurred_from: datetime | None = None
    occurred_until: datetime | None = None
    source: str | None = None
    measures: list[str] = Field(default_factory=list)
    at: datetime | None = None


class BreachOut(BaseModel):
    id: int
    status: str
    detected_at: str
    occurred_from: str | None
    occurred_until: str | None
    description: str
    source: str | None
    categories: list[str]
    measures: list[dict[str, Any]]
    scope: list[dict[str, Any]] | None
    recorded_by: str
    board_deadline: str
    hours_left: float | None
    overdue: bool
    board_notified_at: str | None
    late: bool
    delay_reason: str | None
    affected_patients: list[str]
    affected_records: int
    patients_notified: int


class BreachPage(BaseModel):
    items: list[BreachOut]
    limit: int
    offset: int


class MeasureIn(BaseModel):
    text: str
    at: datetime | None = None


class ScopeIn(BaseModel):
    actor: str | None = None
    via: str | None = Field(None, description="Installation (software)")
    facility: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    records: list[str] | None = None
    at: datetime | None = None


class NotifyIn(BaseModel):
    delay_reason: str | None = Field(None, description="Required after the 72 hours")
    at: datetime | None = None


class FormField(BaseModel):
    field: str
    label_tr: str
    label_en: str
    value: str | int


class DraftOut(BaseModel):
    breach: int
    deadline: str
    overdue: bool
    fields: list[FormField]


class PatientNoticeOut(BaseModel):
    patient: str
    tr: str
    en: str


@router.post(
    "/breaches",
    operation_id="breach_record",
    tags=["breaches"],
    response_model=BreachOut,
    status_code=201,
    responses=PROBLEMS,
)
def record_breach(body: BreachIn, service: Svc, actor: Actor) -> Any:
    """M18/2 — enter a breach in the register (dpo)."""
    return rights.record_breach(
        service,
        actor,
        detected_at=body.detected_at,
        description=body.description,
        categories=body.categories,
        occurred_from=body.occurred_from,
        occurred_until=body.occurred_until,
        source=body.source,
        measures=body.measures,
        at=body.at,
    )


@router.get(
    "/breaches",
    operation_id="breach_list",
    tags=["breaches"],
    response_model=BreachPage,
    responses=PROBLEMS,
)
def list_breaches(
    service: Svc,
    actor: Actor,
    overdue: bool | None = None,
    status: str | None = None,
    at: At = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    """The register, newest first; `overdue=true`: the Board not notified within 72 hours (dpo)."""
    items = rights.list_breaches(
        service, actor, overdue=overdue, status=status, limit=limit, offset=offset, at=at
    )
    return {"items": items, "limit": limit, "offset": offset}


@router.get(
    "/breaches/{breach_id}",
    operation_id="breach_get",
    tags=["breaches"],
    response_model=BreachOut,
    responses=PROBLEMS,
)
def get_breach(breach_id: int, service: Svc, actor: Actor, at: At = None) -> Any:
    return rights.get_breach(service, actor, breach_id, at=at)


@router.post(
    "/breaches/{breach_id}/measures",
    operation_id="breach_add_measure",
    tags=["breaches"],
    response_model=BreachOut,
    responses=PROBLEMS,
)
def add_measure(breach_id: int, body: MeasureIn, service: Svc, actor: Actor) -> Any:
    return rights.add_measure(service, actor, breach_id, body.text, at=body.at)


@router.post(
    "/breaches/{breach_id}/affected",
    operation_id="breach_find_affected",
    tags=["breaches"],
    response_model=BreachOut,
    responses=PROBLEMS,
)
def find_affected(breach_id: int, body: ScopeIn, service: Svc, actor: Actor) -> Any:
    """The patients whose records were disclosed within the scope, from the audit log (dpo)."""
    return rights.find_affected(
        service,
        actor,
        breach_id,
        actor=body.actor,
        via=body.via,
        facility=body.facility,
        since=body.since,
        until=body.until,
        records=body.records,
        at=body.at,
    )


@router.post(
    "/breaches/{breach_id}/board-notification",
    operation_id="breach_notify_board",
    tags=["breaches"],
    response_model=BreachOut,
    responses=PROBLEMS,
)
def notify_board(breach_id: int, body: NotifyIn, service: Svc, actor: Actor) -> Any:
    """The Board was notified; after 72 hours with the reason for the delay (dpo)."""
    return rights.notify_board(
        service, actor, breach_id, delay_reason=body.delay_reason, at=body.at
    )


@router.post(
    "/breaches/{breach_id}/patients-notified",
    operation_id="breach_patients_notified",
    tags=["breaches"],
    response_model=BreachOut,
    responses=PROBLEMS,
)
def patients_notified(breach_id: int, body: AtIn, service: Svc, actor: Actor) -> Any:
    return rights.patients_notified(service, actor, breach_id, at=body.at)


@router.post(
    "/breaches/{breach_id}/close",
    operation_id="breach_close",
    tags=["breaches"],
    response_model=BreachOut,
    responses=PROBLEMS,
)
def close_breach(breach_id: int, body: AtIn, service: Svc, actor: Actor) -> Any:
    return rights.close_breach(service, actor, breach_id, at=body.at)


@router.get(
    "/breaches/{breach_id}/board-draft",
    operation_id="breach_board_draft",
    tags=["breaches"],
    response_model=DraftOut,
    responses=PROBLEMS,
)
def board_draft(breach_id: int, service: Svc, actor: Actor, at: At = None) -> Any:
    """A draft of the Board's breach notification form (dpo)."""
    return rights.board_draft(service, actor, breach_id, at=at)


@router.get(
    "/breaches/{breach_id}/patient-notice/{patient}",
    operation_id="breach_patient_notice",
    tags=["breaches"],
    response_model=PatientNoticeOut,
    responses=PROBLEMS,
)
def patient_notice(breach_id: int, patient: str, service: Svc, actor: Actor) -> Any:
    """The notice to one affected patient, in Turkish and English (dpo)."""
    return rights.patient_notice(service, actor, breach_id, patient)
