"""RFC 9457 problem details (application/problem+json) with Turkish and English messages."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from mahrem.domain.errors import (
    InputError,
    MahremError,
    NotFound,
    NotSupported,
    PreconditionFailed,
    Refused,
)
from mahrem.entrypoints.api.fhir_outcomes import is_fhir, outcome_response

PROBLEM = "application/problem+json"
TITLES = {
    400: ("Geçersiz istek", "Bad request"),
    401: ("Kimlik doğrulanamadı", "Not authenticated"),
    403: ("Yetkisiz", "Forbidden"),
    404: ("Bulunamadı", "Not found"),
    422: ("Geçersiz girdi", "Invalid input"),
    429: ("Çok fazla istek", "Too many requests"),
}


def answer(
    request: Request, status: int, code: str, detail: str, lang: str = "tr", **extra: Any
) -> JSONResponse:
    """The error as the door's clients read it: an OperationOutcome under /fhir, else a problem."""
    if is_fhir(request.url.path):
        return outcome_response(status, code, detail, **extra)
    return problem(status, code, detail, lang, **extra)


def problem(status: int, code: str, detail: str, lang: str = "tr", **extra: Any) -> JSONResponse:
    title_tr, title_en = TITLES.get(status, ("Hata", "Error"))
    body = {
        "type": f"https://mahrem.saglik.gov.tr/problems/{code}",
        "title": title_en if lang == "en" else title_tr,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _lang(request: Request) -> str:
    return "en" if request.headers.get("accept-language", "tr").lower().startswith("en") else "tr"


# An unknown patient is answered at once, a concealed one after its refusal was decided and
# audited; both answers are held until the same minimum time after arrival, so that timing
# tells no more than the body does (M12; SPEC rule 2). MAHREM_UNKNOWN_PAD_MS changes it.
UNKNOWN_PAD_SECONDS = float(os.environ.get("MAHREM_UNKNOWN_PAD_MS", "40")) / 1000
UNKNOWN_CODES = ("person.unknown", "record.unknown", "printout.unknown")


async def _pad(request: Request) -> None:
    started = getattr(request.state, "started", None)
    if started is not None:
        await asyncio.sleep(max(0.0, started + UNKNOWN_PAD_SECONDS - time.monotonic()))


async def mahrem_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MahremError)
    if exc.code in UNKNOWN_CODES:
        await _pad(request)
    from mahrem.domain.errors import Forbidden
    from mahrem.entrypoints.api.deps import SessionRequired, Unauthenticated

    status = (
        404
        if isinstance(exc, (NotFound, NotSupported))
        else 412
        if isinstance(exc, PreconditionFailed)
        else 422
        if isinstance(exc, InputError)
        else 401
        if isinstance(exc, Unauthenticated)
        else 403
        if isinstance(exc, (Forbidden, Refused, SessionRequired))
        else 400
    )
    extra = {"basis": exc.basis} if isinstance(exc, Refused) else {}
    response = answer(
        request, status, exc.code, exc.message, _lang(request), field=exc.field, **extra
    )
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="mahrem"'
    return response


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    # FHIR: a bad search or header parameter is 400, an unprocessable resource 422.
    in_body = any(e["loc"] and e["loc"][0] == "body" for e in exc.errors())
    status = 400 if is_fhir(request.url.path) and not in_body else 422
    return answer(request, status, "input.invalid", detail, _lang(request), errors=errors)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own errors (a body that is not JSON, an unknown path or method) as problems."""
    from starlette.exceptions import HTTPException

    assert isinstance(exc, HTTPException)
    code = {400: "request.malformed", 404: "path.unknown", 405: "method.not_allowed"}.get(
        exc.status_code, "http.error"
    )
    response = answer(request, exc.status_code, code, str(exc.detail), _lang(request))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    if exc.status_code == 405:
        response.headers["Allow"] = ", ".join(_allowed_methods(request))
    return response


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    from starlette.routing import Match

    scope = {**request.scope, "method": "GET"}
    methods: set[str] = set()
    for route in request.app.routes:
        match, _ = route.matches(scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


# The problem responses routes declare (400, 401 and 422 are added to every operation by
# `document_problems`).
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not authenticated (RFC 9457 problem)", "content": {PROBLEM: {}}},
    403: {
        "description": "Refused, with the article when the law refuses (RFC 9457 problem)",
        "content": {PROBLEM: {}},
    },
    404: {
        "description": "Unknown (RFC 9457 problem); a concealed patient answers the same (M12)",
        "content": {PROBLEM: {}},
    },
    422: {"description": "Invalid input (RFC 9457 problem)", "content": {PROBLEM: {}}},
}

STANDARD_PROBLEMS = {
    "400": "Malformed request (RFC 9457 problem)",
    "401": "Not authenticated (RFC 9457 problem)",
    "422": "Invalid input (RFC 9457 problem)",
    "429": "Too many requests from this credential: wait Retry-After seconds (RFC 9457 problem)",
}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Every operation may answer 400 (a body that is not JSON), 401 and 422 as problem+json;
    say so in the document instead of on every route."""
    problem_body = {"content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = {
        "type": "object",
        "title": "Problem",
        "description": "RFC 9457 problem details",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "code": {"type": "string"},
            "field": {"type": ["string", "null"]},
            "basis": {"type": "string"},
        },
        "required": ["type", "title", "status", "detail", "code"],
    }
    schema["components"]["schemas"]["OperationOutcome"] = {
        "type": "object",
        "title": "OperationOutcome",
        "description": "FHIR R4 OperationOutcome: the problem code and article in issue.details",
        "properties": {
            "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
            "issue": {"type": "array", "items": {"type": "object"}},
        },
        "required": ["resourceType", "issue"],
    }
    outcome = {"schema": {"$ref": "#/components/schemas/OperationOutcome"}}
    for name, path in schema.get("paths", {}).items():
        if is_fhir(name):  # FHIR clients read OperationOutcomes (fhir_outcomes.py)
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                for status in ("400", "401", "403", "404", "412", "422", "429"):
                    described = responses.get(status, {}).get("description")
                    responses[status] = {
                        "description": (described or "An error").replace(
                            "RFC 9457 problem", "FHIR OperationOutcome"
                        ),
                        "content": {"application/fhir+json": outcome},
                    }
            continue
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for status, description in STANDARD_PROBLEMS.items():
                responses.setdefault(status, {"description": description, **problem_body})
            for status, response in responses.items():
                if status.startswith(("4", "5")) and PROBLEM in response.get("content", {}):
                    response["content"][PROBLEM] = {
                        "schema": {"$ref": "#/components/schemas/Problem"}
                    }
                if status == "422":
                    response["content"] = {
                        PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}
                    }
    return schema
