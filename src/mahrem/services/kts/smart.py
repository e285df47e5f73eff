"""SMART Backend Services at request time (issue 24; HL7 SMART App Launch 2.x, "Backend
Services"; RFC 7523 `private_key_jwt`; KTS/3 with M6/1).

- `issue_token`: the installation signs a short-lived client assertion (RS384 or ES384, `exp`
  at most five minutes ahead, a `jti` never used before) and trades it for an access token
  bound to the installation and to the scopes it asked for within those GM granted. Only the
  token's HMAC is kept.
- `authenticate_token`: each request with that token names its acting person in a second
  assertion signed with the installation's key (subject: the person's TC kimlik no, `purpose`,
  audience: this server, `jti`). The person must hold a staff post at the installation's
  facility now, and acts only as staff (the rule of issue 14). What the audit log keeps of it
  is its hash, key id and `jti` (`AssertionRef`): never the assertion, which carries a TC
  kimlik no.

A `jti` is remembered (with its key id, unique) until the assertion expires: the replay check.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact
from joserfc.jwt import JWTClaimsRegistry

from mahrem.domain.errors import MahremError
from mahrem.domain.smart_scopes import Scope, grantable, parse_scopes, scope_text
from mahrem.services import audit
from mahrem.services.kts.clients import ALGORITHMS, granted_scopes, key_set_of, registration
from mahrem.services.lookup import person_named
from mahrem.services.ports import Row, Store

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_PREFIX = "mhs_"
TOKEN_KEY = "kts-api-key"  # tokens are kept as HMACs under the same secret as API keys
TOKEN_LIFETIME = timedelta(minutes=5)
MAX_ASSERTION_LIFETIME = timedelta(minutes=5)  # SMART: exp no more than five minutes ahead
LEEWAY = 30  # seconds of clock skew allowed on exp, nbf and iat
MAX_ASSERTION_BYTES = 8192


class OAuthError(MahremError):
    """A refusal at the token endpoint, in RFC 6749 §5.2's terms: `error` is one of
    invalid_request, invalid_client, invalid_grant, unauthorized_client, unsupported_grant_type
    and invalid_scope."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(f"oauth.{error}", message)
        self.error = error


class AssertionRejected(MahremError):
    """An acting-person assertion that is malformed, unsigned by the installation, expired,
    too long-lived, for another audience or replayed: answered 401, saying which."""


@dataclass(frozen=True, slots=True)
class Grant:
    """An issued access token (shown once), its lifetime in seconds and its scopes."""

    access_token: str
    expires_in: int
    scope: str


@dataclass(frozen=True, slots=True)
class AssertionRef:
    """What the audit log keeps of an acting-person assertion: provable, and no identifier."""

    kid: str
    jti: str
    sha256: str

    def __str__(self) -> str:
        return f"jwt:{self.kid}:{self.jti}:{self.sha256}"


@dataclass(frozen=True, slots=True)
class TokenAssertion:
    """A request through an access token: the installation, the acting staff member, the
    purpose the installation signed for, the token's scopes and the assertion's reference."""

    installation: str
    person: str
    purpose: str | None
    scopes: tuple[Scope, ...]
    assertion: AssertionRef


def is_access_token(token: str) -> bool:
    """Whether a bearer token has the form of a SMART access token."""
    return token.startswith(TOKEN_PREFIX)


