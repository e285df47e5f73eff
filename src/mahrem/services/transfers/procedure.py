"""M15 — transfers of health data to a recipient at home or abroad.

"Kişisel sağlık verilerinin, Kanunun 8 inci maddesinin ikinci fıkrasının (b) bendi ile üçüncü
fıkrası ve 28 inci maddesi kapsamında kamu kurum ve kuruluşlarına aktarılması için protokol
düzenlenir. Düzenlenen protokolde ... protokol kapsamında hangi verilerin aktarılacağına yer
verilir." (M15/2)

Every selected record is decided by the engine (rule 10, action `transfer`, as the dpo who
carries out the transfer GM approved under M15/3): a public institution only under the named
protocol listing the record's category (15/2); a private or foreign recipient only with the
patient's explicit consent for that kind of recipient (15/1) — abroad is refused by default.

The package is a FHIR R4 Bundle (validated with fhir.resources R4B) of the permitted records
only, encrypted with AES-256-GCM under a fresh 256-bit content key; the additional data is
"mahrem-transfer-v1:<transfer id>". The content key is wrapped for the recipient:

- `X25519-HKDF-SHA256-A256GCM` when the recipient gave an X25519 public key: an ephemeral
  X25519 key agreement, HKDF-SHA256 (salt = ephemeral ‖ recipient public key, info = the
  additional data) to a key-encryption key, AES-256-GCM over the content key;
- `KEYSTORE-HMAC-SHA256-A256GCM` otherwise: the key-encryption key is HMAC-SHA256 under the key
  store's `transfer` secret (outside the database) of the transfer id — for delivery over a
  channel Mahrem itself terminates (KamuNET), where Mahrem opens the package again.

The manifest travels with the package in the clear: recipient, the legal basis of every
transferred record, counts and the SHA-256 of the Bundle and of the package. Refused records,
with their basis, stay with the data protection officer (`Transfer.refused`): telling the
recipient which records it did not get would tell it they exist.

A transfer is resumable: decisions are made and committed in batches, one row per record
(unique per transfer), so running the same transfer id again decides only what is left and
never audits a record twice; a packaged transfer is returned as it is.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain.categories import CATEGORIES
from mahrem.domain.clock import local_date
from mahrem.domain.decision import Recipient, Request
from mahrem.domain.errors import InputError, NotFound
from mahrem.domain.reasons import reason_text
from mahrem.services import audit, guard
from mahrem.services.access import decide
from mahrem.services.audit import guard_dpo
from mahrem.services.lookup import require, require_record_of
from mahrem.services.policies import policy_at
from mahrem.services.ports import Store
from mahrem.services.records import current_resource
from mahrem.services.transfers.packaging import seal, validate_bundle
from mahrem.services.transfers.recipients import parse_recipient

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem

Progress = Callable[[int, int], None]
BATCH = 100


@dataclass(frozen=True, slots=True)
class Selection:
    """What to transfer: every record of these patients, and these records, optionally only
    of these categories."""

    patients: tuple[str, ...] = ()
    records: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Transfer:
    """A transfer as the data protection officer sees it."""

    id: str
    status: str
    created_at: datetime
    recipient: dict[str, Any]
    total: int
    done: int
    manifest: dict[str, Any] | None = None
    package: bytes | None = None
    key_wrap: dict[str, Any] | None = None
    refused: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "recipient": self.recipient,
            "total": self.total,
            "done": self.done,
            "manifest": self.manifest,
            "package": base64.b64encode(self.package).decode()
            if self.package is not None
            else None,
            "key_wrap": self.key_wrap,
            "refused": self.refused,
        }


def _records(store: Store, selection: Selection, at: datetime) -> list[dict[str, Any]]:
    bad = set(selection.categories) - set(CATEGORIES)
    if bad:
        raise InputError("field.invalid", f"categories: unknown {sorted(bad)}", field="categories")
    chosen: dict[str, dict[str, Any]] = {}
    for i, patient in enumerate(selection.patients):
        require(store, "person", patient, f"patients[{i}]")
        chosen.update(
            {r["id"]: r for r in store.rows("record", patient=patient) if r["created_at"] <= at}
        )
    for i, rid in enumerate(selection.records):
        meta = store.record_meta(rid)
        if meta is None:
            raise NotFound(
                "record.unknown", f"records[{i}]: unknown record {rid!r}", field=f"records[{i}]"
            )
        row = store.get("record", require_record_of(store, rid, meta.patient, f"records[{i}]"))
        assert row is not None
        chosen[rid] = row
    if not chosen:
        raise InputError(
            "transfer.empty", "nothing selected: give patients or records", field="patients"
        )
    rows = [
        r
        for r in chosen.values()
        if not selection.categories or r["category"] in selection.categories
    ]
    return sorted(rows, key=lambda r: r["id"])


# -- the run ----------------------------------------------------------------------------------
def transfer(
    m: Mahrem,
    by: str,
    selection: Selection | str | Sequence[str],
    recipient: dict[str, Any],
    *,
    transfer_id: str | None = None,
    at: datetime | None = None,
    progress: Progress | None = None,
    batch: int = BATCH,
) -> Transfer:
    """M15 — decide every selected record for `recipient`, then package the permitted ones
    (see the module docstring). Run again with the same `transfer_id` to resume."""
    at = m.at(at)
    if isinstance(selection, str):
        selection = Selection(patients=(selection,))
    elif not isinstance(selection, Selection):
        selection = Selection(patients=tuple(selection))
    tid = transfer_id or f"T-{secrets.token_hex(8)}"
    guard_dpo(m, by, at, "transfer", "transfer_started")
    with m.uow.read() as store:
        adequate = policy_at(store, at).adequate_countries
    parsed = parse_recipient(recipient, adequate_countries=adequate, today=local_date(at))
    todo, total = _start(m, by, tid, selection, parsed, at)
    done = total - len(todo)
    if progress is not None:
        progress(done, total)
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        with m.uow.write() as store:
            _decide(m, store, by, tid, chunk, at)
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    with m.uow.write() as store:
        return _package(m, store, by, tid, at)


def _start(
    m: Mahrem, by: str, tid: str, selection: Selection, recipient: dict[str, Any], at: datetime
) -> tuple[list[dict[str, Any]], int]:
    """Create the transfer (or find it again); returns the records still to decide."""
    with m.uow.write() as store:
        require(store, "person", by, "by")
        guard.require_dpo(store, by, at, "transfer")
        row = store.get("transfer", tid)
        if row is None:
            ids = [
                {"id": r["id"], "patient": r["patient"], "category": r["category"]}
                for r in _records(store, selection, at)
            ]
            store.add(
                "transfer",
                id=tid,
                created_by=by,
                created_at=at,
                recipient=recipient,
                selection={
                    "patients": list(selection.patients),
                    "records": list(selection.records),
                    "categories": list(selection.categories),
                    "chosen": ids,
                },
                status="running",
                total=len(ids),
            )
            audit.append(
                store,
                at=at,
                kind="admin",
                actor=by,
                action="transfer_started",
                outcome="accepted",
                detail={"transfer": tid, "recipient": _public(recipient), "records": len(ids)},
            )
            return ids, len(ids)
        if (
            _without_ground(row["recipient"]) != _without_ground(recipient)
            or row["selection"]["patients"] != list(selection.patients)
            or row["selection"]["records"] != list(selection.records)
            or row["selection"]["categories"] != list(selection.categories)
        ):
            raise InputError(
                "transfer.mismatch",
                f"transfer {tid!r} exists with another recipient or selection",
                field="transfer_id",
            )
        decided = {r["record"] for r in store.rows("transfer_item", transfer=tid)}
        return [c for c in row["selection"]["chosen"] if c["id"] not in decided], int(row["total"])


def _decide(
    m: Mahrem, store: Store, by: str, tid: str, chunk: list[dict[str, Any]], at: datetime
) -> None:
    row = store.get("transfer", tid)
    assert row is not None
    rcpt = Recipient(row["recipient"]["kind"], row["recipient"]["protocol"])
    for c in chunk:
        d = decide(
            store,
            Request(
                actor=by,
                action="transfer",
                patient=c["patient"],
                at=at,
                record=c["id"],
                recipient=rcpt,
            ),
        )
        store.add(
            "transfer_item",
            transfer=tid,
            record=c["id"],
            patient=c["patient"],
            category=c["category"],
            effect=d.effect,
            basis=d.basis,
            reason=d.reason_key,
            decided_at=at,
        )


def _package(m: Mahrem, store: Store, by: str, tid: str, at: datetime) -> Transfer:
    row = store.get("transfer", tid)
    assert row is not None
    items = sorted(store.rows("transfer_item", transfer=tid), key=lambda r: r["record"])
    if row["status"] == "packaged":
        return _view(row, items)
    entries, sent, refused = [], [], []
    for item in items:
        resource = (
            current_resource(store, m.keys, item["record"]) if item["effect"] == "permit" else None
        )
        if resource is None:
            refused.append(_refusal(item))
            continue
        entries.append({"fullUrl": f"urn:mahrem:record:{item['record']}", "resource": resource})
        sent.append(
            {
                "record": item["record"],
                "patient": item["patient"],
                "category": item["category"],
                "basis": item["basis"],
            }
        )
    bundle = validate_bundle(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": at.isoformat(),
            "entry": entries,
        }
    )
    plain = json.dumps(bundle, ensure_ascii=False, sort_keys=True).encode()
    package, key_wrap = seal(plain, tid, row["recipient"], m.keys)
    bases: dict[str, int] = {}
    for s in sent:
        bases[s["basis"]] = bases.get(s["basis"], 0) + 1
    manifest = {
        "transfer": tid,
        "created_at": row["created_at"].isoformat(),
        "packaged_at": at.isoformat(),
        "sender": "T.C. Sağlık Bakanlığı",
        "recipient": _public(row["recipient"]),
        "records": sent,
        "legal_basis": bases,
        "counts": {"selected": len(items), "transferred": len(sent), "refused": len(refused)},
        "bundle_sha256": hashlib.sha256(plain).hexdigest(),
        "package_sha256": hashlib.sha256(package).hexdigest(),
        "encryption": key_wrap["alg"],
    }
    store.set(
        "transfer",
        tid,
        status="packaged",
        packaged_at=at,
        manifest=manifest,
        package=package,
        key_wrap=key_wrap,
    )
    audit.append(
        store,
        at=at,
        kind="admin",
        actor=by,
        action="transfer_packaged",
        outcome="accepted",
        detail={
            "transfer": tid,
            "counts": manifest["counts"],
            "legal_basis": bases,
            "bundle_sha256": manifest["bundle_sha256"],
        },
    )
    row = store.get("transfer", tid)
    assert row is not None
    return _view(row, items)


def _without_ground(recipient: dict[str, Any]) -> dict[str, Any]:
    """A recipient less its ground, whose Board-notice lateness depends on the day it is read."""
    return {k: v for k, v in recipient.items() if k != "ground"}


def _public(recipient: dict[str, Any]) -> dict[str, Any]:
    return {k: recipient.get(k) for k in ("kind", "name", "protocol", "country", "ground")}


def _refusal(item: dict[str, Any]) -> dict[str, Any]:
    key = item["reason"] if item["effect"] != "permit" else "transfer.record_gone"
    tr, en = (
        reason_text(key)
        if item["effect"] != "permit"
        else (
            "Kayıt artık yok (silindi ya da yok edildi).",
            "The record no longer exists (deleted or destroyed).",
        )
    )
    return {
        "record": item["record"],
        "patient": item["patient"],
        "category": item["category"],
        "basis": item["basis"] if item["effect"] != "permit" else None,
        "reason": key,
        "reason_tr": tr,
        "reason_en": en,
    }


def _view(row: dict[str, Any], items: list[dict[str, Any]]) -> Transfer:
    refused = [_refusal(i) for i in items if i["effect"] != "permit"]
    if row["manifest"]:
        sent = {r["record"] for r in row["manifest"]["records"]}
        refused += [
            _refusal(i) for i in items if i["effect"] == "permit" and i["record"] not in sent
        ]
    return Transfer(
        id=row["id"],
        status=row["status"],
        created_at=row["created_at"],
        recipient=_public(row["recipient"]),
        total=int(row["total"]),
        done=len(items),
        manifest=row["manifest"],
        package=row["package"],
        key_wrap=row["key_wrap"],
        refused=sorted(refused, key=lambda r: r["record"]),
    )
