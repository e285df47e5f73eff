"""A record's versions as FHIR sees them (M13, M13/2): every version of a record with the FHIR
R4 Provenance linking each to the one before, for the patient and the data protection officer;
and the corrections of a facility's records as a FHIR history Bundle the provider pulls and
applies to its own database, so what GM corrects is carried out in the provider's copy too.
Every view is audited."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain.errors import NotFound
from mahrem.services import audit
from mahrem.services.corrections.state import holds, when_of
from mahrem.services.lookup import require
from mahrem.services.records import record_versions, validate_fhir

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem


BASIS_SYSTEM = "https://mahrem.saglik.gov.tr/fhir/CodeSystem/basis"
PERSON_SYSTEM = "https://mahrem.saglik.gov.tr/fhir/sid/person"
FACILITY_SYSTEM = "https://mahrem.saglik.gov.tr/fhir/sid/facility"
REQUEST_SYSTEM = "https://mahrem.saglik.gov.tr/fhir/sid/correction-request"
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"


def record_history(
    m: Mahrem, viewer: str, record: str, at: datetime | None = None
) -> dict[str, Any]:
    """M13 — every version of a record with the FHIR Provenance linking each to the one
    before, for the patient and the data protection officer (the audit); the view is audited."""
    when = when_of(m, at)
    with m.uow.write() as store:
        row = store.get("record", record)
        if row is None or not (viewer == row["patient"] or holds(store, viewer, "dpo", when)):
            raise NotFound("record.unknown", f"record: unknown record {record!r}", field="record")
        versions = record_versions(store, m.keys, record)
        audit.append(
            store,
            at=when,
            kind="admin",
            actor=viewer,
            action="record_history_viewed",
            patient=row["patient"],
            record=record,
            outcome="accepted",
            detail={"versions": len(versions)},
        )
        disposal = store.get("record_disposal", record)
    return {
        "record": record,
        "patient": row["patient"],
        "resource_type": row["resource_type"],
        "disposed": disposal["method"] if disposal else None,
        "versions": [
            {
                **{
                    k: v[k]
                    for k in ("version", "category", "created_by", "basis", "correction_request")
                },
                "created_at": v["created_at"].isoformat(),
                "resource": v["resource"]
                if disposal is None
                else None,  # M14: out of every user's reach
                "provenance": provenance(row, v),
            }
            for v in versions
        ],
    }


def provider_corrections(
    m: Mahrem,
    viewer: str,
    facility: str,
    since: datetime | None = None,
    *,
    at: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """M13/2 — the corrections of a facility's records as a FHIR history Bundle (the current
    resource and its Provenance), which the provider applies to its own database. For the
    facility's staff and GM."""
    when = when_of(m, at)
    with m.uow.write() as store:
        require(store, "facility", facility, "facility")
        staff = any(
            p["facility"] == facility for p in store.open_rows("staff_post", when, person=viewer)
        )
        if not (staff or holds(store, viewer, "gm_officer", when)):
            raise NotFound(
                "facility.unknown", f"facility: unknown facility {facility!r}", field="facility"
            )
        entries: list[dict[str, Any]] = []
        for row in sorted(store.rows("record", facility=facility), key=lambda r: r["id"]):
            for v in record_versions(store, m.keys, row["id"]):
                if (
                    v["version"] > 1
                    and (since is None or v["created_at"] > since)
                    and v["resource"] is not None
                ):
                    entries.append(
                        {
                            "resource": v["resource"],
                            "provenance": provenance(row, v),
                            "at": v["created_at"],
                        }
                    )
        entries.sort(key=lambda e: e["at"])
        page = entries[offset : offset + limit]
        audit.append(
            store,
            at=when,
            kind="admin",
            actor=viewer,
            action="provider_corrections_pulled",
            facility=facility,
            outcome="accepted",
            detail={"corrections": len(page)},
        )
    return {
        "resourceType": "Bundle",
        "type": "history",
        "timestamp": when.isoformat(),
        "entry": [
            item
            for e in page
            for item in ({"resource": e["resource"]}, {"resource": e["provenance"]})
        ],
    }


def _fhir_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9\-.]", "-", text)[:64]


def provenance(row: dict[str, Any], version: dict[str, Any]) -> dict[str, Any]:
    """The FHIR R4 Provenance of one version: what it targets, who made it under which article,
    and (for a correction) the version it revises and the request it answers."""
    n = version["version"]
    base = f"{row['resource_type']}/{_fhir_id(row['id'])}/_history"
    who = (
        {"identifier": {"system": PERSON_SYSTEM, "value": version["created_by"]}}
        if version["created_by"]
        else {"identifier": {"system": FACILITY_SYSTEM, "value": row["facility"]}}
    )
    out: dict[str, Any] = {
        "resourceType": "Provenance",
        "id": _fhir_id(f"{row['id']}-v{n}"),
        "target": [{"reference": f"{base}/{n}"}],
        "recorded": version["created_at"].isoformat(),
        "activity": {
            "coding": [{"system": DATA_OPERATION, "code": "UPDATE" if n > 1 else "CREATE"}]
        },
        "agent": [{"who": who}],
    }
    if version["basis"]:
        out["reason"] = [{"coding": [{"system": BASIS_SYSTEM, "code": version["basis"]}]}]
    entities: list[dict[str, Any]] = []
    if n > 1:
        entities.append({"role": "revision", "what": {"reference": f"{base}/{n - 1}"}})
    if version["correction_request"]:
        entities.append(
            {
                "role": "source",
                "what": {
                    "identifier": {"system": REQUEST_SYSTEM, "value": version["correction_request"]}
                },
            }
        )
    if entities:
        out["entity"] = entities
    return validate_fhir(out, "provenance")
