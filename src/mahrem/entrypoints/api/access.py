"""HTTP routes: one-time codes (M6/5), and "could this person see that record then?" (explain).

Thin: everything is in the service layer (services/access/)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from mahrem.domain.clock import require_aware
from mahrem.entrypoints.api.deps import Lang, Svc, Who
from mahrem.entrypoints.api.problems import PROBLEMS
from mahrem.services import access, events

router = APIRouter()


class CodeIn(BaseModel):
    patient: str = Field(..., max_length=64)
    code: str | None = Field(
        None, max_length=16, description="The code the patient read out (entries only)"
    )


class OutcomeOut(BaseModel):
    result: Literal["accepted", "rejected"]
    basis: str | None
    reason: str | None


class ExplanationOut(BaseModel):
    at: datetime
    actor: str
    patient: str
    record: str | None
    action: str
    decision: Literal["permit", "deny"]
    basis: str
    reason: str
    capacity: str | None
    policy_version: int
    tried: list[str]
    facts: dict[str, Any]


@router.post(
    "/codes/requests",
    operation_id="request_code",
    tags=["codes"],
    response_model=OutcomeOut,
    responses=PROBLEMS,
)
def request_code(body: CodeIn, service: Svc, who: Who, lang: Lang) -> OutcomeOut:
    """M6/5: the acting physician asks for the patient's one-time code (sent to their phone)."""
    outcome = events.report_event(
        service,
        "software",
        who.person,
        {"type": "code_requested", "patient": body.patient},
        installation=who.installation,
    )
    return OutcomeOut(
        result=outcome.result,
        basis=outcome.basis,  # type: ignore[arg-type]
        reason=outcome.reason_en if lang == "en" else outcome.reason_tr,
    )


@router.post(
    "/codes/entries",
    operation_id="enter_code",
    tags=["codes"],
    response_model=OutcomeOut,
    responses=PROBLEMS,
)
def enter_code(body: CodeIn, service: Svc, who: Who, lang: Lang) -> OutcomeOut:
    """M6/5: the acting physician enters the code the patient read out."""
    outcome = events.report_event(
        service,
        "software",
        who.person,
        {"type": "code_entered", "patient": body.patient, "code": body.code},
        installation=who.installation,
    )
    return OutcomeOut(
        result=outcome.result,
        basis=outcome.basis,  # type: ignore[arg-type]
        reason=outcome.reason_en if lang == "en" else outcome.reason_tr,
    )


@router.get(
    "/decisions/explain",
    operation_id="explain",
    tags=["decisions"],
    response_model=ExplanationOut,
    responses=PROBLEMS,
)
def explain(
    service: Svc,
    who: Who,
    lang: Lang,
    actor: Annotated[str, Query(max_length=64, description="Whose access to explain")],
    patient: Annotated[str, Query(max_length=64)],
    record: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str, Query(max_length=32)] = "read",
    purpose: Annotated[str | None, Query(max_length=32)] = None,
    via: Annotated[
        str | None, Query(max_length=64, description="Installation the access came through")
    ] = None,
    at: Annotated[datetime | None, Query(description="ISO 8601 with offset; default now")] = None,
) -> ExplanationOut:
    """The decision for an actor, patient and record, with its basis, reason and the rules tried;
    with `at`, as it would have been then (the facts and policy version in force then). Asked by
    the actor, the patient or a data protection officer; a concealment is answered as an unknown
    patient unless the caller is a dpo or an officer named in the order."""
    when = require_aware(at, "at") if at is not None else None
    capacity = who.capacity if actor == who.person else None  # a key's staff member, as staff
    out = access.explain(
        service,
        who.person,
        actor,
        patient,
        record=record,
        action=action,
        via=via,
        purpose=purpose,
        capacity=capacity,
        at=when,
    )
    d = out.decision
    return ExplanationOut(
        at=out.at,
        actor=actor,
        patient=patient,
        record=record,
        action=action,
        decision=d.effect,
        basis=d.basis,
        reason=d.reason(lang),  # type: ignore[arg-type]
        capacity=d.capacity,
        policy_version=d.policy_version,
        tried=list(d.tried),
        facts=out.facts,
    )
