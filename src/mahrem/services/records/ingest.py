"""Hospital software (SBYS) pushes FHIR R4 resources (C1): one resource or a transaction
Bundle, validated with fhir.resources (R4B), all or nothing, idempotent on the resource id.

Only a registered installation writes (the KTS letter, point 3; records/gate.py). The Patients
of a push are linked first (records/patients.py), so the other entries can name them; every
other resource about a patient is stored as a record of that patient at the installation's
facility (records/storing.py). Directory resources (Organization, Location, Practitioner…) are
not health data of a person and are acknowledged without being stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mahrem.domain.errors import InputError, Refused
from mahrem.domain.policy import Policy
from mahrem.services import audit
from mahrem.services.ports import KeyStore, Store
from mahrem.services.records.entries import DIRECTORY_TYPES, TCKN_SYSTEM, EntryResult, Pushed
from mahrem.services.records.gate import gate_write
from mahrem.services.records.patients import link_patient
from mahrem.services.records.resources import validate_fhir
from mahrem.services.records.storing import store_record


def push(
    store: Store,
    keys: KeyStore,
    policy: Policy,
    *,
    installation: str,
    actor: str,
    body: object,
    at: datetime,
    tckn_system: str = TCKN_SYSTEM,
    key: str | None = None,
) -> Pushed | Refused:
    """Validate and store one resource or a transaction/batch Bundle, all or nothing; software
    that may not write gets back the refusal to raise once the incident is committed."""
    facility = gate_write(store, installation, actor, at, "fhir_push")
    if isinstance(facility, Refused):
        return facility
    resources, full_urls = _entries(body)
    single = (
        len(full_urls) == 1
        and full_urls[0] is None
        and not (isinstance(body, dict) and body.get("resourceType") == "Bundle")
    )

    def where(i: int) -> str:
        return "body" if single else f"body.entry[{i}].resource"

    local: dict[str, str] = {}  # "Patient/<id>" and fullUrls in this push → person
    results: list[EntryResult] = []
    audited: list[dict[str, Any]] = []
    for i, resource in enumerate(resources):
        if resource["resourceType"] != "Patient":
            continue
        result = link_patient(store, resource, where(i), facility, at, tckn_system)
        local[f"Patient/{resource['id']}"] = result.patient or ""
        url = full_urls[i]
        if url:
            local[url] = result.patient or ""
        results.append(result)
        if result.outcome != "unchanged":
            audited.append(
                _entry(
                    at, actor, installation, f"patient_{result.outcome}", result.patient, None, key
                )
            )
    for i, resource in enumerate(resources):
        rtype = resource["resourceType"]
        if rtype == "Patient":
            continue
        if rtype in DIRECTORY_TYPES:
            results.append(EntryResult(rtype, str(resource.get("id", "")), "ignored"))
            continue
        result = store_record(store, keys, policy, resource, where(i), facility, local, actor, at)
        results.append(result)
        if result.outcome == "created":
            audited.append(
                _entry(at, actor, installation, "record_created", result.patient, result.id, key)
            )
    audit.append_many(store, audited)
    return Pushed(tuple(results))


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


def _entries(body: object) -> tuple[list[dict[str, Any]], list[str | None]]:
    """The resources of a push, each validated on its own (so an error names its entry), then the
    Bundle around them; a Bundle must be a transaction, a batch or a collection."""
    if not isinstance(body, dict) or body.get("resourceType") != "Bundle":
        return [validate_fhir(body, "body")], [None]
    if body.get("type") not in ("transaction", "batch", "collection"):
        raise InputError(
            "bundle.type",
            "body.type: a pushed Bundle is a transaction, batch or collection",
            field="body.type",
        )
    entries = body.get("entry") or []
    if not isinstance(entries, list):
        raise InputError("bundle.entry", "body.entry: must be a list", field="body.entry")
    out: list[dict[str, Any]] = []
    urls: list[str | None] = []
    for i, entry in enumerate(entries):
        inner = entry.get("resource") if isinstance(entry, dict) else None
        if inner is None:
            raise InputError(
                "bundle.entry",
                f"body.entry[{i}]: an entry needs a resource",
                field=f"body.entry[{i}]",
            )
        out.append(validate_fhir(inner, f"body.entry[{i}].resource"))
        urls.append(entry.get("fullUrl"))
    validate_fhir(
        {**body, "entry": [{k: v for k, v in e.items() if k != "resource"} for e in entries]},
        "body",
    )
    return out, urls
