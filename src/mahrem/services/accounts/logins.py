"""People's accounts (issue 3, "People's side"; issue 6): passwords, TOTP, sessions, login
rate limits. The portal and the HTTP API authenticate people through these functions.

- Passwords are argon2id hashes (argon2-cffi's defaults, rehashed when they change).
- TOTP (RFC 6238, 30-second steps, one step of drift) is required of anyone holding a staff post
  (M6: staff reach patient data) or an officer role; the secret is sealed with AES-SIV under
  the key store's `totp` key and bound to the person, and a code is accepted once.
- A session is a random 256-bit token shown once; only its SHA-256 is stored, with an expiry.
- Logins fail the same way whatever was wrong (unknown person, password, code, missing TOTP);
  5 failures per person, or 20 per client address, in 15 minutes refuse further attempts for
  the rest of that window, even correct ones. Every attempt, accepted or not, is audited
  (kind "admin"); the refusal is raised after the attempt is committed.
- A staff member names the installation (`via`) of their facility at login; the session
  carries it, so every decision the portal makes for them goes through that installation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from stdnum.tr import tckimlik

from mahrem.domain.clock import require_aware
from mahrem.domain.errors import Forbidden, InputError, MahremError
from mahrem.services import audit
from mahrem.services.ports import Mahrem, Store, Vault, VaultError

SESSION_LIFETIME = timedelta(hours=8)
LOGIN_KEY_NAME = "login-attempt"  # the key store's secret that login attempts are counted under
RATE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_PERSON = 5
MAX_FAILURES_PER_CLIENT = 20
PASSWORD_MIN, PASSWORD_MAX = 10, 256
TOTP_KEY = "totp"
TOTP_ISSUER = "Mahrem"

_HASHER = PasswordHasher()
_DUMMY: list[str] = []  # a hash to verify against when the login names nobody (same timing)

MESSAGES = {
    "auth.failed": ("Giriş bilgileri doğrulanamadı.", "The login details could not be verified."),
    "auth.rate_limited": (
        "Çok fazla başarısız deneme. Lütfen 15 dakika sonra yeniden deneyin.",
        "Too many failed attempts. Please try again in 15 minutes.",
    ),
    "auth.installation": (
        "Bu yazılım kurulumu üzerinden giriş yapamazsınız.",
        "You cannot log in through this software installation.",
    ),
}


class AuthError(Forbidden):
    """A refused login: the same words whatever part was wrong."""

    def __init__(self, code: str = "auth.failed", field: str | None = None) -> None:
        super().__init__(code, MESSAGES[code][1], field=field)

    def text(self, lang: str) -> str:
        return MESSAGES[self.code][1 if lang == "en" else 0]


@dataclass(frozen=True, slots=True)
class Session:
    token: str  # shown once, at login; "" when read back
    person: str
    installation: str | None
    expires_at: datetime


def _when(m: Mahrem, at: datetime | None) -> datetime:
    return require_aware(at) if at is not None else m.clock()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _cipher(m: Mahrem) -> Vault:
    """The vault TOTP secrets are sealed in (a key of its own, outside the database)."""
    if m.totp_vault is None:
        raise MahremError("vault.missing", "no TOTP vault is configured")
    return m.totp_vault


def _person_of(store: Store, login: str) -> str | None:
    """The person a login names: an 11-digit TC kimlik no (checked), else a person id."""
    login = login.strip()
    if login.isdigit() and len(login) == 11:
        if not tckimlik.is_valid(login):
            return None
        found = store.rows("person", tckn=login)
        return str(found[0]["id"]) if found else None
    return login if login and store.get("person", login) is not None else None


def requires_totp(store: Store, person: str, at: datetime) -> bool:
    """Staff (a staff post) and officers (an officer role) log in with a second factor."""
    return bool(
        store.open_rows("staff_post", at, person=person)
        or store.open_rows("officer_role", at, person=person)
    )


def set_password(m: Mahrem, person: str, password: str, at: datetime | None = None) -> None:
    """Set (or replace) a person's password, stored as an argon2id hash; audited."""
    when = _when(m, at)
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise InputError(
            "password.too_short", f"password: at least {PASSWORD_MIN} characters", field="password"
        )
    if len(password) > PASSWORD_MAX:
        raise InputError(
            "password.too_long", f"password: at most {PASSWORD_MAX} characters", field="password"
        )
    hashed = _HASHER.hash(password)
    with m.uow.write() as store:
        _require_person(store, person)
        if store.get("account", person) is None:
            store.add(
                "account", person=person, password_hash=hashed, created_at=when, updated_at=when
            )
        else:
            store.set("account", person, password_hash=hashed, updated_at=when)
        audit.append(
            store, at=when, kind="admin", actor=person, action="password_set", outcome="accepted"
        )


