"""HTTP routes: log in and out, and who am I (accounts).

Thin: everything is in the service layer (services/accounts/)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from mahrem.entrypoints.api.deps import Svc, Who
from mahrem.entrypoints.api.problems import PROBLEMS
from mahrem.services import accounts

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
