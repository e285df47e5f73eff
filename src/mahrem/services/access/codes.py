"""M6/5 — the one-time code that opens a locked history (and restricted categories) to one
physician for 24 hours.

"Kişinin ... geçmiş sağlık verilerine erişim, kişinin beyan ettiği telefonuna gönderilen
doğrulama kodu ile sağlanır." The code is kept only as an HMAC under a key outside the
database; it lives 10 minutes, is single-use, and five wrong entries lock the pair out for an
hour.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mahrem.domain.policy import Policy
from mahrem.services.ports import KeyStore, SmsGateway, Store

OTP_KEY = "otp"


@dataclass(frozen=True, slots=True)
class CodeOutcome:
    accepted: bool
    reason: str  # key into domain.reasons / services.outcomes
    counted: bool = False


def _mac(keys: KeyStore, physician: str, patient: str, code: str) -> str:
    # Binding the pair into the MAC stops a code for one physician working for another.
    return keys.hmac(OTP_KEY, f"{physician}\x1f{patient}\x1f{code}")


def locked_out(store: Store, physician: str, patient: str, at: datetime) -> bool:
    return bool(store.open_rows("code_lockout", at, physician=physician, patient=patient))


def request_code(
    store: Store,
    keys: KeyStore,
    sms: SmsGateway,
    policy: Policy,
    physician: str,
    patient: str,
    phone: str | None,
    at: datetime,
) -> CodeOutcome:
    """Issue a new code (replacing any unused one of this physician for this patient) and send
    it to the patient's declared phone; refused during a lock-out."""
    if locked_out(store, physician, patient, at):
        return CodeOutcome(False, "code.locked_out")
    if not phone:
        return CodeOutcome(False, "code.no_phone")
    for row in store.rows("one_time_code", physician=physician, patient=patient):
        if row["used_at"] is None and row["superseded_at"] is None:
            store.set("one_time_code", row["id"], superseded_at=at)
    code = "".join(secrets.choice("0123456789") for _ in range(policy.code_digits))
    expires = at + policy.code_lifetime
    store.add(
        "one_time_code",
        physician=physician,
        patient=patient,
        code_hmac=_mac(keys, physician, patient, code),
        requested_at=at,
        expires_at=expires,
    )
    body = (
        f"Mahrem doğrulama kodunuz: {code}. Hekiminiz geçmiş sağlık verilerinize erişmek istiyor."
    )
    sms.send(store, phone, body, at, expires)
    return CodeOutcome(True, "code.sent")


def enter_code(
    store: Store,
    keys: KeyStore,
    policy: Policy,
    physician: str,
    patient: str,
    value: str,
    at: datetime,
) -> CodeOutcome:
    """Check an entered code; a correct, live one grants access for `policy.code_grant`."""
    if locked_out(store, physician, patient, at):
        return _entry(store, physician, patient, at, CodeOutcome(False, "code.locked_out"))
    latest = _latest(store, physician, patient)
    if latest is None:
        return _entry(store, physician, patient, at, CodeOutcome(False, "code.none_requested"))
    if not hmac.compare_digest(latest["code_hmac"], _mac(keys, physician, patient, value)):
        return _wrong(store, policy, physician, patient, at)
    if latest["used_at"] is not None:
        return _entry(store, physician, patient, at, CodeOutcome(False, "code.used"))
    if at >= latest["expires_at"] or not latest["requested_at"] <= at:
        return _entry(store, physician, patient, at, CodeOutcome(False, "code.expired"))
    store.set("one_time_code", latest["id"], used_at=at)
    store.add(
        "code_grant",
        physician=physician,
        patient=patient,
        valid_from=at,
        valid_to=at + policy.code_grant,
    )
    return _entry(store, physician, patient, at, CodeOutcome(True, "code.accepted"))


def _latest(store: Store, physician: str, patient: str) -> dict[str, Any] | None:
    rows = store.rows("one_time_code", physician=physician, patient=patient)
    return max(rows, key=lambda r: (r["requested_at"], r["id"])) if rows else None


def _entry(
    store: Store, physician: str, patient: str, at: datetime, outcome: CodeOutcome
) -> CodeOutcome:
    kind = "accepted" if outcome.accepted else ("wrong" if outcome.counted else "refused")
    store.add("code_entry", physician=physician, patient=patient, at=at, outcome=kind)
    return outcome


def _wrong(store: Store, policy: Policy, physician: str, patient: str, at: datetime) -> CodeOutcome:
    """Count a wrong entry since the last accepted one or the end of the last lock-out; the
    limit-th starts a lock-out."""
    since = max(
        [
            e["at"]
            for e in store.rows("code_entry", physician=physician, patient=patient)
            if e["outcome"] == "accepted"
        ]
        + [
            lo["valid_to"]
            for lo in store.rows("code_lockout", physician=physician, patient=patient)
        ],
        default=None,
    )
    wrong = sum(
        1
        for e in store.rows("code_entry", physician=physician, patient=patient)
        if e["outcome"] == "wrong" and (since is None or e["at"] >= since)
    )
    outcome = CodeOutcome(False, "code.wrong", counted=True)
    if wrong + 1 >= policy.code_max_wrong_entries:
        store.add(
            "code_lockout",
            physician=physician,
            patient=patient,
            valid_from=at,
            valid_to=at + policy.code_lockout,
        )
        outcome = CodeOutcome(False, "code.wrong_locked_out", counted=True)
    return _entry(store, physician, patient, at, outcome)
