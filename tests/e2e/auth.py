"""How a test authenticates an HTTP call: one place, so every test goes through the real
authentication (argon2 passwords, TOTP for staff and officers, installation API keys)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pyotp

from mahrem.services import accounts

_TOKENS: dict[tuple[int, str, str | None], str] = {}


def session_token(service: Any, person: str, installation: str | None = None) -> str:
    """A session token for `person` (a password set and, for staff and officers, a fresh TOTP
    secret enrolled), opened once per service and installation."""
    key = (id(service), person, installation)
    if (
        key not in _TOKENS or accounts.session(service, _TOKENS[key]) is None
    ):  # none yet, or expired
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
        _TOKENS[key] = session.token
    return _TOKENS[key]


def headers_for(service: Any, person: str, **extra: str) -> dict[str, str]:
    """Headers that make `person` the acting person of a request, through their own session."""
    return {"Authorization": f"Bearer {session_token(service, person)}", **extra}


def software_headers(
    service: Any, installation: str, person: str, purpose: str | None = None, **extra: str
) -> dict[str, str]:
    """Headers of hospital software: its installation's API key, the acting person and purpose."""
    from mahrem.services import kts

    key = (id(service), f"key:{installation}", None)
    if key not in _TOKENS:
        with service.uow.read() as store:
            gm = next(r["person"] for r in store.rows("officer_role") if r["role"] == "gm_officer")
        _TOKENS[key] = kts.issue_api_key(service, installation, by=gm)
    headers = {"Authorization": f"Bearer {_TOKENS[key]}", "X-Acting-Person": person, **extra}
    if purpose:
        headers["X-Purpose"] = purpose
    return headers
