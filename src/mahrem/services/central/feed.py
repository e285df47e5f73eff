"""M7 — the pseudonymised feed to the central health data system, and re-identification by
the ministry users the General Directorate authorised.

"Sağlık hizmeti sunucuları tarafından merkezi sağlık veri sistemine kimliksizleştirilerek
gönderilen sağlık verilerini, ilişkisel veri tabanı aracılığı ile ait oldukları kişilerle
eşleştirmeye yetkili kişileri Bakanlığın birim amirleri ayrı ayrı belirler ve Genel
Müdürlükten bu kişilerin yetkilendirilmesini talep eder." (M7/1)

The feed carries every record as FHIR with the direct identifiers removed and the patient
replaced by a keyed pseudonym (domain/pseudonym.py), one key per receiving system and version.
The vault is M7/1's "ilişkisel veri tabanı": pseudonym → patient, encrypted under its own key,
written during the export. It opens only through the engine (rule 9, and rule 2 before it), on
the same path as every other decision, and every attempt is audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mahrem.domain.decision import PURPOSES, Decision, Request
from mahrem.domain.errors import InputError, MahremError, NotFound, Refused
from mahrem.domain.pseudonym import (
    Reduction,
    Subject,
    encode_pseudonym,
    is_pseudonym,
    key_name,
    pseudonym_message,
    pseudonymise,
    reduce_date,
    scrub_text,
    validate_receiver,
)
from mahrem.services import audit
from mahrem.services.access import decide
from mahrem.services.lookup import require
from mahrem.services.ports import KeyStore, Store, Vault
from mahrem.services.records import current_resource

PSEUDED = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
    "code": "PSEUDED",
    "display": "pseudonymized",
}
FEED_TAG = "urn:mahrem:central-feed"
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


# -- key versions (the keys themselves live in the key store) --------------------------------
def current_key(store: Store, receiver: str, at: datetime) -> int:
    """The receiver's key version in use; version 1 is started on the first export."""
    live = [
        int(r["version"])
        for r in store.rows("pseudonym_key", receiver=validate_receiver(receiver), retired_at=None)
    ]
    if live:
        return max(live)
    store.add("pseudonym_key", receiver=receiver, version=1, created_at=at)
    return 1


def rotate_key(store: Store, receiver: str, at: datetime, by: str | None = None) -> int:
    """Retire the receiver's key version and start the next: from now on its pseudonyms differ.
    The retired key stays in the key store; the vault still opens its pseudonyms."""
    rows = store.rows("pseudonym_key", receiver=validate_receiver(receiver))
    for row in rows:
        if row["retired_at"] is None:
            store.set("pseudonym_key", row["id"], retired_at=at)
    version = max((r["version"] for r in rows), default=0) + 1
    store.add("pseudonym_key", receiver=receiver, version=version, created_at=at)
    audit.append(
        store,
        at=at,
        kind="admin",
        actor=by,
        action="pseudonym_key_rotated",
        outcome="accepted",
        detail={"receiver": receiver, "key_version": version},
    )
    return version


def key_versions(store: Store, receiver: str | None = None) -> list[dict[str, Any]]:
    """Every key version (receiver, version, created_at, retired_at): never key material."""
    rows = (
        store.rows("pseudonym_key", receiver=receiver) if receiver else store.rows("pseudonym_key")
    )
    return sorted(
        ({k: r[k] for k in ("receiver", "version", "created_at", "retired_at")} for r in rows),
        key=lambda r: (r["receiver"], r["version"]),
    )


# -- the feed --------------------------------------------------------------------------------
def pseudonym_for(keys: KeyStore, receiver: str, version: int, tckn: str) -> str:
    """M4/1-ı — the patient's pseudonym for one receiver under one key version."""
    digest = bytes.fromhex(keys.hmac(key_name(receiver, version), pseudonym_message(tckn)))
    return encode_pseudonym(version, digest)


def _context(receiver: str, version: int, pseudonym: str) -> tuple[bytes, ...]:
    return b"mahrem-vault-v1", receiver.encode(), str(version).encode(), pseudonym.encode()


def _deposit(
    store: Store,
    vault: Vault,
    receiver: str,
    version: int,
    pseudonym: str,
    patient: str,
    at: datetime,
) -> None:
    if store.exists("vault_entry", pseudonym):
        return
    sealed = vault.seal(patient.encode(), *_context(receiver, version, pseudonym))
    store.add(
        "vault_entry",
        pseudonym=pseudonym,
        receiver=receiver,
        key_version=version,
        ciphertext=sealed,
        created_at=at,
    )


def _patient_entry(
    store: Store, pid: str, pseudonym: str, receiver: str, reduction: Reduction
) -> dict[str, Any]:
    person = store.person(pid)
    assert person is not None
    entry: dict[str, Any] = {
        "resourceType": "Patient",
        "id": pseudonym,
        "meta": {"security": [PSEUDED]},
        "identifier": [{"system": f"urn:mahrem:pseudonym:{receiver}", "value": pseudonym}],
    }
    born = reduce_date(person.birth_date.isoformat(), reduction.birth_date)
    if born:
        entry["birthDate"] = born
    if person.died_at is not None:
        entry["deceasedBoolean"] = True
    return entry


def _record_entry(
    row: dict[str, Any], content: dict[str, Any], subject: Subject, reduction: Reduction
) -> dict[str, Any]:
    resource = pseudonymise(content, subject, reduction)
    if _FHIR_ID.match(row["id"]) and scrub_text(row["id"], subject.pattern()) == row["id"]:
        resource["id"] = row[
            "id"
        ]  # the provider's record id, so the central system can match updates
    resource["meta"] = {**resource.get("meta", {}), "security": [PSEUDED]}
    if (
        resource["resourceType"] == "Patient"
    ):  # demographics the provider sent: tie them to the pseudonym
        resource["link"] = [
            {"other": {"reference": f"Patient/{subject.pseudonym}"}, "type": "seealso"}
        ]
    return resource


