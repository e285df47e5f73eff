"""The portal's routes (Jinja2, plain forms), mounted at / by entrypoints/api/app.py: login and
logout, the language switch, the home page, the static files; the patient's, the family's,
the physician's and the officers' pages are in patient.py, family.py, clinic.py and officers.py."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from mahrem.entrypoints.web import clinic, family, officers, patient, registry
from mahrem.entrypoints.web.i18n import LANGUAGES
from mahrem.entrypoints.web.pages import (
    LANG_COOKIE,
    PREFIX,
    SESSION_COOKIE,
    Form,
    Person,
    Visitor,
    client_of,
    redirect,
    render,
    safe_next,
    secured,
)
from mahrem.services import accounts

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).parent / "static"
STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}


@router.get("/")
def root() -> Response:
    return redirect(PREFIX + "/")


@router.get(PREFIX + "/static/{name}")
def static(name: str) -> Response:
    path = STATIC / name
    if "/" in name or name.startswith(".") or path.suffix not in STATIC_TYPES or not path.is_file():
        raise HTTPException(404)
    response = Response(path.read_bytes(), media_type=STATIC_TYPES[path.suffix])
    secured(response)
    response.headers["Cache-Control"] = "public, max-age=3600"  # no health data in these files
    del response.headers["Pragma"]
    return response


@router.get(PREFIX + "/lang/{lang}")
def switch_language(lang: str, next: str | None = None) -> Response:
    response = redirect(safe_next(next))
    if lang in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 86400, samesite="strict", httponly=True, path="/"
        )
    return response


@router.get(PREFIX + "/login")
def login_page(v: Visitor, next: str | None = None) -> Response:
    if v.session is not None:
        return redirect(safe_next(next))
    return render(v, "login.html", form={"next": safe_next(next)}, errors={})


@router.post(PREFIX + "/login")
def login(v: Visitor, form: Form, request: Request) -> Response:
    _ = v._
    values = {k: str(form.get(k, "")).strip() for k in ("login", "totp", "installation", "next")}
    errors: dict[str, str] = {}
    if not values["login"]:
        errors["login"] = _("Enter your TC kimlik no.")
    if not form.get("password"):
        errors["password"] = _("Enter your password.")
    if not errors:
        try:
            opened = accounts.login(
                v.m,
                values["login"],
                str(form["password"]),
                values["totp"] or None,
                client=client_of(request),
                installation=values["installation"] or None,
            )
        except accounts.AuthError as exc:
            errors["installation" if exc.field == "installation" else "form"] = exc.text(v.lang)
        else:
            response = redirect(safe_next(values["next"]))
            response.set_cookie(
                SESSION_COOKIE,
                opened.token,
                httponly=True,
                samesite="strict",
                secure=v.secure,
                path="/",
                max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
            )
            return response
    return render(v, "login.html", status=422 if errors else 200, form=values, errors=errors)


@router.post(PREFIX + "/logout")
def logout(v: Person, form: Form) -> Response:
    accounts.logout(v.m, v.token)
    response = redirect(PREFIX + "/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get(PREFIX + "/")
def home(v: Person) -> Response:
    return render(v, "home.html")


router.include_router(patient.router, prefix=PREFIX)
router.include_router(family.router, prefix=PREFIX)
router.include_router(clinic.router, prefix=PREFIX)
router.include_router(officers.router, prefix=PREFIX)
router.include_router(registry.router, prefix=PREFIX)
