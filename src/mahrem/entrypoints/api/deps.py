"""Dependencies every route shares: the service, the caller, the caller's language and paging.

Who is calling is decided here, in one place (issue 3):
- hospital software sends its installation's API key (`Authorization: Bearer <key>`), the acting
  person's TC kimlik no (`X-Acting-Person`) and the purpose (`X-Purpose`); the installation is
  accountable for what it asserts, and every decision goes through it as `via` (KTS gate);
- a person sends the token of a session opened at `POST /auth/login` (argon2 password, TOTP for
  staff and officers); a staff member's session carries the installation chosen at login.
Anything else is 401. Routes take `Caller` (or just `Actor`, the acting person's id).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query, Request

from mahrem.domain.errors import MahremError
from mahrem.services.app import Mahrem

PURPOSE_HELP = "treatment, diagnosis, care, preventive, planning, financing, inspection, regulation, research…"


class Unauthenticated(MahremError):
    """No valid credentials: answered 401 with a WWW-Authenticate challenge."""


def get_service(request: Request) -> Mahrem:
    """The service layer this app was built over."""
    service: Mahrem = request.app.state.service
    return service


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is acting, through which installation (None: Mahrem's own portal or API), for what."""

    person: str
    installation: str | None
    purpose: str | None


def caller(
    request: Request,
    authorization: Annotated[str | None, Header(description="Bearer <installation API key or session token>")] = None,
    x_acting_person: Annotated[str | None, Header(description="Hospital software: the acting person's "
                                                               "TC kimlik no (or Mahrem id)")] = None,
    x_purpose: Annotated[str | None, Header(description=f"Purpose of the request: {PURPOSE_HELP}")] = None,
) -> Caller:
    from mahrem.services import accounts, kts

    service = get_service(request)
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("auth.required", "authentication required: Authorization: Bearer <key or session>")
    token = token.strip()
    installation = kts.authenticate_installation(service, token)
    if installation is not None:
        if not x_acting_person:
            raise Unauthenticated("auth.acting_person", "hospital software must name the acting person in "
                                  "X-Acting-Person", field="X-Acting-Person")
        person = service.person_id(x_acting_person.strip())
        if person is None:
            raise Unauthenticated("auth.acting_person", "the acting person is not known", field="X-Acting-Person")
        return Caller(person, installation, x_purpose)
    session = accounts.session(service, token)
    if session is None:
        raise Unauthenticated("auth.invalid", "the key or session is not valid (or has expired)")
    return Caller(session.person, session.installation, x_purpose)


def acting_person(who: Annotated[Caller, Depends(caller)]) -> str:
    return who.person


def language(accept_language: Annotated[str, Header(alias="accept-language")] = "tr") -> str:
    """tr (default) or en, from Accept-Language."""
    return "en" if accept_language.lower().startswith("en") else "tr"


Svc = Annotated[Mahrem, Depends(get_service)]
Who = Annotated[Caller, Depends(caller)]
Actor = Annotated[str, Depends(acting_person)]
Lang = Annotated[str, Depends(language)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size")]
Offset = Annotated[int, Query(ge=0, description="Items to skip")]
