"""SMART Backend Services routes (issue 24): the token endpoint, the server's SMART
configuration under the FHIR base, and the KTS registry's client registrations.

- `POST /auth/token`: OAuth 2 client credentials with a `private_key_jwt` assertion (RFC 7523);
  answers and refusals are RFC 6749's (`access_token`…, or `error` and `error_description`),
  which OAuth clients read, rather than problem+json.
- `GET /fhir/.well-known/smart-configuration`: what SMART clients discover before they ask for
  a token (SMART App Launch 2.x, "Conformance").
- `PUT`/`GET /kts/installations/{installation}/client`: a GM officer registers the
  installation's public keys (a JWKS or its URL) and the scopes it is granted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, model_validator

from mahrem.entrypoints.api.deps import Actor, Svc
from mahrem.entrypoints.api.problems import PROBLEMS
from mahrem.services import kts
from mahrem.services.kts.clients import ALGORITHMS

router = APIRouter()
STATUS = {
    "invalid_client": 401,
    "invalid_request": 400,
    "invalid_grant": 400,
    "invalid_scope": 400,
    "unsupported_grant_type": 400,
}


class TokenOut(BaseModel):
    access_token: str = Field(..., description="Send as Authorization: Bearer <token>")
    token_type: str = "bearer"
    expires_in: int = Field(..., description="Seconds the token is valid for")
    scope: str = Field(..., description="The scopes granted (maybe fewer than asked for)")


class OAuthErrorOut(BaseModel):
    error: str = Field(..., description="RFC 6749 §5.2 error code")
    error_description: str


def token_url(request: Request) -> str:
    """The token endpoint's URL as this server is reached: what `aud` of an assertion names."""
    return str(request.base_url).rstrip("/") + "/auth/token"


@router.post(
    "/auth/token",
    operation_id="smart_token",
    tags=["auth"],
    response_model=TokenOut,
    responses={
        400: {"model": OAuthErrorOut, "description": "RFC 6749 §5.2 error"},
        401: {"model": OAuthErrorOut, "description": "invalid_client"},
    },
)
def token(
    request: Request,
    service: Svc,
    grant_type: Annotated[str | None, Form(description="client_credentials")] = None,
    client_assertion_type: Annotated[
        str | None, Form(description=kts.CLIENT_ASSERTION_TYPE)
    ] = None,
    client_assertion: Annotated[
        str | None, Form(description="A JWT the installation signs (RS384 or ES384)")
    ] = None,
    scope: Annotated[str | None, Form(description="system/<Type>.<cruds> …")] = None,
) -> Any:
    """SMART Backend Services: trade a signed client assertion (iss = sub = the installation
    id, aud = this URL, exp ≤ 5 min, a fresh jti) for a five-minute access token."""
    try:
        grant = kts.issue_token(
            service,
            grant_type=grant_type,
            assertion_type=client_assertion_type,
            assertion=client_assertion,
            scope=scope,
            audience=token_url(request),
        )
    except kts.OAuthError as exc:
        headers = (
            {"WWW-Authenticate": 'Bearer realm="mahrem"'} if exc.error == "invalid_client" else {}
        )
        return JSONResponse(
            {"error": exc.error, "error_description": exc.message},
            status_code=STATUS.get(exc.error, 400),
            headers=headers,
        )
    return TokenOut(access_token=grant.access_token, expires_in=grant.expires_in, scope=grant.scope)


@router.get(
    "/fhir/.well-known/smart-configuration",
    operation_id="smart_configuration",
    tags=["fhir"],
)
def smart_configuration(request: Request) -> dict[str, Any]:
    """The SMART configuration: token endpoint, authentication methods, scopes."""
    return smart_configuration_of(str(request.base_url).rstrip("/"))


def smart_configuration_of(base: str) -> dict[str, Any]:
    """What `/fhir/.well-known/smart-configuration` answers for a server reached at `base`."""
    return {
        "issuer": base,
        "token_endpoint": f"{base}/auth/token",
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": list(ALGORITHMS),
        "grant_types_supported": ["client_credentials"],
        "scopes_supported": ["system/*.cruds", "system/*.rs"],
        "capabilities": ["client-confidential-asymmetric", "permission-v2"],
    }


class ClientIn(BaseModel):
    scopes: str = Field(
        ..., description="SMART scopes granted, space-separated", examples=["system/*.rs"]
    )
    jwks: dict[str, Any] | None = Field(None, description='Public keys: {"keys": [...]}')
    jwks_url: str | None = Field(None, max_length=2000, description="Or the URL of the JWKS")

    @model_validator(mode="after")
    def one_source(self) -> ClientIn:
        if (self.jwks is None) == (self.jwks_url is None):
            raise ValueError("give exactly one of jwks and jwks_url")
        return self


class ClientOut(BaseModel):
    installation: str
    kids: list[str]
    jwks_url: str | None
    scopes: list[str]
    registered_at: datetime
    registered_by: str | None


@router.put(
    "/kts/installations/{installation}/client",
    operation_id="kts_client_register",
    tags=["kts"],
    response_model=ClientOut,
    responses=PROBLEMS,
)
def register_client(installation: str, body: ClientIn, service: Svc, actor: Actor) -> Any:
    """KTS/3 — a GM officer registers the installation's public keys and grants it scopes."""
    return kts.register_client(
        service, installation, actor, scopes=body.scopes, jwks=body.jwks, jwks_url=body.jwks_url
    )


@router.get(
    "/kts/installations/{installation}/client",
    operation_id="kts_client_get",
    tags=["kts"],
    response_model=ClientOut,
    responses=PROBLEMS,
)
def get_client(installation: str, service: Svc, actor: Actor) -> Any:
    """The installation's registered key ids, JWKS URL and scopes."""
    return kts.client(service, installation, actor)
