"""The KTS gate at request time (the KTS letter, points 2 and 3): installation API keys, the
incidents rule 1's refusals leave behind, and the copying detector.

Keys: an installation's key is shown once; the database keeps only HMAC-SHA256 of it under a
key held outside the database (the key store), so a copy of the database gives no usable key.
A presented key is found by its HMAC (an indexed lookup): nothing is compared character by
character with a secret, so response time tells an attacker nothing about a stored key.

Copying (KTS/2): the letter bans software that copies a facility's data to another database.
A staff read through software with no care relationship, of many distinct patients within a
sliding window, looks like such copying; the next read is then decided as `export`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain.decision import Decision, Request
from mahrem.domain.errors import Forbidden
from mahrem.domain.policy import Policy
from mahrem.services import audit
from mahrem.services.lookup import person_named, require
from mahrem.services.policies import policy_at
from mahrem.services.ports import KeyStore, Store

if TYPE_CHECKING:  # services.app calls into this module: no import cycle at run time
    from mahrem.services.ports import Mahrem

KEY_NAME = "kts-api-key"  # the key store's secret the HMACs are made under
KEY_PREFIX = "mhr_"
# A permitted staff read on one of these bases rests on a care relationship (M6/1-M6/3).
CARE_BASES = frozenset({"6/1", "6/2", "6/3-a", "6/3-b", "6/3-c", "6/3-ç"})
# Reads in these capacities rest on the patient's own right or consent, or on the law
# (M5/6, M8-M12): a patient, parent, relative, lawyer, heir or named officer is not copying a
# facility's database, whatever the decision.
PERSONAL_CAPACITIES = frozenset({"self", "parent", "relative", "lawyer", "heir", "officer"})
INCIDENT_KINDS = {
    "kts.installation_unknown": "unknown_installation",
    "kts.installation_not_registered": "not_registered",
    "kts.export_banned": "export",
    "kts.no_written_opinion": "analysis_without_opinion",
}


# -- keys -------------------------------------------------------------------------------
def may_manage_keys(store: Store, person: str, installation: str, at: datetime) -> bool:
    """A General Directorate officer, or the facility administrator responsible for it."""
    row = store.get("installation", installation)
    if row is not None and row["administrator"] == person:
        return True
    return any(
        r["role"] == "gm_officer" for r in store.open_rows("officer_role", at, person=person)
    )


def store_key(
    keys: KeyStore, store: Store, installation: str, key: str, by: str | None, at: datetime
) -> bool:
    """Keep `key` (its HMAC only) as a key of the installation; False when it is already kept."""
    digest = keys.hmac(KEY_NAME, key)
    if store.rows("kts_api_key", key_hmac=digest):
        return False
    store.add(
        "kts_api_key",
        installation=installation,
        key_hmac=digest,
        prefix=key[:12],
        issued_at=at,
        issued_by=by,
    )
    return True


def _key_act(
    m: Mahrem,
    installation: str,
    by: str,
    at: datetime | None,
    action: str,
    rotate: bool,
    issue: bool,
) -> tuple[str | None, int]:
    when = m.at(at)
    with m.uow.write() as store:
        require(store, "installation", installation, "installation")
        if not may_manage_keys(store, by, installation, when):
            raise Forbidden(
                "kts.keys_forbidden",
                "only a General Directorate officer or the installation's administrator "
                "manages its keys",
            )
        ended = 0
        if rotate:
            for row in store.rows("kts_api_key", installation=installation, revoked_at=None):
                store.set(
                    "kts_api_key",
                    row["id"],
                    revoked_at=when,
                    revoked_by=by,
                    revoked_reason="rotated" if issue else "revoked",
                )
                ended += 1
        key = None
        if issue:
            key = KEY_PREFIX + secrets.token_urlsafe(32)
            store_key(m.keys, store, installation, key, by, when)
        audit.append(
            store,
            at=when,
            kind="admin",
            actor=by,
            via=installation,
            action=f"kts.{action}",
            outcome="accepted",
            basis="KTS/3",
            detail={"prefix": key[:12] if key else None, "ended": ended},
        )
    return key, ended


def issue_api_key(m: Mahrem, installation: str, by: str, at: datetime | None = None) -> str:
    """A new key for the installation, returned once (only its HMAC is kept); earlier keys stay
    valid (use `rotate_api_key` to replace them)."""
    key, _ = _key_act(m, installation, by, at, "api_key_issued", rotate=False, issue=True)
    assert key is not None
    return key


def rotate_api_key(m: Mahrem, installation: str, by: str, at: datetime | None = None) -> str:
    """A new key, returned once; every key in use ends now (kept, marked `rotated`)."""
    key, _ = _key_act(m, installation, by, at, "api_key_rotated", rotate=True, issue=True)
    assert key is not None
    return key


def revoke_api_key(m: Mahrem, installation: str, by: str, at: datetime | None = None) -> int:
    """End every key of the installation now (kept, marked `revoked`); returns how many."""
    _, ended = _key_act(m, installation, by, at, "api_key_revoked", rotate=True, issue=False)
    return ended


def installation_for_key(store: Store, keys: KeyStore, key: str, at: datetime) -> str | None:
    """The installation a key belongs to, if the key was issued by `at` and not ended by then."""
    row = _key_row(store, keys, key, at)
    return None if row is None else str(row["installation"])


def authenticate_installation(m: Mahrem, key: str, at: datetime | None = None) -> str | None:
    """The id of the installation a valid, unrevoked key belongs to, or None."""
    if not key.startswith(KEY_PREFIX):  # a session token: no database round trip
        return None
    with m.uow.read() as store:
        return installation_for_key(store, m.keys, key, m.at(at))


def is_installation_key(token: str) -> bool:
    """Whether a bearer token has the form of an installation key (not a person's session)."""
    return token.startswith(KEY_PREFIX)


@dataclass(frozen=True, slots=True)
class KeyAssertion:
    """What an installation key asserts: this staff member of its facility acts now, as staff.
    `key` is the key's public prefix, recorded with every entry the assertion leads to."""

    installation: str
    person: str
    key: str


def authenticate_staff(
    m: Mahrem, key: str, acting: str, at: datetime | None = None
) -> KeyAssertion | None:
    """KTS/3 with M6/1 — an installation's key acts only for a person who holds a staff post at
    the installation's facility at this instant, and only in the staff capacity (issue 14).

    None for an unknown key, an unknown person and a person the key may not act for alike, so a
    refusal tells nobody whether a TC kimlik no belongs to anyone. Officers, the data protection
    officer, GM and patients act through their own sessions, never through a hospital's key.
    """
    when = m.at(at)
    with m.uow.read() as store:
        row = _key_row(store, m.keys, key, when)
        if row is None:
            return None
        person = person_named(store, acting)
        inst = store.get("installation", row["installation"])
        if person is None or inst is None:
            return None
        posts = store.open_rows("staff_post", when, person=person, facility=inst["facility"])
    if not posts:
        return None
    return KeyAssertion(str(row["installation"]), person, str(row["prefix"]))


def _key_row(store: Store, keys: KeyStore, key: str, at: datetime) -> dict[str, Any] | None:
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    for row in store.rows("kts_api_key", key_hmac=keys.hmac(KEY_NAME, key)):
        if row["issued_at"] <= at and (row["revoked_at"] is None or at < row["revoked_at"]):
            return row
    return None


def list_api_keys(
    m: Mahrem, installation: str, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """The installation's keys, newest first: prefixes and history, never a key or its HMAC."""
    with m.uow.read() as store:
        require(store, "installation", installation, "installation")
        rows = sorted(store.rows("kts_api_key", installation=installation), key=lambda r: -r["id"])
    return [
        {
            k: r[k]
            for k in (
                "prefix",
                "issued_at",
                "issued_by",
                "revoked_at",
                "revoked_by",
                "revoked_reason",
            )
        }
        for r in rows[offset : offset + limit]
    ]


# -- incidents and the copying detector ---------------------------------------------------
def has_care_relationship(decision: Decision) -> bool:
    """A read rests on a care relationship (or on no facility's data at all): a permitted staff
    read under M6/1-M6/3, or a read in a personal capacity (self, parent, relative, lawyer,
    heir, named officer). Denied staff reads and reads in no capacity count as without one."""
    if decision.capacity in PERSONAL_CAPACITIES:
        return True
    return decision.permitted and decision.basis in CARE_BASES


def after_decision(store: Store, req: Request, decision: Decision, at: datetime) -> None:
    """After every decision (inside its unit of work): a KTS/3 or KTS/2 refusal of a request
    through software becomes an incident naming the facility and its responsible administrator
    (KTS/3: "kullanımına izin veren idareciler"); a read through software is noted for the
    copying detector."""
    if req.via is None:
        return
    if decision.effect == "deny" and decision.basis in ("KTS/3", "KTS/2"):
        _record_incident(store, req, decision, at)
    if req.action in ("read", "export") and decision.reason_key not in (
        "kts.installation_unknown",
        "kts.installation_not_registered",
    ):
        store.add(
            "kts_read",
            installation=req.via,
            patient=req.patient,
            care=has_care_relationship(decision),
            at=req.at,
        )


def _record_incident(store: Store, req: Request, decision: Decision, at: datetime) -> None:
    assert req.via is not None
    row = store.get("installation", req.via)
    kind = INCIDENT_KINDS.get(decision.reason_key, decision.reason_key)
    if decision.basis == "KTS/2" and req.action == "export":
        # A read the detector turned into an export reaches the engine as `export` too.
        kind = "copying" if _copying(store, req.via, req.at, policy_at(store, req.at)) else "export"
    status = store.open_rows("installation_status", req.at, installation=req.via) if row else []
    store.add(
        "kts_incident",
        installation=req.via,
        facility=row["facility"] if row else None,
        administrator=row["administrator"] if row else None,
        kind=kind,
        basis=decision.basis,
        at=at,
        detail={
            "actor": req.actor,
            "action": req.action,
            "patient": req.patient,
            "record": req.record,
            "purpose": req.purpose,
            "status": status[0]["status"] if status else "unregistered",
            "reason": decision.reason_key,
        },
    )


def refused_write(store: Store, installation: str, actor: str, at: datetime, what: str) -> None:
    """KTS/3 — software that is unknown or not registered tried to write health data (a FHIR
    push): the attempt is audited and becomes an incident naming the facility and its
    responsible administrator, like a refused read."""
    row = store.get("installation", installation)
    status = store.open_rows("installation_status", at, installation=installation) if row else []
    reason = "kts.installation_not_registered" if row else "kts.installation_unknown"
    store.add(
        "kts_incident",
        installation=installation,
        facility=row["facility"] if row else None,
        administrator=row["administrator"] if row else None,
        kind=INCIDENT_KINDS[reason],
        basis="KTS/3",
        at=at,
        detail={
            "actor": actor,
            "action": what,
            "status": status[0]["status"] if status else "unregistered",
            "reason": reason,
        },
    )
    audit.append(
        store,
        at=at,
        kind="event",
        actor=actor,
        via=installation,
        action=what,
        outcome="rejected",
        basis="KTS/3",
        reason=reason,
    )


def _copying(store: Store, installation: str, at: datetime, policy: Policy) -> bool:
    threshold = policy.copy_distinct_patients
    return store.uncared_patients(installation, at - policy.copy_window, at, threshold) >= threshold


def treat_as_export(store: Store, req: Request, policy: Policy) -> bool:
    """KTS/2 — True when this read through software comes after reads of at least
    `copy_distinct_patients` distinct patients without a care relationship in the window
    [at − copy_window, at): the installation looks like it is copying the facility's data, so
    the read is decided as `export` (refused by rule 1)."""
    if req.via is None or req.action != "read":
        return False
    return _copying(store, req.via, req.at, policy)