# -- the token endpoint --------------------------------------------------------------------
def issue_token(
    m: Mahrem,
    *,
    grant_type: str | None,
    assertion_type: str | None,
    assertion: str | None,
    scope: str | None,
    audience: str,
    at: datetime | None = None,
) -> Grant:
    """POST /auth/token — the client-credentials grant with a signed JWT assertion (RFC 7523).
    `audience` is the token endpoint's URL, which the assertion's `aud` must name."""
    when = m.at(at)
    if grant_type != "client_credentials":
        raise OAuthError("unsupported_grant_type", "grant_type is client_credentials")
    if assertion_type != CLIENT_ASSERTION_TYPE or not assertion:
        raise OAuthError(
            "invalid_request",
            f"client_assertion_type is {CLIENT_ASSERTION_TYPE}, with an assertion",
        )
    try:
        requested = parse_scopes(scope or "")
    except MahremError as exc:
        raise OAuthError("invalid_scope", exc.message) from exc
    if not requested:
        raise OAuthError("invalid_scope", "ask for one scope or more (system/<Type>.<cruds>)")
    client_id = _claimed_issuer(assertion)
    with m.uow.read() as store:
        row = registration(store, client_id) if client_id else None
    if row is None or client_id is None:
        raise OAuthError("invalid_client", "no client is registered under this iss")
    try:  # outside the write: checking may fetch the installation's JWKS
        claims, kid = _verified(m, row, assertion, when, [audience], subject=client_id)
    except AssertionRejected as exc:
        raise OAuthError("invalid_client", exc.message) from exc
    with m.uow.write() as store:
        if not _remember(store, client_id, kid, claims, when):
            raise OAuthError("invalid_client", "this assertion's jti was used before")
        scopes = grantable(requested, granted_scopes(row))
        if not scopes:
            raise OAuthError("invalid_scope", "none of the scopes asked for is granted to it")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        store.add(
            "kts_access_token",
            token_hmac=m.keys.hmac(TOKEN_KEY, token),
            installation=client_id,
            scopes=[str(s) for s in scopes],
            kid=kid,
            issued_at=when,
            expires_at=when + TOKEN_LIFETIME,
        )
        store.purge("kts_access_token", "expires_at", when)
        audit.append(
            store,
            at=when,
            kind="admin",
            actor=None,
            via=client_id,
            action="kts.token_issued",
            outcome="accepted",
            basis="KTS/3",
            detail={"kid": kid, "jti": claims["jti"], "scope": scope_text(scopes)},
        )
    return Grant(token, int(TOKEN_LIFETIME.total_seconds()), scope_text(scopes))


# -- requests with a token -----------------------------------------------------------------
def authenticate_token(
    m: Mahrem, token: str, acting: str, audiences: list[str], at: datetime | None = None
) -> TokenAssertion | None:
    """KTS/3 with M6/1 — the installation and scopes of a valid access token, and the staff
    member its signed acting-person assertion names. None for an unknown or expired token and
    for a person who is unknown or holds no staff post at the installation's facility now
    (one answer for all, as with API keys); AssertionRejected for an assertion that is not
    good evidence (bad signature, expired, too long-lived, wrong audience, replayed)."""
    when = m.at(at)
    if not is_access_token(token) or len(token) > 200:
        return None
    with m.uow.read() as store:
        row = store.get("kts_access_token", m.keys.hmac(TOKEN_KEY, token))
        if row is None or row["expires_at"] <= when:
            return None
        installation = str(row["installation"])
        client = registration(store, installation)
        inst = store.get("installation", installation)
    if client is None or inst is None:  # a withdrawn registration: its tokens die with it
        return None
    claims, kid = _verified(m, client, acting, when, audiences, subject=None)
    with m.uow.write() as store:
        if not _remember(store, installation, kid, claims, when):
            raise AssertionRejected(
                "auth.assertion_replayed", "this assertion's jti was used before"
            )
        person = person_named(store, str(claims["sub"]))
        if person is None:
            return None
        if not store.open_rows("staff_post", when, person=person, facility=inst["facility"]):
            return None
        store.purge("kts_assertion", "expires_at", when - timedelta(seconds=LEEWAY))
    digest = hashlib.sha256(acting.encode()).hexdigest()
    purpose = claims.get("purpose")
    return TokenAssertion(
        installation,
        person,
        purpose if isinstance(purpose, str) else None,
        tuple(parse_scopes(" ".join(row["scopes"]))),
        AssertionRef(kid, str(claims["jti"]), digest),
    )


