"""The HTTP API (FastAPI). Thin: each route builds the input and calls the service layer."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from mahrem.domain.errors import MahremError
from mahrem.entrypoints.api.problems import PROBLEM, mahrem_error, validation_error
from mahrem.services.app import Mahrem

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {"description": "Invalid input (RFC 9457 problem)", "content": {PROBLEM: {}}},
    404: {"description": "Unknown id (RFC 9457 problem)", "content": {PROBLEM: {}}},
}


class DecideIn(BaseModel):
    at: datetime | None = Field(None, description="ISO 8601 with offset; default now")
    request: dict[str, Any] = Field(..., description="actor, action, patient, record, purpose, via, as, recipient")


class DecisionOut(BaseModel):
    decision: Literal["permit", "deny"]
    basis: str
    reason: str
    capacity: str | None
    policy_version: int


class EventIn(BaseModel):
    at: datetime | None = None
    event: dict[str, Any]


class EventOut(BaseModel):
    result: Literal["accepted", "rejected"]
    basis: str | None
    reason: str | None


def get_service(request: Request) -> Mahrem:
    """The service layer this app was built over."""
    service: Mahrem = request.app.state.service
    return service


Svc = Annotated[Mahrem, Depends(get_service)]
Lang = Annotated[str, Header(alias="accept-language")]


def create_app(service: Mahrem | None = None) -> FastAPI:
    """The API over `service` (by default one built from the environment)."""
    if service is None:
        from mahrem.bootstrap import build

        service = build()
    api = FastAPI(title="Mahrem", version="0.1.0",
                  description="Kişisel sağlık verisine erişim kararları (Kişisel Sağlık Verileri Hakkında Yönetmelik, KTS).")
    api.add_exception_handler(MahremError, mahrem_error)
    api.add_exception_handler(RequestValidationError, validation_error)

    api.state.service = service

    @api.get("/health", operation_id="health", tags=["system"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @api.post("/decide", operation_id="decide", tags=["decisions"], response_model=DecisionOut,
              responses=PROBLEM_RESPONSES)
    def decide(body: DecideIn, service: Svc, accept_language: Lang = "tr") -> DecisionOut:
        """Decide one access request; the decision is audited."""
        _, d = service.decide(body.request, body.at)
        lang = "en" if accept_language.lower().startswith("en") else "tr"
        return DecisionOut(decision=d.effect, basis=d.basis, reason=d.reason(lang), capacity=d.capacity,
                           policy_version=d.policy_version)

    @api.post("/events", operation_id="apply_event", tags=["events"], response_model=EventOut,
              responses=PROBLEM_RESPONSES)
    def apply_event(body: EventIn, service: Svc, accept_language: Lang = "tr") -> EventOut:
        """Record one event (check-in, preference, order…); refusals carry their article."""
        outcome = service.apply_event(body.event, body.at)
        en = accept_language.lower().startswith("en")
        return EventOut(result=outcome.result, basis=outcome.basis,  # type: ignore[arg-type]
                        reason=outcome.reason_en if en else outcome.reason_tr)

    return api
