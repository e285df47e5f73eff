"""Dependencies every route shares: the service, the caller, the caller's language and paging.

Who is calling is decided here, in one place (issue 3):
- hospital software sends its installation's API key (`Authorization: Bearer <key>`), the acting
  staff member's TC kimlik no (`X-Acting-Person`) and the purpose (`X-Purpose`); the person must
  hold a staff post at the installation's facility now and acts only as staff; the installation
  is accountable for what it asserts, and every decision goes through it as `via` (KTS gate).
  Static keys are for development and tests: refused with MAHREM_ENV=production;
- in production, hospital software authenticates the SMART Backend Services way (issue 24): an
  access token from `POST /auth/token`, and `X-Acting-Person` a JWT the installation signs
  for the acting staff member (sub, purpose, aud, jti, exp); FHIR scopes bound what it does;
- a person sends the token of a session opened at `POST /auth/login` (argon2 password, TOTP for
  staff and officers); a staff member's session carries the installation chosen at login.
Anything else is 401. Routes take `Who` (a key or a session), `Own` or `Actor` (a person's own
session only: officer, DPO, GM and patient acts) or `StaffOrPerson`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials
from fastapi.openapi.models import OAuthFlows as OAuthFlowsModel
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2
from pydantic import AwareDatetime, BeforeValidator

from mahrem.domain.errors import Forbidden, MahremError
from mahrem.domain.smart_scopes import Scope, allows
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

    Through an installation the person is a staff member of its facility and acts only as
    staff (`capacity`). `key` is what the audit log keeps of the credential: an API key's
    public prefix, or an acting-person assertion's key id, `jti` and hash. `scopes` are a SMART
    access token's (None: a key or a session, which FHIR scopes do not bound), and with a token
    the purpose is the one the installation signed.
    """

    person: str
    installation: str | None
    purpose: str | None
    capacity: str | None = None
    key: str | None = None
    scopes: tuple[Scope, ...] | None = None

    def purpose_for(self, asked: str | None) -> str | None:
        """The purpose of a request that also names one (a query parameter): with a token the
        signed purpose stands, and naming another is refused."""
        if self.scopes is not None and asked is not None and asked != self.purpose:
            raise Unauthenticated(
                "auth.purpose_unsigned",
                "the purpose differs from the one the acting-person assertion signs",
                field="purpose",
            )
        return asked or self.purpose

    def require_scope(self, resource_type: str, letter: str) -> None:
        """SMART scopes: a token acts on a FHIR resource type only as far as its scopes allow
        (c create, r read, u update, d delete, s search)."""
        if self.scopes is not None and not allows(self.scopes, resource_type, letter):
            raise Forbidden(
                "auth.scope_missing",
                f"the access token lacks system/{resource_type}.{letter}",
                field="scope",
            )


NOT_ALLOWED = "the key or session is not valid (or has expired)"

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description=(
        "A session token (POST /auth/login) or, for development, an installation API key "
        "(mhr_…, refused with MAHREM_ENV=production)."
    ),
)
smart = OAuth2(
    flows=OAuthFlowsModel(
        clientCredentials=OAuthFlowClientCredentials(
            tokenUrl="/auth/token",
            scopes={
                "system/*.cruds": "every stored resource type, every interaction",
                "system/*.rs": "read and search every stored resource type",
                "system/Observation.rs": "read and search Observations",
                "system/Condition.c": "push Conditions",
            },
        )
    ),
    scheme_name="smart",
    auto_error=False,
    description=(
        "SMART Backend Services: an access token from POST /auth/token (client_credentials "
        "with a private_key_jwt assertion), with X-Acting-Person carrying a JWT the "
        "installation signs for the acting staff member."
    ),
)


def caller(
    request: Request,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    _smart: Annotated[str | None, Security(smart)],
    x_acting_person: Annotated[
        str | None,
        Header(
            description=(
                "Hospital software: with a SMART access token, a JWT the installation signs "
                "(sub: the staff member's TC kimlik no, purpose, aud: this server, jti, exp); "
                "with a development API key, the TC kimlik no itself"
            )
        ),
    ] = None,
    x_purpose: Annotated[
        str | None, Header(description=f"Purpose of the request: {PURPOSE_HELP}")
    ] = None,
) -> Caller:
    return authenticated(request)


def authenticated(request: Request) -> Caller:
    """The caller of `request`, authenticated once per request (the door check, guard.py, and
    the route share the answer, refusal included: an assertion's jti is spent once)."""
    cached = getattr(request.state, "caller", None)
    if isinstance(cached, (Caller, MahremError)):
        if isinstance(cached, MahremError):
            raise cached
        return cached
    header = request.headers.get
    try:
        who = _authenticate(
            request, header("authorization"), header("x-acting-person"), header("x-purpose")
        )
    except MahremError as exc:
        request.state.caller = exc
        raise
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
    if kts_gate.is_access_token(token):
        return _with_token(request, service, token, x_acting_person, x_purpose)
    if kts_gate.is_installation_key(token):
        if service.production:
            raise Unauthenticated(
                "auth.static_key_production",
                "static API keys are for development: use SMART Backend Services "
                "(POST /auth/token)",
            )
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


def _with_token(
    request: Request,
    service: Mahrem,
    token: str,
    acting: str | None,
    x_purpose: str | None,
) -> Caller:
    """A SMART access token with its signed acting-person assertion (issue 24)."""
    from mahrem.services import kts as kts_gate

    if not acting or acting.count(".") != 2:
        raise Unauthenticated(
            "auth.acting_assertion",
            "with an access token, X-Acting-Person carries a JWT the installation signs",
            field="X-Acting-Person",
        )
    base = str(request.base_url).rstrip("/")
    try:
        asserted = kts_gate.authenticate_token(service, token, acting, [base, f"{base}/fhir"])
    except kts_gate.AssertionRejected as exc:
        raise Unauthenticated(exc.code, exc.message, field="X-Acting-Person") from exc
    if asserted is None:
        raise Unauthenticated("auth.invalid", NOT_ALLOWED)
    if x_purpose is not None and x_purpose != asserted.purpose:
        raise Unauthenticated(
            "auth.purpose_unsigned",
            "X-Purpose differs from the purpose the acting-person assertion signs",
            field="X-Purpose",
        )
    return Caller(
        asserted.person,
        asserted.installation,
        asserted.purpose,
        "staff",
        str(asserted.assertion),
        asserted.scopes,
    )


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
