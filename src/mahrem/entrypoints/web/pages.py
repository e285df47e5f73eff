"""What every portal page shares: the templates, the language, the person's session (cookie),
CSRF tokens, the security headers, and the guards that send a visitor to the login page."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from mahrem.domain.clock import ISTANBUL
from mahrem.entrypoints.web.fhir_view import WORDS
from mahrem.entrypoints.web.i18n import DEFAULT_LANGUAGE, LANGUAGES, gettext
from mahrem.services import accounts, events
from mahrem.services.ports import Mahrem

PREFIX = "/portal"
SESSION_COOKIE = "mahrem_session"
PRE_COOKIE = "mahrem_pre"
LANG_COOKIE = "mahrem_lang"
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html", "svg"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

# No inline scripts or styles anywhere: the portal's CSS and JS are files it serves itself.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    # Every page may carry health data: never cached, by the browser or anyone between.
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
}


def service(request: Request) -> Mahrem:
    svc: Mahrem = request.app.state.service
    return svc


def language(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@dataclass
class Visit:
    """One request to the portal: the service, language, and the person logged in (if any)."""

    request: Request
    m: Mahrem
    lang: str
    session: accounts.Session | None
    token: str
    now: datetime
    pre: str = ""
    pre_is_new: bool = False
    me: accounts.Profile | None = None

    @property
    def _(self) -> Any:
        return gettext(self.lang)

    @property
    def csrf(self) -> str:
        if self.session is not None:
            return self.m.keys.hmac("portal-csrf", "session:" + self.token)
        return self.m.keys.hmac("portal-csrf", "pre:" + self.pre)

    @property
    def secure(self) -> bool:
        return self.request.url.scheme == "https"


def visit(request: Request) -> Visit:
    m = service(request)
    now = m.clock()
    token = request.cookies.get(SESSION_COOKIE, "")
    session = accounts.session(m, token, now) if token else None
    pre = request.cookies.get(PRE_COOKIE, "")
    v = Visit(
        request,
        m,
        language(request),
        session,
        token if session else "",
        now,
        pre or secrets.token_urlsafe(24),
        not pre,
    )
    if session is not None:
        v.me = accounts.whoami(m, session.person, now)
    return v


def signed_in(request: Request) -> Visit:
    """A visit by someone logged in; anyone else goes to the login page (and comes back)."""
    v = visit(request)
    if v.session is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(
            303, headers={"Location": f"{PREFIX}/login?next={quote(target)}", **SECURITY_HEADERS}
        )
    return v


Visitor = Annotated[Visit, Depends(visit)]
Person = Annotated[Visit, Depends(signed_in)]


async def form_of(request: Request) -> dict[str, Any]:
    """The posted form, after the CSRF check: same origin, and the token of this session (or of
    the login page's pre-session cookie). Repeated fields (checkboxes) come as lists."""
    origin = request.headers.get("origin")
    if origin and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise HTTPException(403, "cross-origin form refused", headers=SECURITY_HEADERS)
    data = await request.form()
    form: dict[str, Any] = {}
    for key in data:
        values = [v for v in data.getlist(key) if isinstance(v, str)]
        form[key] = (
            values if len(values) > 1 or key.endswith("[]") else (values[0] if values else "")
        )
    m = service(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    expected = [m.keys.hmac("portal-csrf", "pre:" + request.cookies.get(PRE_COOKIE, ""))]
    if token:
        expected.append(m.keys.hmac("portal-csrf", "session:" + token))
    given = str(form.get("csrf", ""))
    if not any(hmac.compare_digest(given, e) for e in expected):
        raise HTTPException(403, "form expired: reload the page", headers=SECURITY_HEADERS)
    return form


Form = Annotated[dict[str, Any], Depends(form_of)]


def secured(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def render(v: Visit, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page in the visitor's language, with the security headers."""
    html = TEMPLATES.get_template(template).render(
        _=v._,
        lang=v.lang,
        v=v,
        me=v.me,
        csrf=v.csrf,
        prefix=PREFIX,
        path=v.request.url.path,
        local=local_time,
        words=WORDS,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    if v.pre_is_new:
        # The login form's CSRF token is bound to a cookie of its own, made on first sight.
        response.set_cookie(
            PRE_COOKIE, v.pre, httponly=True, samesite="strict", secure=v.secure, path=PREFIX
        )
    return secured(response)  # type: ignore[return-value]


def redirect(url: str) -> Response:
    return secured(Response(status_code=303, headers={"Location": url}))


def local_time(at: datetime | str | None) -> str:
    """A time as people in Turkey read it: Istanbul time, day.month.year hour:minute."""
    if at is None:
        return ""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at.astimezone(ISTANBUL).strftime("%d.%m.%Y %H:%M")


def safe_next(value: str | None) -> str:
    """Only a path inside the portal, so the login page cannot send anyone elsewhere."""
    if value and value.startswith(PREFIX + "/") and "//" not in value and "\\" not in value:
        return value
    return PREFIX + "/"


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def apply_event(v: Visit, event: dict[str, Any]) -> str | None:
    """Apply an event for the person; the refusal's reason in words, or None when accepted."""
    outcome = events.apply_event(v.m, event)
    if outcome.result == "accepted":
        return None
    return outcome.reason_en if v.lang == "en" else outcome.reason_tr


def parse_day(value: str | None) -> date | None:
    """A day typed as YYYY-MM-DD; None when empty or not a day."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
