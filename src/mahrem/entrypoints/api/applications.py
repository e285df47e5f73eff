"""HTTP routes: transfers (M15), data subject applications and information notices (KVKK 11,
13; M5/6-8), breaches (M18/2).

Thin: each route builds its input and calls the service layer (see entrypoints/api/deps.py).
Every list is paginated with `limit` and `offset`; `at` (ISO 8601 with an offset) replaces the
clock where a deadline is involved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from mahrem.entrypoints.api.deps import Actor, Lang, Limit, Offset, Svc
from mahrem.entrypoints.api.problems import PROBLEMS
from mahrem.services import rights as apps
from mahrem.services import rights as breaches
from mahrem.services import transfers

router = APIRouter()
At = Annotated[datetime | None, Query(description="ISO 8601 with offset; default now")]


# -- transfers (M15) ------------------------------------------------------------------------------
class RecipientIn(BaseModel):
    kind: Literal["public", "public_institution", "private", "foreign"]
    name: str = Field(..., description="The recipient institution or company")
    protocol: str | None = Field(None, description="Public institutions: the protocol (M15/2)")
    country: str | None = Field(None, description="Foreign recipients: ISO 3166 country code")
    public_key: str | None = Field(
        None, description="X25519 public key (PEM or base64 of 32 bytes)"
    )


class TransferIn(BaseModel):
    transfer_id: str | None = Field(
        None, description="Run an interrupted transfer again with its id"
    )
    patients: list[str] = Field(default_factory=list)
    records: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list, description="Only these categories")
    recipient: RecipientIn
    at: datetime | None = None


class TransferOut(BaseModel):
    id: str
    status: str
    created_at: str
    recipient: dict[str, Any]
    total: int
    done: int
    manifest: dict[str, Any] | None
    package: str | None = Field(
        None, description="The encrypted Bundle, base64 (nonce ‖ AES-256-GCM)"
    )
    key_wrap: dict[str, Any] | None
    refused: list[dict[str, Any]]


class TransferPage(BaseModel):
    items: list[dict[str, Any]]
    limit: int
    offset: int


@router.post(
    "/transfers",
    operation_id="transfer_create",
    tags=["transfers"],
    response_model=TransferOut,
    responses=PROBLEMS,
)
def create_transfer(body: TransferIn, service: Svc, actor: Actor) -> Any:
    """M15 — decide every record for the recipient and package the permitted ones (dpo)."""
    selection = transfers.Selection(
        tuple(body.patients), tuple(body.records), tuple(body.categories)
    )
    made = transfers.transfer(
        service,
        actor,
        selection,
        body.recipient.model_dump(),
        transfer_id=body.transfer_id,
        at=body.at,
    )
    return made.to_json()


@router.get(
    "/transfers",
    operation_id="transfer_list",
    tags=["transfers"],
    response_model=TransferPage,
    responses=PROBLEMS,
)
def list_transfers(service: Svc, actor: Actor, limit: Limit = 100, offset: Offset = 0) -> Any:
    """Every transfer, newest first (dpo)."""
    return {
        "items": transfers.list_transfers(service, actor, limit, offset),
        "limit": limit,
        "offset": offset,
    }


@router.get(
    "/transfers/{transfer_id}",
    operation_id="transfer_get",
    tags=["transfers"],
    response_model=TransferOut,
    responses=PROBLEMS,
)
def get_transfer(transfer_id: str, service: Svc, actor: Actor) -> Any:
    """One transfer with its manifest, package and refused records (dpo)."""
    return transfers.get_transfer(service, actor, transfer_id).to_json()


# -- applications (KVKK 11, 13) ----------------------------------------------------------------------
class ApplicationIn(BaseModel):
    kind: str = Field(..., description=", ".join(apps.KINDS))
    subject: str = Field(..., description="What is asked for")
    record: str | None = Field(None, description="The record concerned (corrections)")
    at: datetime | None = None


class StatusOut(BaseModel):
    status: str
    at: str
    by: str
    note: str | None


class ApplicationOut(BaseModel):
    id: int
    patient: str
    kind: str
    article: str
    kind_text: str
    subject: str
    record: str | None
    received_at: str
    due_date: str
    status: str
    status_text: str
    status_at: str
    answered_by: str | None
    answered_at: str | None
    answer: str | None
    reason: str | None
    outcome: dict[str, Any] | None
    overdue: bool
    late: bool
    days_left: int | None
    history: list[StatusOut]


class ApplicationPage(BaseModel):
    items: list[ApplicationOut]
    limit: int
    offset: int


class AtIn(BaseModel):
    at: datetime | None = None


class AnswerIn(BaseModel):
    status: Literal["answered", "granted", "rejected"]
    answer: str | None = None
    reason: str | None = Field(None, description="Required when rejected (KVKK 13/3)")
    method: Literal["delete", "destroy", "anonymise"] = Field(
        "delete", description="Deletion applications"
    )
    at: datetime | None = None


@router.post(
    "/applications",
    operation_id="application_file",
    tags=["applications"],
    response_model=ApplicationOut,
    status_code=201,
    responses=PROBLEMS,
)
def file_application(body: ApplicationIn, service: Svc, actor: Actor, lang: Lang) -> Any:
    """KVKK 11 — the acting patient applies to the data controller (answer due in 30 days)."""
    return apps.file_application(
        service, actor, body.kind, body.subject, record=body.record, at=body.at, lang=lang
    )


@router.get(
    "/applications",
    operation_id="application_list",
    tags=["applications"],
    response_model=ApplicationPage,
    responses=PROBLEMS,
)
def list_applications(
    service: Svc,
    actor: Actor,
    lang: Lang,
    status: str | None = None,
    overdue: bool | None = None,
    patient: str | None = None,
    at: At = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    """A patient's own applications; every application for the dpo or GM (`overdue=true`: past due)."""
    items = apps.list_applications(
        service,
        actor,
        patient=patient,
        status=status,
        overdue=overdue,
        limit=limit,
        offset=offset,
        at=at,
        lang=lang,
    )
    return {"items": items, "limit": limit, "offset": offset}


