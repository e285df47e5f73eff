"""The HTTP API (FastAPI). Thin: each route builds the input and calls the service layer."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from mahrem.domain.errors import Forbidden, MahremError
from mahrem.entrypoints.api import access as access_routes
from mahrem.entrypoints.api import accounts as accounts_routes
from mahrem.entrypoints.api import audit as audit_routes
from mahrem.entrypoints.api import breaches as breaches_routes
from mahrem.entrypoints.api import categories as categories_routes
from mahrem.entrypoints.api import central as central_routes
from mahrem.entrypoints.api import corrections as corrections_routes
from mahrem.entrypoints.api import fhir as fhir_routes
from mahrem.entrypoints.api import kts as kts_routes
from mahrem.entrypoints.api import lifecycle as lifecycle_routes
from mahrem.entrypoints.api import policy as policy_routes
from mahrem.entrypoints.api import research as research_routes
from mahrem.entrypoints.api import rights as rights_routes
from mahrem.entrypoints.api import smart as smart_routes
from mahrem.entrypoints.api import transfers as transfers_routes
from mahrem.entrypoints.api.deps import Lang, Svc, Who, own_session
from mahrem.entrypoints.api.guard import targets_known
from mahrem.entrypoints.api.problems import (
    PROBLEMS,
    document_problems,
    http_error,
    mahrem_error,
    validation_error,
)
from mahrem.entrypoints.api.throttle import Throttle, limit_from_environment, throttling
from mahrem.entrypoints.web import portal
from mahrem.services import access, audit, events
from mahrem.services.lookup import unknown
from mahrem.services.ports import Mahrem


class DecideIn(BaseModel):
    request: dict[str, Any] = Field(
        ...,
        description="action, patient, record, purpose, as, recipient (the actor "
        "and the installation are the caller's)",
    )


class DecisionOut(BaseModel):
    decision: Literal["permit", "deny"]
    basis: str
    reason: str
    capacity: str | None
    policy_version: int


class EventIn(BaseModel):
    event: dict[str, Any] = Field(
        ...,
        description="The event (see the scenario vocabulary); the fields naming "
        "the caller are set from the authentication",
    )


class EventOut(BaseModel):
    result: Literal["accepted", "rejected"]
    basis: str | None
    reason: str | None


def create_app(
    service: Mahrem | None = None, seal_every: float | None = None, rate_limit: int | None = None
) -> FastAPI:
    """The API over `service` (by default one built from the environment). With `seal_every`
    (seconds; MAHREM_SEAL_EVERY when built from the environment, default 300) the audit log is
    sealed into a signed checkpoint that often while the server runs. `rate_limit` is how many
    requests a credential may send a minute (MAHREM_RATE_LIMIT, throttle.py)."""
    if service is None:
        import os

        from mahrem.bootstrap import build

        service = build()
        seal_every = float(os.environ.get("MAHREM_SEAL_EVERY", "300"))
    # Every route first answers what the request names that the caller may not know of (issue 14).
    api = FastAPI(
        title="Mahrem",
        version="0.1.0",
        lifespan=_sealing(service, seal_every),
        dependencies=[Depends(targets_known)],
        description=(
            "Kişisel sağlık verisine erişim kararları "
            "(Kişisel Sağlık Verileri Hakkında Yönetmelik, KTS)."
        ),
    )
    api.add_exception_handler(MahremError, mahrem_error)
    api.add_exception_handler(RequestValidationError, validation_error)
    api.add_exception_handler(StarletteHTTPException, http_error)
    _document_problems(api)

    api.state.service = service
    limit = limit_from_environment() if rate_limit is None else rate_limit
    api.middleware("http")(throttling(Throttle(limit)))
    api.middleware("http")(_no_store)
    for routes in (
        smart_routes,  # first: /fhir/.well-known/… is not a FHIR read
        fhir_routes,
        accounts_routes,
        audit_routes,
        access_routes,
        central_routes,
        kts_routes,
        corrections_routes,
        lifecycle_routes,
        transfers_routes,
        rights_routes,
        breaches_routes,
        research_routes,
        categories_routes,
        policy_routes,
    ):
        api.include_router(routes.router)
    api.include_router(portal.router)

    @api.get("/health", operation_id="health", tags=["system"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @api.post(
        "/decide",
        operation_id="decide",
        tags=["decisions"],
        response_model=DecisionOut,
        responses=PROBLEMS,
    )
    def decide(body: DecideIn, service: Svc, who: Who, lang: Lang) -> DecisionOut:
        """Decide one access request by the caller (through the caller's installation); audited.
        A concealed patient is answered exactly as an unknown one (SPEC rule 2)."""
        if body.request.get("actor", who.person) != who.person:
            raise Forbidden(
                "decide.not_yours", "the actor of a request is the authenticated caller"
            )
        request = {**body.request, "actor": who.person}
        if who.capacity is not None:  # an installation key acts only as staff (issue 14)
            if request.get("as", who.capacity) != who.capacity:
                raise Forbidden(
                    "decide.key_staff_only", "an installation key acts only in the staff capacity"
                )
            request["as"] = who.capacity
        if who.installation is not None:
            request["via"] = who.installation
        if who.purpose and "purpose" not in request:
            request["purpose"] = who.purpose
        req, d = access.decide_json(service, request, key=who.key)
        if d.basis == "12/1" and not d.permitted:
            # SPEC rule 2: at the API a concealed patient looks exactly like an unknown one;
            # the audit log still holds the deny 12/1.
            raise unknown("person", req.patient, "request.patient")
        return DecisionOut(
            decision=d.effect,
            basis=d.basis,
            reason=d.reason(lang),
            capacity=d.capacity,
            policy_version=d.policy_version,
        )

    def _event_route(path: str, door: str, summary: str) -> None:
        @api.post(
            path,
            operation_id=f"report_event_{door}",
            tags=["events"],
            response_model=EventOut,
            responses=PROBLEMS,
            summary=summary,
        )
        def report(
            body: EventIn,
            service: Svc,
            who: Who,
            lang: Lang,
            idempotency_key: Annotated[
                str | None,
                Header(max_length=128, description="Resent with the same key: applied once"),
            ] = None,
        ) -> EventOut:
            if door != "software":  # a person's or an officer's own act: never through a key
                own_session(who)
            outcome = events.report_event_once(
                service,
                door,
                who.person,
                body.event,
                idempotency_key=idempotency_key,
                installation=who.installation,
                key=who.key,
            )
            return EventOut(
                result=outcome.result,
                basis=outcome.basis,  # type: ignore[arg-type]
                reason=outcome.reason_en if lang == "en" else outcome.reason_tr,
            )

    _event_route(
        "/me/events",
        "person",
        "A person's own preference or consent (hide, lock, restrict parents…)",
    )
    _event_route(
        "/sbys/events", "software", "Hospital software reports an episode, a code or a death"
    )
    _event_route(
        "/officer/events", "officer", "An officer issues an order, opinion or authorisation"
    )

    return api


def _document_problems(api: FastAPI) -> None:
    original = api.openapi

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            api.openapi_schema = document_problems(original())
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]


async def _no_store(request: Any, call_next: Any) -> Any:
    """Responses may carry health data: no cache anywhere keeps them (issue 3, side doors).
    Also notes when the request arrived, for the unknown-answer padding (problems.py)."""
    import time

    request.state.started = time.monotonic()
    response = await call_next(request)
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def _sealing(service: Mahrem, every: float | None):  # type: ignore[no-untyped-def]
    """Lifespan: a background task that seals the audit log periodically."""
    import asyncio
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        task = None
        if every:

            async def loop() -> None:
                while True:
                    await asyncio.sleep(every)
                    await asyncio.to_thread(audit.seal, service)

            task = asyncio.create_task(loop())
        yield
        if task is not None:
            task.cancel()

    return lifespan