def export_feed(
    store: Store,
    keys: KeyStore,
    vault: Vault,
    receiver: str,
    at: datetime,
    *,
    facility: str | None = None,
    reduction: Reduction | None = None,
    by: str | None = None,
) -> dict[str, Any]:
    """M7/1 — the feed as a FHIR Bundle: one pseudonymous Patient per patient, then every record
    (of one facility, if given) without direct identifiers. Fills the vault and is audited."""
    reduction = reduction or Reduction()
    version = current_key(store, receiver, at)
    if facility is not None:
        require(store, "facility", facility, "facility")
    records = store.rows("record", facility=facility) if facility else store.rows("record")
    records = sorted(
        (r for r in records if r["created_at"] <= at), key=lambda r: (r["created_at"], r["id"])
    )
    # Content through the one reader (decrypted, current version); deleted or destroyed
    # records no longer exist for anyone and are not sent.
    contents = {r["id"]: current_resource(store, keys, r["id"]) for r in records}
    records = [r for r in records if contents[r["id"]] is not None]
    subjects: dict[str, Subject] = {}
    for pid in dict.fromkeys(r["patient"] for r in records):
        person = store.get("person", pid)
        assert person is not None
        pseudonym = pseudonym_for(keys, receiver, version, person["tckn"])
        _deposit(store, vault, receiver, version, pseudonym, pid, at)
        subjects[pid] = Subject(pid, pseudonym, person["name"], person["tckn"], person["phone"])
    entries = [
        _patient_entry(store, pid, s.pseudonym, receiver, reduction) for pid, s in subjects.items()
    ]
    entries += [
        _record_entry(r, contents[r["id"]] or {}, subjects[r["patient"]], reduction)
        for r in records
    ]
    audit.append(
        store,
        at=at,
        kind="admin",
        actor=by,
        action="central_export",
        outcome="accepted",
        facility=facility,
        detail={
            "receiver": receiver,
            "key_version": version,
            "patients": len(subjects),
            "records": len(records),
        },
    )
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": at.isoformat(),
        "meta": {
            "security": [PSEUDED],
            "tag": [{"system": FEED_TAG, "code": f"{receiver}/v{version}"}],
        },
        "entry": [{"resource": e} for e in entries],
    }


# -- re-identification -----------------------------------------------------------------------
def unknown_pseudonym() -> NotFound:
    """What an unknown pseudonym looks like — and a concealed patient's (M12/1, rule 2)."""
    return NotFound("pseudonym.unknown", "pseudonym: unknown pseudonym", field="pseudonym")


@dataclass(frozen=True, slots=True)
class Reidentification:
    """The outcome of one attempt: the decision (None for an unknown pseudonym) and, on
    permit, the identity behind the pseudonym."""

    pseudonym: str
    decision: Decision | None
    identity: dict[str, Any] | None = None

    def answer(self, lang: str = "tr") -> dict[str, Any]:
        """The identity on permit; otherwise the refusal, raised after the attempt was audited."""
        d = self.decision
        if d is None or (not d.permitted and d.basis == "12/1"):
            raise unknown_pseudonym()
        if not d.permitted or self.identity is None:
            raise Refused("reidentify.denied", d.reason(lang), basis=d.basis, field="pseudonym")
        return {
            **self.identity,
            "basis": d.basis,
            "reason": d.reason(lang),
            "policy_version": d.policy_version,
        }


def _patient_behind(store: Store, vault: Vault, pseudonym: str) -> str | None:
    row = store.get("vault_entry", pseudonym)
    if row is None:
        return None
    try:
        context = _context(row["receiver"], row["key_version"], pseudonym)
        return vault.open(bytes(row["ciphertext"]), *context).decode()
    except ValueError as exc:
        raise MahremError(
            "vault.integrity", "the vault entry does not open: it was altered"
        ) from exc


def reidentify(
    store: Store, vault: Vault, actor: str, pseudonym: str, purpose: str, at: datetime
) -> Reidentification:
    """M7/1–M7/3, rule 9 — the identity behind one pseudonym, for a ministry user the General
    Directorate authorised, for a purpose among the unit's duties. The engine decides (so a
    court concealment order, rule 2, refuses first) and the decision is audited."""
    require(store, "person", actor, "actor")
    if purpose not in PURPOSES:
        raise InputError(
            "field.invalid",
            f"purpose: {purpose!r} is not one of {sorted(PURPOSES)}",
            field="purpose",
        )
    if not is_pseudonym(pseudonym):
        raise InputError(
            "pseudonym.invalid",
            "pseudonym: expected PSN<version>-<32 base32 characters>",
            field="pseudonym",
        )
    patient = _patient_behind(store, vault, pseudonym)
    if patient is None:
        audit.append(
            store,
            at=at,
            kind="admin",
            actor=actor,
            action="reidentify",
            purpose=purpose,
            outcome="rejected",
            reason="pseudonym.unknown",
            detail={"pseudonym": pseudonym},
        )
        return Reidentification(pseudonym, None)
    decision = decide(
        store, Request(actor=actor, action="reidentify", patient=patient, at=at, purpose=purpose)
    )
    if not decision.permitted:
        return Reidentification(pseudonym, decision)
    person = store.get("person", patient)
    assert person is not None
    identity = {
        "pseudonym": pseudonym,
        "patient": patient,
        "name": person["name"],
        "tckn": person["tckn"],
        "birth_date": person["birth_date"].isoformat(),
    }
    return Reidentification(pseudonym, decision, identity)
