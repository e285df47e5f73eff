"""People's side of the API: log in and out, who am I, one-time codes (M6/5), and "could this
person see that record then?" (explain). Thin: everything is in the service layer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from mahrem.domain.clock import require_aware
from mahrem.entrypoints.api.deps import Lang, Svc, Who
from mahrem.entrypoints.api.problems import PROBLEMS
from mahrem.services import access, accounts, events

router = APIRouter()


class LoginIn(BaseModel):
    login: str = Field(..., description="TC kimlik no (or Mahrem person id)", max_length=64)
    password: str = Field(..., max_length=256)
    totp: str | None = Field(
        None, description="Six-digit code; required of staff and officers", max_length=12
    )
    installation: str | None = Field(
        None, description="Staff: the installation of your facility", max_length=64
    )


class SessionOut(BaseModel):
    token: str = Field(..., description="Send as Authorization: Bearer <token>; shown once")
    person: str
    installation: str | None
    expires_at: datetime


class MeOut(BaseModel):
    person: str
    name: str
    installation: str | None


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
    "/auth/login",
    operation_id="login",
    tags=["auth"],
    response_model=SessionOut,
    responses=PROBLEMS,
)
def login(body: LoginIn, request: Request, service: Svc) -> SessionOut:
    """Open a session (argon2 password; TOTP for staff and officers; rate limited)."""
    from mahrem.services import accounts

    client = request.client.host if request.client else "unknown"
    session = accounts.login(
        service, body.login, body.password, body.totp, client=client, installation=body.installation
    )
    return SessionOut(
        token=session.token,
        person=session.person,
        installation=session.installation,
        expires_at=session.expires_at,
    )


@router.post(
    "/auth/logout", operation_id="logout", tags=["auth"], status_code=204, responses=PROBLEMS
)
def logout(request: Request, service: Svc, who: Who) -> None:
    """End the session whose token authenticated this call."""
    from mahrem.services import accounts

    token = request.headers.get("authorization", "").partition(" ")[2].strip()
    accounts.logout(service, token)


@router.get("/me", operation_id="me", tags=["auth"], response_model=MeOut, responses=PROBLEMS)
def me(service: Svc, who: Who) -> MeOut:
    """Who the credentials name."""
    return MeOut(
        person=who.person,
        name=accounts.person_name(service, who.person),
        installation=who.installation,
    )


@router.post(
    "/codes/requests",
    operation_id="request_code",
    tags=["codes"],
    response_model=OutcomeOut,
    responses=PROBLEMS,
)
def request_code(body: CodeIn, service: Svc, who: Who, lang: Lang) -> OutcomeOut:
    """M6/5: the acting physician asks for the patient's one-time code (sent to the patient's phone)."""
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