@router.get(
    "/applications/{app_id}",
    operation_id="application_get",
    tags=["applications"],
    response_model=ApplicationOut,
    responses=PROBLEMS,
)
def get_application(app_id: int, service: Svc, actor: Actor, lang: Lang, at: At = None) -> Any:
    """One application with its status history (its applicant, the dpo or GM)."""
    return apps.get_application(service, actor, app_id, at=at, lang=lang)


@router.post(
    "/applications/{app_id}/review",
    operation_id="application_review",
    tags=["applications"],
    response_model=ApplicationOut,
    responses=PROBLEMS,
)
def review_application(app_id: int, body: AtIn, service: Svc, actor: Actor) -> Any:
    """received → in review (dpo or GM)."""
    return apps.start_review(service, actor, app_id, at=body.at)


@router.post(
    "/applications/{app_id}/answer",
    operation_id="application_answer",
    tags=["applications"],
    response_model=ApplicationOut,
    responses=PROBLEMS,
)
def answer_application(app_id: int, body: AnswerIn, service: Svc, actor: Actor) -> Any:
    """KVKK 13/2-3 — answer, grant or reject with a reason (dpo or GM)."""
    return apps.answer_application(
        service,
        actor,
        app_id,
        body.status,
        answer=body.answer,
        reason=body.reason,
        method=body.method,
        at=body.at,
    )


@router.get(
    "/applications/{app_id}/my-data",
    operation_id="application_my_data",
    tags=["applications"],
    responses={
        200: {"description": "A FHIR R4 Bundle", "content": {"application/fhir+json": {}}},
        **PROBLEMS,
    },
)
def my_data(app_id: int, service: Svc, actor: Actor, at: At = None) -> Response:
    """KVKK 11/1-a/b — the applicant's records as a FHIR Bundle (the applicant only)."""
    import json

    bundle = apps.my_data(service, actor, app_id, at=at)
    return Response(
        json.dumps(bundle, ensure_ascii=False),
        media_type="application/fhir+json",
        headers={"Cache-Control": "no-store"},
    )


@router.get(
    "/applications/{app_id}/my-data.pdf",
    operation_id="application_my_data_pdf",
    tags=["applications"],
    response_class=Response,
    responses={
        200: {"description": "The summary (Turkish)", "content": {"application/pdf": {}}},
        **PROBLEMS,
    },
)
def my_data_pdf(app_id: int, service: Svc, actor: Actor, at: At = None) -> Response:
    """KVKK 11/1-a/b/ç — a readable PDF summary of the applicant's data (the applicant only)."""
    from mahrem.bootstrap import render_summary

    pdf = apps.my_data_pdf(service, actor, app_id, render_summary, at=at)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="verilerim-{app_id}.pdf"',
            "Cache-Control": "no-store",
        },
    )


# -- information notices (M5/8) ---------------------------------------------------------------------
class NoticeIn(BaseModel):
    title_tr: str
    title_en: str
    body_tr: str
    body_en: str
    at: datetime | None = None


class NoticeOut(BaseModel):
    version: int
    published_at: str
    published_by: str
    title_tr: str
    title_en: str
    body_tr: str
    body_en: str


class NoticePage(BaseModel):
    items: list[NoticeOut]
    limit: int
    offset: int


class SeenOut(BaseModel):
    patient: str
    version: int
    seen_at: str


