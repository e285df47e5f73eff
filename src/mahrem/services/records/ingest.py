"""Hospital software (SBYS) pushes FHIR R4 resources (C1): one resource or a transaction
Bundle, validated with fhir.resources (R4B): a transaction all or nothing, a batch entry by
entry (records/pushing.py); idempotent on the sender's resource id.

Only a registered installation writes (the KTS letter, point 3; records/gate.py). The Patients
of a push are linked first (records/patients.py), so the other entries can name them; every
other resource about a patient is stored as a record of that patient at the installation's
facility (records/storing.py). Directory resources (Organization, Location, Practitioner…) are
not health data of a person and are acknowledged without being stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mahrem.domain.errors import InputError, MahremError, NotSupported, Refused
from mahrem.domain.fhir_search import STORED_TYPES
from mahrem.domain.policy import Policy
from mahrem.services import audit
from mahrem.services.ports import KeyStore, Store
from mahrem.services.records.authors import link_practitioner
from mahrem.services.records.entries import DIRECTORY_TYPES, TCKN_SYSTEM, EntryResult
from mahrem.services.records.gate import gate_write
from mahrem.services.records.naming import linked_record, local_id_of, new_record_id
from mahrem.services.records.patients import link_patient
from mahrem.services.records.resources import validate_fhir
from mahrem.services.records.storing import Sender, store_record


@dataclass(frozen=True, slots=True)
class Entry:
    """One resource of a push: the resource, its Bundle fullUrl, and the id the sender gave it
    (None: Mahrem names it by its content)."""

    resource: dict[str, Any]
    full_url: str | None
    local_id: str | None
    error: MahremError | None = None  # a batch entry refused on its own (invalid FHIR)


def push(
    store: Store,
    keys: KeyStore,
    policy: Policy,
    *,
    installation: str,
    actor: str,
    entries: list[Entry],
    at: datetime,
    where: Callable[[int], str],
    tckn_system: str = TCKN_SYSTEM,
    key: str | None = None,
    names: dict[str, str] | None = None,
) -> list[EntryResult] | Refused:
    """Store the entries of one push, all or nothing; software that may not write gets back the
    refusal to raise once the incident is committed. `names` collects the references the push
    defines (`urn:uuid:…`, `Type/<sender's id>`) → Mahrem's `Type/<id>`."""
    facility = gate_write(store, installation, actor, at, "fhir_push")
    if isinstance(facility, Refused):
        return facility
    sender = Sender(installation, facility, actor, at, tckn_system)
    names = {} if names is None else names
    results: dict[int, EntryResult] = {}
    audited: list[dict[str, Any]] = []
    for i, e in enumerate(entries):
        if e.resource["resourceType"] != "Patient":
            continue
        local = e.local_id or e.resource.get("id") or local_id_of(e.resource, None)
        result = link_patient(store, e.resource, where(i), facility, at, tckn_system, local)
        for name in (f"Patient/{local}", e.full_url):
            if name:
                names[name] = f"Patient/{result.patient}"
        results[i] = result
        if result.outcome != "unchanged":
            audited.append(
                _entry(
                    at, actor, installation, f"patient_{result.outcome}", result.patient, None, key
                )
            )
    # Mahrem's id of every record of the push first (the one linked before, or a new one), so
    # that entries name each other by it whatever their order.
    local_ids: dict[int, str] = {}
    linked: dict[int, str | None] = {}
    for i, e in enumerate(entries):
        rtype = e.resource["resourceType"]
        if rtype == "Patient" or rtype in DIRECTORY_TYPES:
            continue
        local = local_ids[i] = local_id_of(e.resource, e.local_id)
        linked[i] = linked_record(store, installation, rtype, local)
        rid = linked[i] or new_record_id(at)
        for name in (f"{rtype}/{local}", e.full_url):
            if name:
                names[name] = f"{rtype}/{rid}"
    for i, e in enumerate(entries):
        rtype = e.resource["resourceType"]
        if rtype == "Patient":
            continue
        if rtype in DIRECTORY_TYPES:
            if rtype == "Practitioner":
                link_practitioner(store, e.resource, installation, at, tckn_system)
            results[i] = EntryResult(rtype, str(e.resource.get("id", "")), "ignored")
            continue
        if rtype not in STORED_TYPES:
            raise NotSupported(
                "fhir.type_unsupported",
                f"{where(i)}.resourceType: Mahrem does not store {rtype} "
                "(GET /fhir/metadata lists the types it does)",
                field=f"{where(i)}.resourceType",
            )
        rid = names[f"{rtype}/{local_ids[i]}"].partition("/")[2]
        result = store_record(
            store,
            keys,
            policy,
            e.resource,
            where(i),
            sender,
            names,
            local_ids[i],
            rid,
            linked=linked[i] is not None,
        )
        results[i] = result
        if result.outcome == "created":
            audited.append(
                _entry(at, actor, installation, "record_created", result.patient, result.id, key)
            )
    audit.append_many(store, audited)
    return [results[i] for i in range(len(entries))]


