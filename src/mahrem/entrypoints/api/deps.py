"""Dependencies every route shares: the service, the caller, the caller's language and paging.

Who is calling is decided here, in one place (issue 3):
- hospital software sends its installation's API key (`Authorization: Bearer <key>`), the acting
  staff member's TC kimlik no (`X-Acting-Person`) and the purpose (`X-Purpose`); the person must
  hold a staff post at the installation's facility now and acts only as staff; the installation
  is accountable for what it asserts, and every decision goes through it as `via` (KTS gate);
- a person sends the token of a session opened at `POST /auth/login` (argon2 password, TOTP for
  staff and officers); a staff member's session carries the installation chosen at login.
Anything else is 401. Routes take `Who` (a key or a session), `Own` or `Actor` (a person's own
session only: officer, DPO, GM and patient acts) or `StaffOrPerson`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from pydantic import AwareDatetime, BeforeValidator

from mahrem.domain.errors import MahremError
from mahrem.services.ports import Mahrem

PURPOSE_HELP = (
    "treatment, diagnosis, care, preventive, planning, financing, inspection, regulation, research…"
)


class Unauthenticated(MahremError):
    """No valid credentials: answered 401 with a WWW-Authenticate challenge."""


class SessionRequired(MahremError):
    """Valid installation credentials at a door only a person's own session opens: 403."""


def get_service(request: Request) -> Mahrem:
    """The service layer this app was built over."""
    service: Mahrem = request.app.state.service
    return service


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is acting, through which installation (None: Mahrem's own portal or API), for what.

    Through an installation key the person is a staff member of its facility and acts only as
    staff (`capacity`), and `key` is the key's public prefix, recorded with what it asserted.
    """

    person: str
    installation: str | None
    purpose: str | None
    capacity: str | None = None
    key: str | None = None


NOT_ALLOWED = "the key or session is not valid (or has expired)"


def caller(
    request: Request,
    authorization: Annotated[
        str | None, Header(description="Bearer <installation API key or session token>")
    ] = None,
    x_acting_person: Annotated[
        str | None,
        Header(
            description="Hospital software: the acting staff member's TC kimlik no (or Mahrem id)"
        ),
    ] = None,
    x_purpose: Annotated[
        str | None, Header(description=f"Purpose of the request: {PURPOSE_HELP}")
    ] = None,
) -> Caller:

    cached = getattr(request.state, "caller", None)
    if isinstance(cached, Caller):  # the door check (guard.py) authenticated this request already
        return cached
    who = _authenticate(request, authorization, x_acting_person, x_purpose)
    request.state.caller = who
    return who


def _authenticate(
    request: Request, authorization: str | None, x_acting_person: str | None, x_purpose: str | None
) -> Caller:
    from mahrem.services import accounts
    from mahrem.services import kts as kts_gate

    service = get_service(request)
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "auth.required", "authentication required: Authorization: Bearer <key or session>"
        )
    token = token.strip()
    if kts_gate.is_installation_key(token):
        if not x_acting_person:
            raise Unauthenticated(
                "auth.acting_person",
                "hospital software must name the acting person in X-Acting-Person",
                field="X-Acting-Person",
            )
        # An unknown key, an unknown person and a person who holds no post at the key's facility
        # now get this one answer: a key acts only for its own staff (issue 14).
        asserted = kts_gate.authenticate_staff(service, token, x_acting_person)
        if asserted is None:
            raise Unauthenticated("auth.invalid", NOT_ALLOWED)
        return Caller(asserted.person, asserted.installation, x_purpose, "staff", asserted.key)
    session = accounts.session(service, token)
    if session is None:
        raise Unauthenticated("auth.invalid", NOT_ALLOWED)
    return Caller(session.person, session.installation, x_purpose)


def own_session(who: Annotated[Caller, Depends(caller)]) -> Caller:
    """A person acting through their own session: officer, DPO, GM and patient acts are never
    taken from a hospital's key (issue 14)."""
    if who.key is not None:
        raise SessionRequired(
            "auth.session_required",
            "this act needs the person's own session, not an installation key",
        )
    return who


def acting_person(who: Annotated[Caller, Depends(own_session)]) -> str:
    return who.person


def staff_or_person(who: Annotated[Caller, Depends(caller)]) -> str:
    """The acting person of a door hospital software may also use (as staff)."""
    return who.person


def language(accept_language: Annotated[str, Header(alias="accept-language")] = "tr") -> str:
    """tr (default) or en, from Accept-Language."""
    return "en" if accept_language.lower().startswith("en") else "tr"


Svc = Annotated[Mahrem, Depends(get_service)]
Who = Annotated[Caller, Depends(caller)]
Own = Annotated[Caller, Depends(own_session)]
Actor = Annotated[str, Depends(acting_person)]
StaffOrPerson = Annotated[str, Depends(staff_or_person)]
Lang = Annotated[str, Depends(language)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size")]
Offset = Annotated[int, Query(ge=0, description="Items to skip")]


def _text_only(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("an ISO 8601 time with an offset, as a string")
    return value


# An instant in a body: ISO 8601 with an offset, as a JSON string only (not seconds); None: now.
At = Annotated[AwareDatetime, BeforeValidator(_text_only)] | None
