"""Health records (C1): a FHIR R4 resource validated with fhir.resources (R4B models), and
its category, author, facility and creation time.

The content is encrypted at rest (M14, crypto-shredding): every version of a record is sealed
with AES-256-GCM under its patient's data key, which the key store keeps outside the database
wrapped under a master key. Destroying the data key makes every copy unreadable, backups
included. Corrections (M13) add versions and keep the earlier ones; `current_resource` is the
one reader of content for every door.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from mahrem.domain.categories import CATEGORIES, derive_category, linked_references
from mahrem.domain.errors import InputError
from mahrem.domain.fhir_bindings import check_bindings
from mahrem.domain.policy import Policy
from mahrem.services.inputs import Fields
from mahrem.services.lookup import require
from mahrem.services.ports import KeyStore, Store


def validate_fhir(resource: object, field: str) -> dict[str, Any]:
    """Validate a FHIR R4 resource (its structure, then its required bindings and invariants,
    domain/fhir_bindings.py); returns it as given, or raises naming the field."""
    from fhir.resources.R4B import get_fhir_model_class

    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        raise InputError(
            "fhir.invalid", f"{field}: a FHIR resource needs a resourceType", field=field
        )
    try:
        model = get_fhir_model_class(resource["resourceType"])
        model.model_validate(resource)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        detail = _first_error(exc)
        raise InputError(
            "fhir.invalid",
            f"{field}: invalid FHIR {resource['resourceType']}: {detail}",
            field=field,
        ) from exc
    check_bindings(resource, field)
    return resource


def _first_error(exc: ValueError) -> str:
    if isinstance(exc, ValidationError) and exc.errors():
        err = exc.errors()[0]
        return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
    return str(exc).splitlines()[0]


def add_record(
    store: Store,
    data: object,
    where: str,
    created_at: datetime,
    policy: Policy,
    keys: KeyStore | None = None,
    *,
    validated: bool = False,
) -> str:
    """Validate and store one record; the category is derived where the sender gave none, and
    returned.

    The content is stored only encrypted (version 1, under the patient's data key, M14): the
    database never holds it in clear. Without a key store (a caller not yet wired to one) the
    content waits in `record.resource` until `seal_plaintext` encrypts it."""
    f = Fields(data, where)
    rid = f.str("id")
    if store.exists("record", rid):
        raise InputError(
            "record.duplicate", f"{where}.id: record {rid!r} already exists", field=f"{where}.id"
        )
    patient = require(store, "person", f.str("patient"), f"{where}.patient")
    facility = require(store, "facility", f.str("facility"), f"{where}.facility")
    author = (
        require(store, "person", f.str("author"), f"{where}.author") if f.has("author") else None
    )
    sent = f.opt_str("category", CATEGORIES)
    # A push validated the whole Bundle already (records/ingest.py); validating twice costs
    # half the push.
    resource = (
        f.data["resource"]
        if validated
        else validate_fhir(f.data.get("resource"), f"{where}.resource")
    )
    reasons, encounters = linked_references(resource)
    category = derive_category(
        resource,
        sent,
        policy,
        reasons=_linked_categories(store, patient, reasons, "Condition"),
        encounters=_linked_categories(store, patient, encounters, "Encounter"),
    )
    store.add(
        "record",
        id=rid,
        patient=patient,
        facility=facility,
        author=author,
        created_at=created_at,
        category=category,
        resource_type=resource["resourceType"],
        resource={} if keys is not None else resource,
    )
    if keys is not None:
        _write_version(store, keys, rid, patient, 1, resource, category, created_at, by=author)
    return category


def _linked_categories(store: Store, patient: str, references: list[str], rtype: str) -> list[str]:
    """The categories of the records of type `rtype` of the same patient that `references`
    name (`Type/<record id>`, as a push rewrites them); others are not looked at."""
    out = []
    for reference in references:
        kind, _, rid = reference.partition("/")
        row = store.get("record", rid) if kind == rtype and rid else None
        if row is not None and row["patient"] == patient and row["resource_type"] == rtype:
            out.append(str(row["category"]))
    return out


# -- encryption at rest (M14: crypto-shredding) ------------------------------------------------
def key_name(patient: str, version: int) -> str:
    """The key store's name of a patient's data key version."""
    return f"patient:{patient}:v{version}"


def _aad(record_id: str, version: int) -> bytes:
    # Binds a ciphertext to its record and version: moved to another row, it does not open.
    return f"mahrem record\x00{record_id}\x00{version}".encode()


def _encode(resource: dict[str, Any]) -> bytes:
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def current_key_version(store: Store, patient: str, at: datetime) -> int:
    """The patient's data key version new content is sealed under; the first is made on first
    use. Touching the row takes its lock (PostgreSQL), so a writer queues behind a re-key in
    progress and then sees the new version."""
    for _ in range(3):
        open_keys = [r for r in store.rows("data_key", patient=patient) if r["retired_at"] is None]
        if not open_keys:
            versions = [r["version"] for r in store.rows("data_key", patient=patient)]
            version = max(versions, default=0) + 1
            store.add("data_key", patient=patient, version=version, created_at=at, used_at=at)
            return version
        row = max(open_keys, key=lambda r: r["version"])
        store.set("data_key", row["id"], used_at=at)
        fresh = store.get("data_key", row["id"])
        if fresh is not None and fresh["retired_at"] is None:
            return int(row["version"])
    raise RuntimeError(f"data key of {patient!r} keeps changing")  # pragma: no cover


def _write_version(
    store: Store,
    keys: KeyStore,
    record_id: str,
    patient: str,
    version: int,
    resource: dict[str, Any],
    category: str,
    at: datetime,
    *,
    by: str | None = None,
    basis: str | None = None,
    request: str | None = None,
) -> None:
    kv = current_key_version(store, patient, at)
    sealed = keys.seal(key_name(patient, kv), _encode(resource), _aad(record_id, version))
    store.add(
        "record_version",
        record=record_id,
        version=version,
        key_version=kv,
        ciphertext=sealed,
        category=category,
        created_at=at,
        created_by=by,
        basis=basis,
        correction_request=request,
    )


def _versions(store: Store, record_id: str) -> list[dict[str, Any]]:
    return sorted(store.rows("record_version", record=record_id), key=lambda v: v["version"])


def _open(
    store: Store, keys: KeyStore, patient: str, version: dict[str, Any]
) -> dict[str, Any] | None:
    if version["ciphertext"] is None:
        return None
    plain = keys.unseal(
        key_name(patient, version["key_version"]),
        version["ciphertext"],
        _aad(version["record"], version["version"]),
    )
    if plain is None:
        return None
    resource: dict[str, Any] = json.loads(plain)
    # FHIR's version metadata on every read (the ETag and If-Match rest on it).
    resource["meta"] = {
        **resource.get("meta", {}),
        "versionId": str(version["version"]),
        "lastUpdated": version["created_at"].isoformat(),
    }
    return resource


def disposal(store: Store, record_id: str) -> dict[str, Any] | None:
    """How the record was disposed of (deleted, destroyed, anonymised), or None."""
    return store.get("record_disposal", record_id)


def current_resource(store: Store, keys: KeyStore, record_id: str) -> dict[str, Any] | None:
    """The record's current FHIR resource as readers see it — the latest corrected version
    (M13); None when it no longer exists for users (deleted, destroyed or anonymised, M14) or
    its data key was destroyed. Every reader of record content goes through here."""
    row = store.get("record", record_id)
    if row is None or disposal(store, record_id) is not None:
        return None
    versions = _versions(store, record_id)
    if not versions:  # written before encryption at rest and not sealed yet
        return dict(row["resource"]) if row["resource"] else None
    return _open(store, keys, row["patient"], versions[-1])


def record_versions(store: Store, keys: KeyStore, record_id: str) -> list[dict[str, Any]]:
    """Every version of the record, oldest first, with its content (None once destroyed), for
    the patient's and the auditor's view of the history (M13)."""
    row = store.get("record", record_id)
    if row is None:
        return []
    return [
        {
            **{
                k: v[k]
                for k in (
                    "version",
                    "key_version",
                    "category",
                    "created_at",
                    "created_by",
                    "basis",
                    "correction_request",
                )
            },
            "resource": _open(store, keys, row["patient"], v),
        }
        for v in _versions(store, record_id)
    ]


def add_version(
    store: Store,
    keys: KeyStore,
    record_id: str,
    resource: dict[str, Any],
    at: datetime,
    *,
    by: str,
    basis: str,
    category: str | None = None,
    request: str | None = None,
) -> int:
    """M13 — a corrected version of the record; the earlier versions are kept. Returns its
    number."""
    row = store.get("record", record_id)
    if row is None:
        raise InputError("record.unknown", f"record: unknown record {record_id!r}", field="record")
    seal_plaintext(store, keys, record_id)
    validate_fhir(resource, "resource")
    if resource["resourceType"] != row["resource_type"]:
        raise InputError(
            "correction.resource_type",
            f"resource: a correction keeps the resource type {row['resource_type']}",
            field="resource",
        )
    category = category or row["category"]
    if category not in CATEGORIES:
        raise InputError(
            "field.invalid", f"category: {category!r} is not a category", field="category"
        )
    version = (_versions(store, record_id) or [{"version": 0}])[-1]["version"] + 1
    _write_version(
        store,
        keys,
        record_id,
        row["patient"],
        version,
        resource,
        category,
        at,
        by=by,
        basis=basis,
        request=request,
    )
    if category != row["category"]:
        store.set("record", record_id, category=category)
    return int(version)


def seal_plaintext(store: Store, keys: KeyStore, record_id: str) -> bool:
    """Encrypt a record written before encryption at rest (or without a key store) and clear
    its clear-text column; True when there was something to seal."""
    row = store.get("record", record_id)
    if row is None or not row["resource"] or _versions(store, record_id):
        return False
    _write_version(
        store,
        keys,
        record_id,
        row["patient"],
        1,
        dict(row["resource"]),
        row["category"],
        row["created_at"],
        by=row["author"],
    )
    store.set("record", record_id, resource={})
    return True


def rekey_patient(
    store: Store, keys: KeyStore, patient: str, at: datetime, drop: set[str]
) -> list[str]:
    """Crypto-shredding for some of a patient's records (M14, yok etme): clear the ciphertext of
    every version of the records in `drop`, re-encrypt every other version under a new data key
    version, and retire the old versions. Returns the key names to destroy once this
    transaction has committed (the caller shreds them; `pending_shreds` finds them again after
    a crash)."""
    records = [r["id"] for r in store.rows("record", patient=patient)]
    for rid in records:
        seal_plaintext(store, keys, rid)
    old = [r for r in store.rows("data_key", patient=patient) if r["retired_at"] is None]
    kept: list[tuple[dict[str, Any], bytes]] = []
    for rid in records:
        for v in _versions(store, rid):
            if v["ciphertext"] is None:
                continue
            if rid in drop:
                store.set("record_version", v["id"], ciphertext=None)
                continue
            plain = keys.unseal(
                key_name(patient, v["key_version"]), v["ciphertext"], _aad(rid, v["version"])
            )
            if plain is not None:
                kept.append((v, plain))
    for row in old:
        store.set("data_key", row["id"], retired_at=at)
    if kept:
        kv = current_key_version(store, patient, at)
        for v, plain in kept:
            sealed = keys.seal(key_name(patient, kv), plain, _aad(v["record"], v["version"]))
            store.set("record_version", v["id"], key_version=kv, ciphertext=sealed)
    return [key_name(patient, r["version"]) for r in old]


def pending_shreds(store: Store) -> list[dict[str, Any]]:
    """Retired data keys not yet destroyed (a run interrupted between commit and shredding)."""
    return [r for r in store.rows("data_key", shredded_at=None) if r["retired_at"] is not None]