class SeenPage(BaseModel):
    items: list[SeenOut]
    limit: int
    offset: int


@router.get("/notices", operation_id="notice_list", tags=["notices"], response_model=NoticePage)
def list_notices(service: Svc, limit: Limit = 100, offset: Offset = 0) -> Any:
    """Every version of the information notice, newest first (public)."""
    return {"items": apps.list_notices(service, limit, offset), "limit": limit, "offset": offset}


@router.post(
    "/notices",
    operation_id="notice_publish",
    tags=["notices"],
    response_model=NoticeOut,
    status_code=201,
    responses=PROBLEMS,
)
def publish_notice(body: NoticeIn, service: Svc, actor: Actor) -> Any:
    """A new version of the information notice (dpo or GM)."""
    return apps.publish_notice(
        service,
        actor,
        title_tr=body.title_tr,
        title_en=body.title_en,
        body_tr=body.body_tr,
        body_en=body.body_en,
        at=body.at,
    )


@router.get(
    "/notices/current",
    operation_id="notice_current",
    tags=["notices"],
    response_model=NoticeOut,
    responses=PROBLEMS,
)
def current_notice(service: Svc, at: At = None) -> Any:
    """The version in force (public)."""
    return apps.get_notice(service, at=at)


@router.get(
    "/notices/views",
    operation_id="notice_views",
    tags=["notices"],
    response_model=SeenPage,
    responses=PROBLEMS,
)
def notice_views(
    service: Svc,
    actor: Actor,
    patient: str | None = None,
    version: int | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    """Which version each patient saw and when (a patient: their own; dpo or GM: all)."""
    items = apps.notice_views(
        service, actor, patient=patient, version=version, limit=limit, offset=offset
    )
    return {"items": items, "limit": limit, "offset": offset}


@router.get(
    "/notices/{version}",
    operation_id="notice_get",
    tags=["notices"],
    response_model=NoticeOut,
    responses=PROBLEMS,
)
def get_notice(version: int, service: Svc) -> Any:
    return apps.get_notice(service, version)


@router.post(
    "/notices/{version}/seen",
    operation_id="notice_seen",
    tags=["notices"],
    response_model=SeenOut,
    responses=PROBLEMS,
)
def notice_seen(version: int, body: AtIn, service: Svc, actor: Actor) -> Any:
    """The acting patient was shown this version (the first time is kept)."""
    return apps.record_notice_seen(service, actor, version, at=body.at)


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
    return breaches.record_breach(
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
    items = breaches.list_breaches(
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
    return breaches.get_breach(service, actor, breach_id, at=at)


@router.post(
    "/breaches/{breach_id}/measures",
    operation_id="breach_add_measure",
    tags=["breaches"],
    response_model=BreachOut,
    responses=PROBLEMS,
)
def add_measure(breach_id: int, body: MeasureIn, service: Svc, actor: Actor) -> Any:
    return breaches.add_measure(service, actor, breach_id, body.text, at=body.at)


@router.post(
    "/breaches/{breach_id}/affected",
    operation_id="breach_find_affected",
    tags=["breaches"],
    response_model=BreachOut,
    responses=PROBLEMS,
)
def find_affected(breach_id: int, body: ScopeIn, service: Svc, actor: Actor) -> Any:
    """The patients whose records were disclosed within the scope, from the audit log (dpo)."""
    return breaches.find_affected(
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
    return breaches.notify_board(
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
    return breaches.patients_notified(service, actor, breach_id, at=body.at)


@router.post(
    "/breaches/{breach_id}/close",
    operation_id="breach_close",
    tags=["breaches"],
    response_model=BreachOut,
    responses=PROBLEMS,
)
def close_breach(breach_id: int, body: AtIn, service: Svc, actor: Actor) -> Any:
    return breaches.close_breach(service, actor, breach_id, at=body.at)


@router.get(
    "/breaches/{breach_id}/board-draft",
    operation_id="breach_board_draft",
    tags=["breaches"],
    response_model=DraftOut,
    responses=PROBLEMS,
)
def board_draft(breach_id: int, service: Svc, actor: Actor, at: At = None) -> Any:
    """A draft of the Board's breach notification form (dpo)."""
    return breaches.board_draft(service, actor, breach_id, at=at)


@router.get(
    "/breaches/{breach_id}/patient-notice/{patient}",
    operation_id="breach_patient_notice",
    tags=["breaches"],
    response_model=PatientNoticeOut,
    responses=PROBLEMS,
)
def patient_notice(breach_id: int, patient: str, service: Svc, actor: Actor) -> Any:
    """The notice to one affected patient, in Turkish and English (dpo)."""
    return breaches.patient_notice(service, actor, breach_id, patient)