def enrol_totp(m: Mahrem, person: str, at: datetime | None = None) -> str:
    """Give a person a new TOTP secret; returns its otpauth:// URI (shown once; the secret is in
    it). The person needs an account (a password) first."""
    return store_totp_secret(m, person, pyotp.random_base32(), _when(m, at))


def store_totp_secret(m: Mahrem, person: str, secret: str, when: datetime) -> str:
    """Seal a person's TOTP secret in the TOTP vault and keep it on their account."""
    sealed = _cipher(m).seal(secret.encode(), b"totp", person.encode())
    with m.uow.write() as store:
        _require_person(store, person)
        if store.get("account", person) is None:
            raise InputError("account.unknown", f"{person} has no password yet", field="person")
        store.set("account", person, totp_sealed=sealed, totp_last_step=None, updated_at=when)
        audit.append(
            store, at=when, kind="admin", actor=person, action="totp_enrolled", outcome="accepted"
        )
    return pyotp.TOTP(secret).provisioning_uri(name=person, issuer_name=TOTP_ISSUER)


def _require_person(store: Store, person: str) -> None:
    if store.get("person", person) is None:
        raise InputError("person.unknown", f"unknown person {person!r}", field="person")


def _failures(store: Store, since: datetime, **match: Any) -> int:
    return sum(
        1
        for r in store.rows("login_attempt", **match)
        if r["outcome"] == "failed" and r["at"] > since
    )


def _totp_step(
    m: Mahrem, account: dict[str, Any], person: str, code: str | None, when: datetime
) -> int | None:
    """The 30-second step the code belongs to (now, or one step either side), if it is right."""
    if not code or account.get("totp_sealed") is None:
        return None
    try:
        secret = _cipher(m).open(account["totp_sealed"], b"totp", person.encode()).decode()
    except VaultError:
        return None
    totp, now = pyotp.TOTP(secret), int(when.timestamp()) // 30
    code = code.strip().replace(" ", "")
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.at(step * 30), code):
            return step
    return None


