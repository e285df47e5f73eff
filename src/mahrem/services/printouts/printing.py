"""M5/5 — printed laboratory results with the patient's identifiers masked, and the
verification code with which the patient (only the patient, after login) opens the full
document online.

"Sağlık hizmeti sunucuları, tahlil ve tetkik sonuçları gibi hastaya ait kişisel sağlık
verilerini içeren basılı materyal üzerinde gerekli kısmî kimliksizleştirme veya maskeleme
tedbirlerini uygular ve söz konusu materyalin yetkisiz kişilerin eline geçmesi hâlinde kime ait
olduğunun tespit edilmesini zorlaştıracak diğer tedbirleri alır."

The code is kept only as an HMAC under a key outside the database, like the M6/5 code. Every
record printed or opened is a read decided by the engine and audited: the patient's own reads
are permitted under 5/6; a staff member printing for a patient needs what rule 4 gives them.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mahrem.domain.decision import PURPOSES, Decision, Request
from mahrem.domain.errors import InputError, MahremError, NotFound
from mahrem.domain.masking import Identity, MaskingConfig, full_identity, masked_identity
from mahrem.domain.policy import Policy
from mahrem.domain.printout import LabReport
from mahrem.domain.pseudonym import address_province, address_text
from mahrem.services import audit
from mahrem.services.access import decide
from mahrem.services.lookup import require, require_record_of, unknown
from mahrem.services.ports import KeyStore, Renderer, Store
from mahrem.services.printouts.lab_results import result_rows
from mahrem.services.records import current_resource

PRINTOUT_KEY = "printout"
# No 0/O, 1/I/L: a code read off paper and typed in should not be mistyped.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
LAB_CATEGORY = "laboratory"


def new_code() -> str:
    """A random verification code: 10 characters from a 31-letter alphabet (about 49 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str) -> str:
    """The code as printed, in two groups of five."""
    return f"{code[:5]}-{code[5:]}"


def normalise_code(text: str) -> str:
    """A typed code: case, spaces and dashes do not matter."""
    return "".join(c for c in text.upper() if c.isalnum())


def _mac(keys: KeyStore, code: str) -> str:
    return keys.hmac(PRINTOUT_KEY, "printout:" + normalise_code(code))


@dataclass(frozen=True, slots=True)
class Printout:
    """The outcome of creating or opening a printout: the PDF, or why there is none (raised
    only after the decisions were audited)."""

    pdf: bytes | None
    code: str | None = None
    error: MahremError | None = None

    def answer(self) -> Printout:
        if self.error is not None:
            raise self.error
        return self


def unknown_printout() -> MahremError:
    """What an unknown code looks like — and a known code asked for by anyone but its owner."""
    return NotFound("printout.unknown", "code: unknown verification code", field="code")


def _read_all(
    store: Store, actor: str, patient: str, record_ids: list[str], at: datetime, purpose: str | None
) -> list[tuple[str, Decision]]:
    return [
        (
            rid,
            decide(
                store,
                Request(
                    actor=actor, action="read", patient=patient, at=at, record=rid, purpose=purpose
                ),
            ),
        )
        for rid in record_ids
    ]


def _lab_records(
    store: Store,
    keys: KeyStore,
    patient: str,
    at: datetime,
    records: list[str] | None,
    facility: str | None,
) -> tuple[str, list[dict[str, Any]]]:
    if records:
        rows = [
            store.get("record", require_record_of(store, r, patient, f"records[{i}]"))
            for i, r in enumerate(records)
        ]
        chosen = [r for r in rows if r is not None]
    else:
        chosen = [
            r
            for r in store.rows("record", patient=patient, category=LAB_CATEGORY)
            if r["created_at"] <= at
        ]
    chosen = [
        r for r in chosen if current_resource(store, keys, r["id"]) is not None
    ]  # deleted or destroyed
    chosen.sort(key=lambda r: (r["created_at"], _natural(r["id"])))
    if facility is None and chosen:
        facility = chosen[-1]["facility"]  # the facility of the latest result hands it over
    if facility is None:
        raise InputError("printout.no_results", "no laboratory result to print", field="records")
    require(store, "facility", facility, "facility")
    return facility, [r for r in chosen if r["facility"] == facility]


def _natural(text: str) -> tuple[tuple[int, str], ...]:
    """Sort key that puts L2 before L10."""
    return tuple(
        (int(part), "") if part.isdigit() else (0, part)
        for part in re.split(r"(\d+)", text)
        if part
    )


def _address(store: Store, keys: KeyStore, patient: str) -> tuple[str | None, str | None]:
    """The address on the patient's latest Patient resource, if any: (full text, province)."""
    demographics = sorted(
        store.rows("record", patient=patient, resource_type="Patient"),
        key=lambda r: r["created_at"],
    )
    for row in reversed(demographics):
        addresses = (current_resource(store, keys, row["id"]) or {}).get("address") or []
        if addresses and isinstance(addresses[0], dict):
            return address_text(addresses[0]), address_province(addresses[0])
    return None, None


