"""How a test authenticates an HTTP call: one place, so every test goes through the real
authentication (argon2 passwords, TOTP for staff and officers, installation API keys)."""

from __future__ import annotations

import weakref
from typing import Any
from urllib.parse import parse_qs, urlparse

import pyotp

from mahrem.services import accounts

_TOKENS: dict[tuple[int, str, str | None], tuple[weakref.ref[Any], str]] = {}


def _cached(service: Any, key: tuple[int, str, str | None]) -> str | None:
    """The token cached for `key`, if it was issued through this very unit of work: an id may be
    reused once a test's service is gone, and its token means nothing to the next database."""
    held = _TOKENS.get(key)
    return held[1] if held and held[0]() is service.uow else None


def _cache(service: Any, key: tuple[int, str, str | None], token: str) -> str:
    _TOKENS[key] = (weakref.ref(service.uow), token)
    return token


def session_token(service: Any, person: str, installation: str | None = None) -> str:
    """A session token for `person` (a password set and, for staff and officers, a fresh TOTP
    secret enrolled), opened once per service and installation."""
    key = (id(service), person, installation)
    token = _cached(service, key)
    if token is None or accounts.session(service, token) is None:  # none yet, or expired
        password = f"sınama-parolası-{person}"
        accounts.set_password(service, person, password)
        with service.uow.read() as store:
            needs_totp = accounts.requires_totp(store, person, service.clock())
        code = None
        if needs_totp:
            uri = accounts.enrol_totp(service, person)
            code = pyotp.TOTP(parse_qs(urlparse(uri).query)["secret"][0]).at(service.clock())
        session = accounts.login(
            service, person, password, code, client="testclient", installation=installation
        )
        token = _cache(service, key, session.token)
    return token


def headers_for(service: Any, person: str, **extra: str) -> dict[str, str]:
    """Headers that make `person` the acting person of a request, through their own session."""
    return {"Authorization": f"Bearer {session_token(service, person)}", **extra}


def software_headers(
    service: Any, installation: str, person: str, purpose: str | None = None, **extra: str
) -> dict[str, str]:
    """Headers of hospital software: its installation's API key, the acting person and purpose."""
    from mahrem.services import kts

    key = (id(service), f"key:{installation}", None)
    token = _cached(service, key)
    if token is None:
        with service.uow.read() as store:
            gm = next(r["person"] for r in store.rows("officer_role") if r["role"] == "gm_officer")
        token = _cache(service, key, kts.issue_api_key(service, installation, by=gm))
    headers = {"Authorization": f"Bearer {token}", "X-Acting-Person": person, **extra}
    if purpose:
        headers["X-Purpose"] = purpose
    return headers
