"""People's accounts: passwords (argon2id), TOTP for staff and officers, sessions, the login
limits; and what the portal shows a person about themselves (read only)."""

from __future__ import annotations

from mahrem.services.accounts.contact import outbox, person_id, person_name, phone_of
from mahrem.services.accounts.logins import (
    MAX_FAILURES_PER_CLIENT,
    MAX_FAILURES_PER_PERSON,
    SESSION_LIFETIME,
    AuthError,
    Session,
    enrol_totp,
    login,
    logout,
    requires_totp,
    session,
    set_password,
    store_totp_secret,
)
from mahrem.services.accounts.profile import (
    Profile,
    concealments_for,
    gm_overview,
    knows,
    names,
    person_by_tckn,
    privacy,
    relatives,
    whoami,
)

__all__ = [
    "MAX_FAILURES_PER_CLIENT",
    "MAX_FAILURES_PER_PERSON",
    "SESSION_LIFETIME",
    "AuthError",
    "Profile",
    "Session",
    "concealments_for",
    "enrol_totp",
    "gm_overview",
    "knows",
    "login",
    "logout",
    "names",
    "outbox",
    "person_by_tckn",
    "person_id",
    "person_name",
    "phone_of",
    "privacy",
    "relatives",
    "requires_totp",
    "session",
    "set_password",
    "store_totp_secret",
    "whoami",
]