def _entry(
    at: datetime,
    actor: str,
    installation: str,
    action: str,
    patient: str | None,
    record: str | None,
    key: str | None,
) -> dict[str, Any]:
    # The staff member the installation asserted, as staff, with the key that asserted them.
    return dict(
        at=at,
        kind="event",
        actor=actor,
        capacity="staff",
        via=installation,
        action=action,
        patient=patient,
        record=record,
        outcome="accepted",
        detail={"key": key} if key else None,
    )


def entries_of(
    body: object, *, given_id: str | None = None, keep_id: bool = True
) -> tuple[str, list[Entry]]:
    """The kind of a push (`single`, `transaction`, `batch`, `collection`) and its entries, each
    validated on its own (so an error names its entry), then the Bundle around them. A single
    resource is named by `given_id` (PUT), else by its own id when `keep_id` (POST /fhir), else
    by its content (a type-level create: the server names it, FHIR's create)."""
    if not isinstance(body, dict) or body.get("resourceType") != "Bundle":
        resource = validate_fhir(body, "body")
        local = given_id or (resource.get("id") if keep_id else None)
        return "single", [Entry(resource, None, local)]
    kind = body.get("type")
    if kind not in ("transaction", "batch", "collection"):
        raise InputError(
            "bundle.type",
            "body.type: a pushed Bundle is a transaction, batch or collection",
            field="body.type",
        )
    raw = body.get("entry") or []
    if not isinstance(raw, list):
        raise InputError("bundle.entry", "body.entry: must be a list", field="body.entry")
    out: list[Entry] = []
    for i, entry in enumerate(raw):
        inner = entry.get("resource") if isinstance(entry, dict) else None
        if inner is None:
            raise InputError(
                "bundle.entry",
                f"body.entry[{i}]: an entry needs a resource",
                field=f"body.entry[{i}]",
            )
        try:
            resource = validate_fhir(inner, f"body.entry[{i}].resource")
        except MahremError as exc:
            if kind != "batch" or not isinstance(inner, dict):
                raise
            out.append(Entry(inner, entry.get("fullUrl"), None, exc))
            continue
        out.append(Entry(resource, entry.get("fullUrl"), _entry_id(entry, resource)))
    validate_fhir(
        {**body, "entry": [{k: v for k, v in e.items() if k != "resource"} for e in raw]},
        "body",
    )
    return str(kind), out


def _entry_id(entry: dict[str, Any], resource: dict[str, Any]) -> str | None:
    """The sender's id of a Bundle entry: a PUT's URL id, none for a POST (the server names what
    is created), else the resource's own id."""
    request = entry.get("request") or {}
    method = str(request.get("method") or "").upper()
    if method == "POST":
        return None
    if method == "PUT":
        local = str(request.get("url") or "").partition("/")[2]
        return local.partition("?")[0] or resource.get("id")
    given = resource.get("id")
    return given if isinstance(given, str) else None