def _identity(
    store: Store, keys: KeyStore, patient: str, masking: MaskingConfig | None
) -> Identity:
    person = store.get("person", patient)
    assert person is not None
    text, province = _address(store, keys, patient)
    if masking is None:
        return full_identity(
            person["name"], person["tckn"], person["birth_date"], person["phone"], text
        )
    return masked_identity(
        person["name"], person["tckn"], person["birth_date"], person["phone"], province, masking
    )


def _report(
    store: Store,
    keys: KeyStore,
    patient: str,
    facility: str,
    records: list[dict[str, Any]],
    at: datetime,
    code: str,
    masking: MaskingConfig | None,
) -> LabReport:
    fac = store.get("facility", facility)
    assert fac is not None
    rows = tuple(
        row
        for r in records
        for row in result_rows(current_resource(store, keys, r["id"]) or {}, r["created_at"])
    )
    authors = [r["author"] for r in records if r["author"]]
    physician = store.get("person", authors[-1]) if authors else None
    sampled = [row.taken_at for row in rows if row.taken_at]
    return LabReport(
        facility=fac["name"],
        patient=_identity(store, keys, patient, masking),
        rows=rows,
        issued_at=at,
        code=display_code(code),
        masked=masking is not None,
        physician=physician["name"] if physician else None,
        sampled_at=min(sampled) if sampled else None,
        approved_at=max(r["created_at"] for r in records) if records else None,
    )


def create(
    store: Store,
    keys: KeyStore,
    render: Renderer,
    policy: Policy,
    *,
    actor: str,
    patient: str,
    at: datetime,
    facility: str | None = None,
    records: list[str] | None = None,
    masking: dict[str, str] | None = None,
    purpose: str | None = None,
) -> Printout:
    """M5/5 — a masked printout of the patient's laboratory results at one facility (by default
    the facility of the latest result), with a new verification code. Masking follows the
    policy's rules, overridden field by field by `masking`."""
    require(store, "person", actor, "actor")
    require(store, "person", patient, "patient")
    if purpose is not None and purpose not in PURPOSES:
        raise InputError(
            "field.invalid",
            f"purpose: {purpose!r} is not one of {sorted(PURPOSES)}",
            field="purpose",
        )
    config = MaskingConfig.from_mapping(policy.printout_masking, masking)
    facility, chosen = _lab_records(store, keys, patient, at, records, facility)
    decided = _read_all(store, actor, patient, [r["id"] for r in chosen], at, purpose)
    if any(d.basis == "12/1" and not d.permitted for _, d in decided):
        return Printout(None, error=unknown("person", patient, "patient"))
    allowed = {rid for rid, d in decided if d.permitted}
    printed = [r for r in chosen if r["id"] in allowed]
    if not printed:
        error = InputError(
            "printout.no_results", "no laboratory result this person may print", field="records"
        )
        return Printout(None, error=error)
    code = new_code()
    store.add(
        "printout",
        code_hmac=_mac(keys, code),
        patient=patient,
        facility=facility,
        created_by=actor,
        created_at=at,
        records=[r["id"] for r in printed],
        masking=config.to_dict(),
    )
    audit.append(
        store,
        at=at,
        kind="admin",
        actor=actor,
        action="printout_created",
        patient=patient,
        facility=facility,
        outcome="accepted",
        detail={"records": [r["id"] for r in printed], "masking": config.to_dict()},
    )
    report = _report(store, keys, patient, facility, printed, at, code, config)
    return Printout(render(report), code=display_code(code))


def open_full(
    store: Store, keys: KeyStore, render: Renderer, *, actor: str, code: str, at: datetime
) -> Printout:
    """M5/5 — the full (unmasked) document behind a verification code, for its owner alone;
    anyone else gets exactly what an unknown code gets. Every attempt is audited."""
    row = store.get("printout", _mac(keys, code))
    if row is None or row["patient"] != actor:
        audit.append(
            store,
            at=at,
            kind="admin",
            actor=actor,
            action="printout_opened",
            patient=row["patient"] if row else None,
            outcome="rejected",
            reason="printout.unknown",
        )
        return Printout(None, error=unknown_printout())
    patient = row["patient"]
    audit.append(
        store,
        at=at,
        kind="admin",
        actor=actor,
        action="printout_opened",
        patient=patient,
        facility=row["facility"],
        outcome="accepted",
    )
    decided = _read_all(store, actor, patient, list(row["records"]), at, None)
    allowed = {rid for rid, d in decided if d.permitted}
    records = [
        r for r in (store.get("record", rid) for rid in row["records"]) if r and r["id"] in allowed
    ]
    report = _report(
        store,
        keys,
        patient,
        row["facility"],
        records,
        row["created_at"],
        normalise_code(code),
        None,
    )
    return Printout(render(report), code=display_code(normalise_code(code)))