def _verify_password(account: dict[str, Any] | None, password: str) -> bool:
    if not _DUMMY:
        _DUMMY.append(_HASHER.hash(secrets.token_hex(16)))
    try:
        return (
            _HASHER.verify(account["password_hash"] if account else _DUMMY[0], password)
            and account is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def login(
    m: Mahrem,
    login: str,
    password: str,
    totp: str | None,
    *,
    client: str,
    installation: str | None = None,
    at: datetime | None = None,
) -> Session:
    """Open a session for the person a TC kimlik no (or person id) names; raises AuthError."""
    when = _when(m, at)
    client = (client or "unknown")[:64]
    with m.uow.read() as store:
        person = _person_of(store, login or "")
        account = store.get("account", person) if person else None
        # Whoever enrolled a second factor uses it; staff and officers must have one.
        needs_totp = bool(person) and (
            requires_totp(store, cast(str, person), when)
            or bool(account and account.get("totp_sealed") is not None)
        )
        login_key = _login_key(m, login or "")
        limited = _limited(store, login_key, client, when)
    # The slow parts (argon2, the cipher) run outside the write transaction, and not at all for
    # a login already limited (argon2 is deliberately costly: no free work for a guesser).
    ok = not limited and _verify_password(account, password or "")
    step = (
        _totp_step(m, account, cast(str, person), totp, when)
        if ok and account and needs_totp
        else None
    )
    with m.uow.write() as store:
        fresh = store.get("account", person) if person else None
        reason = _refusal(store, person, login_key, fresh, ok, needs_totp, step, client, when)
        if (
            reason is None
            and installation is not None
            and not _may_use(store, person, installation, when)
        ):
            reason = "auth.installation"
        token = secrets.token_urlsafe(32) if reason is None else ""
        _record(store, person, login_key, client, installation, when, reason)
        if reason is None:
            assert person is not None and fresh is not None
            if step is not None:
                store.set("account", person, totp_last_step=step)
            if _HASHER.check_needs_rehash(fresh["password_hash"]):
                store.set("account", person, password_hash=_HASHER.hash(password), updated_at=when)
            expires = when + SESSION_LIFETIME
            store.add(
                "account_session",
                token_hash=_token_hash(token),
                person=person,
                installation=installation,
                client=client,
                created_at=when,
                expires_at=expires,
            )
    if reason is not None:
        public = reason if reason in ("auth.rate_limited", "auth.installation") else "auth.failed"
        raise AuthError(public, field="installation" if public == "auth.installation" else None)
    return Session(
        token=token, person=cast(str, person), installation=installation, expires_at=expires
    )


def _refusal(
    store: Store,
    person: str | None,
    login_key: str,
    account: dict[str, Any] | None,
    password_ok: bool,
    needs_totp: bool,
    step: int | None,
    client: str,
    when: datetime,
) -> str | None:
    """Why a login is refused (the audit's reason), or None. The limits come first, so a
    limited person learns nothing from a right password."""
    if _limited(store, login_key, client, when):
        return "auth.rate_limited"
    if person is None or account is None:
        return "auth.unknown_login"
    if not password_ok:
        return "auth.password"
    if needs_totp and account.get("totp_sealed") is None:
        return "auth.totp_not_enrolled"
    last = account.get("totp_last_step")
    if needs_totp and (step is None or (last is not None and step <= last)):
        return "auth.totp"
    return None


def _login_key(m: Mahrem, login: str) -> str:
    """What failures are counted by: the login as typed (its HMAC, never the TC kimlik no in
    clear), whether or not it names anyone, so a limit tells nobody that a person exists (M12)."""
    return m.keys.hmac(LOGIN_KEY_NAME, login.strip().lower()[:64])


def _limited(store: Store, login_key: str, client: str, when: datetime) -> bool:
    """5 failures of the login, or 20 from the client address, in the last 15 minutes."""
    since = when - RATE_WINDOW
    return _failures(store, since, client=client) >= MAX_FAILURES_PER_CLIENT or (
        _failures(store, since, login_key=login_key) >= MAX_FAILURES_PER_PERSON
    )


def _may_use(store: Store, person: str | None, installation: str, when: datetime) -> bool:
    """A registered installation of a facility where the person holds a staff post now, or, for
    a data protection officer, the installation they are the responsible administrator of (an
    analysis goes through an installation: rule 1, KTS/2)."""
    row = store.get("installation", installation)
    if row is None or person is None:
        return False
    registered = any(
        s["status"] == "registered"
        for s in store.open_rows("installation_status", when, installation=installation)
    )
    posts = {p["facility"] for p in store.open_rows("staff_post", when, person=person)}
    administers = row["administrator"] == person and bool(
        store.open_rows("officer_role", when, person=person, role="dpo")
    )
    return registered and (row["facility"] in posts or administers)


def _record(
    store: Store,
    person: str | None,
    login_key: str,
    client: str,
    installation: str | None,
    when: datetime,
    reason: str | None,
) -> None:
    outcome = (
        "accepted" if reason is None else "limited" if reason == "auth.rate_limited" else "failed"
    )
    store.purge("login_attempt", "at", when - timedelta(days=1))
    store.add(
        "login_attempt", person=person, login_key=login_key, client=client, at=when, outcome=outcome
    )
    audit.append(
        store,
        at=when,
        kind="admin",
        actor=person,
        via=installation,
        action="login",
        outcome="accepted" if reason is None else "rejected",
        reason=reason,
        detail={"client": client},
    )


def session(m: Mahrem, token: str, at: datetime | None = None) -> Session | None:
    """The session a token opens, if it is known, not ended and not expired (token "")."""
    if not token:
        return None
    when = _when(m, at)
    with m.uow.read() as store:
        row = store.get("account_session", _token_hash(token))
    if row is None or row["ended_at"] is not None or row["expires_at"] <= when:
        return None
    return Session(
        token="",
        person=row["person"],
        installation=row["installation"],
        expires_at=row["expires_at"],
    )


def logout(m: Mahrem, token: str, at: datetime | None = None) -> None:
    """End a session (nothing happens for an unknown or ended one); audited."""
    when = _when(m, at)
    key = _token_hash(token or "")
    with m.uow.write() as store:
        row = store.get("account_session", key)
        if row is None or row["ended_at"] is not None:
            return
        store.set("account_session", key, ended_at=when)
        audit.append(
            store,
            at=when,
            kind="admin",
            actor=row["person"],
            via=row["installation"],
            action="logout",
            outcome="accepted",
        )
