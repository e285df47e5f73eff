"""The FHIR door's patients (issue 17; records/identity.py): every form of a patient reference
resolved once, checked at the door as every other door checks what it is named, and the
Patient resource read or searched as the law lets the caller."""

from __future__ import annotations

import os
from typing import Any

from fastapi import Request

from mahrem.domain import fhir_search
from mahrem.domain.errors import InputError
from mahrem.entrypoints.api.deps import Caller
from mahrem.entrypoints.api.fhir_outcomes import fhir_response
from mahrem.services import access, records
from mahrem.services.ports import Mahrem


def tckn_system() -> str:
    return os.environ.get("MAHREM_TCKN_SYSTEM", records.TCKN_SYSTEM)


def patient_resource(
    service: Mahrem, who: Caller, reference: str, purpose: str | None
) -> dict[str, Any]:
    person = records.resolve_patient_reference(
        service, reference, viewer=viewer_of(who), field="resource_id", door="GET /fhir/Patient"
    )
    return records.read_patient(
        service,
        who.person,
        person,
        via=who.installation,
        purpose=who.purpose_for(purpose),
        capacity=who.capacity,
        key=who.key,
        system=tckn_system(),
    )


def patient_of(service: Mahrem, who: Caller, given: dict[str, str]) -> str:
    if len(given) != 1:
        raise InputError(
            "search.patient",
            "give the patient once: patient, subject or patient.identifier",
            field="patient",
        )
    ((name, value),) = given.items()
    return records.resolve_patient_reference(
        service,
        value,
        viewer=viewer_of(who),
        field=name,
        door="GET /fhir/{resource_type}",
        system=tckn_system(),
    )


def viewer_of(who: Caller) -> access.Viewer:
    return access.Viewer(who.person, who.capacity, who.installation, who.key)


def patient_search(
    request: Request, service: Mahrem, who: Caller, purpose: str | None, lenient: bool
) -> Any:
    """`Patient?identifier=<system>|<TC kimlik no>` or `Patient?_id=`: the one Patient, governed
    as a read of it."""
    given = [
        (k, v)
        for k, v in request.query_params.multi_items()
        if k not in ("purpose", "_count", "_offset")
    ]
    unsupported = [k for k, _ in given if k not in ("identifier", "_id")]
    if unsupported and not lenient:
        raise fhir_search.UnsupportedSearch(
            "search.unsupported",
            f"{unsupported[0]}: Patient is searched by identifier or _id",
            field=unsupported[0],
        )
    names = [(k, v) for k, v in given if k in ("identifier", "_id")]
    if len(names) != 1:
        raise InputError("search.patient", "give one identifier or _id", field="identifier")
    resource = patient_resource(service, who, names[0][1], purpose)
    base = str(request.base_url).rstrip("/") + "/fhir"
    return fhir_response(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": 1,
            "link": [{"relation": "self", "url": str(request.url)}],
            "entry": [
                {
                    "fullUrl": f"{base}/Patient/{resource['id']}",
                    "resource": resource,
                    "search": {"mode": "match"},
                }
            ],
        }
    )
