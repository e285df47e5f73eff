"""RFC 9457 problem details (application/problem+json) with Turkish and English messages."""
from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from mahrem.domain.errors import InputError, MahremError, NotFound, Refused

PROBLEM = "application/problem+json"
TITLES = {
    400: ("Geçersiz istek", "Bad request"),
    401: ("Kimlik doğrulanamadı", "Not authenticated"),
    403: ("Yetkisiz", "Forbidden"),
    404: ("Bulunamadı", "Not found"),
    422: ("Geçersiz girdi", "Invalid input"),
}


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


async def mahrem_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MahremError)
    from mahrem.services.transparency import Forbidden

    from mahrem.entrypoints.api.deps import Unauthenticated

    status = (404 if isinstance(exc, NotFound) else 422 if isinstance(exc, InputError)
              else 401 if isinstance(exc, Unauthenticated)
              else 403 if isinstance(exc, (Forbidden, Refused)) else 400)
    extra = {"basis": exc.basis} if isinstance(exc, Refused) else {}
    response = problem(status, exc.code, exc.message, _lang(request), field=exc.field, **extra)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="mahrem"'
    return response


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(422, "input.invalid", detail, _lang(request), errors=errors)
