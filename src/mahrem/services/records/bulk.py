"""Bulk FHIR (NDJSON, one resource per line, as a FHIR bulk export writes it) turned into one
transaction Bundle per patient, the way hospital software pushes them (records/ingest.py).

Mahrem knows people by TC kimlik no; a bulk export from elsewhere carries its own identifiers,
so the caller maps each Patient to a TC kimlik no (`tckn_for`). For Synthea's synthetic
patients the mapping is `synthea_tckn`: the nine digits of the Social Security Number Synthea
gives every patient (always 999-xx-xxxx, so never starting with 0) followed by the two
TC kimlik check digits. A real deployment passes a table from the hospital's own records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from stdnum.tr import tckimlik

from mahrem.domain.errors import InputError
from mahrem.services.records.entries import DIRECTORY_TYPES, SUBJECT_FIELDS, TCKN_SYSTEM

SSN_SYSTEM = "http://hl7.org/fhir/sid/us-ssn"


def synthea_tckn(patient: dict[str, Any]) -> str:
    """The documented mapping for Synthea patients: SSN digits + TC kimlik check digits."""
    ssn = next(
        (i.get("value") for i in patient.get("identifier") or [] if i.get("system") == SSN_SYSTEM),
        None,
    )
    digits = "".join(c for c in str(ssn or "") if c.isdigit())
    if len(digits) != 9 or digits[0] == "0":
        raise InputError(
            "bulk.no_mapping", f"Patient/{patient.get('id')}: no nine-digit SSN to map"
        )
    return digits + tckimlik.calc_check_digits(digits)


def patient_bundles(
    resources: Iterable[dict[str, Any]],
    tckn_for: Callable[[dict[str, Any]], str],
    system: str = TCKN_SYSTEM,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(patient id, transaction Bundle) per Patient: the Patient with its TC kimlik no added as an
    identifier, then every resource that names it. Directory resources are left out."""
    patients: dict[str, dict[str, Any]] = {}
    belongs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for resource in resources:
        rtype = resource.get("resourceType")
        if rtype == "Patient":
            patients[str(resource["id"])] = resource
        elif rtype not in DIRECTORY_TYPES:
            reference = next(
                (
                    resource[k].get("reference")
                    for k in SUBJECT_FIELDS
                    if isinstance(resource.get(k), dict) and resource[k].get("reference")
                ),
                "",
            )
            belongs[str(reference).removeprefix("Patient/")].append(resource)
    for pid, patient in sorted(patients.items()):
        tagged = {
            **patient,
            "identifier": [
                *(patient.get("identifier") or []),
                {"system": system, "value": tckn_for(patient)},
            ],
        }
        entries = [tagged, *belongs.get(pid, [])]
        yield (
            pid,
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [
                    {
                        "fullUrl": f"urn:uuid:{r['id']}",
                        "resource": r,
                        "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"},
                    }
                    for r in entries
                ],
            },
        )


def practitioner_batch(
    resources: Iterable[dict[str, Any]],
    tckn_for: Callable[[dict[str, Any]], str | None],
    system: str = TCKN_SYSTEM,
) -> dict[str, Any] | None:
    """A batch Bundle of the export's Practitioners that `tckn_for` maps to a TC kimlik no, with
    it added as an identifier: pushed before the patients, it teaches Mahrem the export's names
    for its clinicians (records/authors.py), so records naming them find their author. None when
    no Practitioner maps."""
    entries = []
    for resource in resources:
        if resource.get("resourceType") != "Practitioner":
            continue
        tckn = tckn_for(resource)
        if not tckn:
            continue
        tagged = {
            **resource,
            "identifier": [*(resource.get("identifier") or []), {"system": system, "value": tckn}],
        }
        entries.append(
            {
                "resource": tagged,
                "request": {"method": "PUT", "url": f"Practitioner/{resource['id']}"},
            }
        )
    return {"resourceType": "Bundle", "type": "batch", "entry": entries} if entries else None
