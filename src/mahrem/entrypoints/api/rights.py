"""HTTP routes of the data subject's rights: applications under KVKK 11 and 13 (M5/6-7) with
their answers and the my-data summary, and the information notices (M5/8). Thin: each route
calls services.rights; `at` (ISO 8601 with an offset) replaces the clock for deadlines."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from mahrem.entrypoints.api.deps import Actor, Lang, Limit, Offset, Svc
from mahrem.entrypoints.api.problems import PROBLEMS
from mahrem.services import rights

router = APIRouter()
At = Annotated[datetime | None, Query(description="ISO 8601 with offset; default now")]


# -- applications (KVKK 11, 13) --------------------------------------------------------------------
class ApplicationIn(BaseModel):
    kind: str = Field(..., description=", ".join(rights.KINDS))
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
    return rights.file_application(
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
    """A patient's own applications; every one for the dpo or GM (`overdue=true`: past due)."""
    items = rights.list_applications(
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
    return rights.get_application(service, actor, app_id, at=at, lang=lang)


@router.post(
    "/applications/{app_id}/review",
    operation_id="application_review",
    tags=["applications"],
    response_model=ApplicationOut,
    responses=PROBLEMS,
)
def review_application(app_id: int, body: AtIn, service: Svc, actor: Actor) -> Any:
    """received → in review (dpo or GM)."""
    return rights.start_review(service, actor, app_id, at=body.at)


@router.post(
    "/applications/{app_id}/answer",
    operation_id="application_answer",
    tags=["applications"],
    response_model=ApplicationOut,
    responses=PROBLEMS,
)
def answer_application(app_id: int, body: AnswerIn, service: Svc, actor: Actor) -> Any:
    """KVKK 13/2-3 — answer, grant or reject with a reason (dpo or GM)."""
    return rights.answer_application(
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

    bundle = rights.my_data(service, actor, app_id, at=at)
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

    pdf = rights.my_data_pdf(service, actor, app_id, render_summary, at=at)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="verilerim-{app_id}.pdf"',
            "Cache-Control": "no-store",
        },
    )


# -- information notices (M5/8) --------------------------------------------------------------------
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
    return {"items": rights.list_notices(service, limit, offset), "limit": limit, "offset": offset}


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
    return rights.publish_notice(
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
    return rights.get_notice(service, at=at)


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
    items = rights.notice_views(
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
    return rights.get_notice(service, version)


@router.post(
    "/notices/{version}/seen",
    operation_id="notice_seen",
    tags=["notices"],
    response_model=SeenOut,
    responses=PROBLEMS,
)
def notice_seen(version: int, body: AtIn, service: Svc, actor: Actor) -> Any:
    """The acting patient was shown this version (the first time is kept)."""
    return rights.record_notice_seen(service, actor, version, at=body.at)