# -- assertions ----------------------------------------------------------------------------
def _claimed_issuer(assertion: str) -> str | None:
    """The `iss` an assertion claims, read before its signature is checked (to find the keys
    to check it with); None when it does not parse."""
    try:
        payload = extract_compact(assertion.encode()[:MAX_ASSERTION_BYTES]).payload
        iss = json.loads(payload).get("iss")
    except (JoseError, ValueError, AttributeError):
        return None
    return iss if isinstance(iss, str) and len(iss) <= 64 else None


def _verified(
    m: Mahrem, client: Row, value: str, at: datetime, audiences: list[str], subject: str | None
) -> tuple[dict[str, Any], str]:
    """The claims of an assertion signed by one of the client's keys, and that key's id."""
    if len(value) > MAX_ASSERTION_BYTES:
        raise AssertionRejected("auth.assertion_invalid", "the assertion is longer than 8 KiB")
    try:
        header = extract_compact(value.encode()).protected
    except (JoseError, ValueError) as exc:
        raise AssertionRejected("auth.assertion_invalid", "not a signed JWT (JWS compact)") from exc
    kid, alg = header.get("kid"), header.get("alg")
    if alg not in ALGORITHMS or not isinstance(kid, str):
        raise AssertionRejected(
            "auth.assertion_invalid", "the JWT header names its kid and alg RS384 or ES384"
        )
    keys = key_set_of(m, client["jwks"], client["jwks_url"])
    if not _has_kid(keys, kid) and client["jwks_url"]:
        keys = key_set_of(m, client["jwks"], client["jwks_url"], fresh=True)
    if not _has_kid(keys, kid):
        raise AssertionRejected("auth.assertion_invalid", "no registered key has this kid")
    try:
        token = jwt.decode(value, keys, algorithms=list(ALGORITHMS))
    except (JoseError, ValueError) as exc:
        raise AssertionRejected("auth.assertion_invalid", "the signature does not verify") from exc
    claims = token.claims
    _check_claims(claims, client["installation"], subject, audiences, at)
    return claims, kid


def _has_kid(keys: KeySet, kid: str) -> bool:
    return any(k.kid == kid for k in keys.keys)


def _check_claims(
    claims: dict[str, Any], issuer: str, subject: str | None, audiences: list[str], at: datetime
) -> None:
    now = int(at.timestamp())
    options: dict[str, Any] = {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "values": audiences},
        "exp": {"essential": True},
        "jti": {"essential": True},
        "sub": {"essential": True, **({"value": subject} if subject else {})},
    }
    try:
        JWTClaimsRegistry(now=now, leeway=LEEWAY, **options).validate(claims)
    except JoseError as exc:
        raise AssertionRejected(
            "auth.assertion_invalid", f"the assertion's claims do not hold: {exc.description}"
        ) from exc
    if not isinstance(claims["exp"], int) or claims["exp"] > now + int(
        MAX_ASSERTION_LIFETIME.total_seconds() + LEEWAY
    ):
        raise AssertionRejected(
            "auth.assertion_invalid", "exp is at most five minutes ahead (SMART Backend Services)"
        )
    if not isinstance(claims["jti"], str) or not 0 < len(claims["jti"]) <= 128:
        raise AssertionRejected("auth.assertion_invalid", "jti is a string of 1-128 characters")


def _remember(
    store: Store, installation: str, kid: str, claims: dict[str, Any], at: datetime
) -> bool:
    """Keep the assertion's key id and jti until it expires; False when they were seen."""
    jti = str(claims["jti"])
    if store.rows("kts_assertion", installation=installation, kid=kid, jti=jti):
        return False
    store.add(
        "kts_assertion",
        installation=installation,
        kid=kid,
        jti=jti,
        expires_at=datetime.fromtimestamp(int(claims["exp"]), at.tzinfo),
    )
    return True
