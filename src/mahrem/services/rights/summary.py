"""KVKK 11/1-a, b, ç — what Mahrem holds about the applicant: a readable summary of their
records (through the engine, as the patient reads them), the recipients, and its PDF."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain.decision import Request
from mahrem.domain.errors import InputError
from mahrem.services import audit
from mahrem.services.access import decide
from mahrem.services.ports import Store
from mahrem.services.records import current_resource
from mahrem.services.transfers import validate_bundle

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem
from mahrem.services.rights.applications import DATA_KINDS, KINDS, _get, _unknown


# -- give me my data ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SummaryRecord:
    record: str
    created_at: datetime
    facility: str
    category: str
    resource_type: str
    title: str


@dataclass(frozen=True, slots=True)
class DataSummary:
    """What the PDF summary shows: the applicant, the application, the records, the recipients."""

    application: int
    kind_text: str
    patient_name: str
    tckn: str
    birth_date: date
    issued_at: datetime
    records: tuple[SummaryRecord, ...]
    recipients: tuple[dict[str, Any], ...] = field(default=())


def _own_data_application(store: Store, viewer: str, app_id: int) -> dict[str, Any]:
    row = _get(store, app_id)
    if row["patient"] != viewer:
        raise _unknown(app_id)
    if row["kind"] not in DATA_KINDS:
        raise InputError(
            "application.no_data",
            f"application {app_id} is not a request for information ({', '.join(DATA_KINDS)})",
            field="application",
        )
    return row


def _own_records(
    m: Mahrem, store: Store, patient: str, at: datetime
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The patient's records, each read as the patient through the engine (5/6)."""
    out = []
    rows = sorted(
        (r for r in store.rows("record", patient=patient) if r["created_at"] <= at),
        key=lambda r: (r["created_at"], r["id"]),
    )
    for r in rows:
        d = decide(
            store, Request(actor=patient, action="read", patient=patient, at=at, record=r["id"])
        )
        resource = current_resource(store, m.keys, r["id"]) if d.permitted else None
        if resource is not None:
            out.append((r, resource))
    return out


def _patient_resource(person: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": person["id"],
        "identifier": [{"system": "urn:oid:2.16.792.1.56.5.3.1.6.1", "value": person["tckn"]}],
        "name": [{"text": person["name"]}],
        "birthDate": person["birth_date"].isoformat(),
        **({"telecom": [{"system": "phone", "value": person["phone"]}]} if person["phone"] else {}),
    }


def my_data(m: Mahrem, viewer: str, app_id: int, at: datetime | None = None) -> dict[str, Any]:
    """KVKK 11/1-a/b — the applicant's records as a FHIR R4 Bundle (validated), audited."""
    now = m.at(at)
    with m.uow.write() as store:
        row = _own_data_application(store, viewer, app_id)
        person = store.get("person", viewer)
        assert person is not None
        records = _own_records(m, store, viewer, now)
        entries = [
            {"fullUrl": f"urn:mahrem:patient:{viewer}", "resource": _patient_resource(person)}
        ]
        entries += [
            {"fullUrl": f"urn:mahrem:record:{r['id']}", "resource": res} for r, res in records
        ]
        bundle = validate_bundle(
            {
                "resourceType": "Bundle",
                "type": "collection",
                "timestamp": now.isoformat(),
                "entry": entries,
            }
        )
        audit.append(
            store,
            at=now,
            kind="admin",
            actor=viewer,
            action="application_data_exported",
            patient=viewer,
            outcome="accepted",
            basis="5/6",
            detail={"application": row["id"], "records": len(records)},
        )
        return bundle


def my_data_pdf(
    m: Mahrem,
    viewer: str,
    app_id: int,
    render: SummaryRenderer,
    at: datetime | None = None,
    lang: str = "tr",
) -> bytes:
    """KVKK 11/1-a/b/ç — the readable summary: the records and who received them."""
    now = m.at(at)
    with m.uow.write() as store:
        row = _own_data_application(store, viewer, app_id)
        person = store.get("person", viewer)
        assert person is not None
        facilities = {f["id"]: f["name"] for f in store.rows("facility")}
        records = tuple(
            SummaryRecord(
                r["id"],
                r["created_at"],
                facilities.get(r["facility"], r["facility"]),
                r["category"],
                r["resource_type"],
                _title(res),
            )
            for r, res in _own_records(m, store, viewer, now)
        )
        summary = DataSummary(
            application=row["id"],
            kind_text=KINDS[row["kind"]][1],
            patient_name=person["name"],
            tckn=person["tckn"],
            birth_date=person["birth_date"],
            issued_at=now,
            records=records,
            recipients=tuple(_recipients(store, viewer)),
        )
        audit.append(
            store,
            at=now,
            kind="admin",
            actor=viewer,
            action="application_summary_printed",
            patient=viewer,
            outcome="accepted",
            basis="5/6",
            detail={"application": row["id"], "records": len(records)},
        )
    return render(summary)


def _title(resource: dict[str, Any]) -> str:
    for key in ("code", "type", "vaccineCode", "medicationCodeableConcept"):
        concept = resource.get(key)
        if isinstance(concept, dict):
            if concept.get("text"):
                return str(concept["text"])
            for coding in concept.get("coding") or []:
                if coding.get("display") or coding.get("code"):
                    return str(coding.get("display") or coding.get("code"))
    return str(resource.get("resourceType", ""))


def _recipients(store: Store, patient: str) -> list[dict[str, Any]]:
    """KVKK 11/1-ç: the transfers that carried the patient's records."""
    out = []
    for tid in sorted(
        {i["transfer"] for i in store.rows("transfer_item", patient=patient, effect="permit")}
    ):
        t = store.get("transfer", tid)
        sent = [
            r
            for r in ((t or {}).get("manifest") or {}).get("records", [])
            if r["patient"] == patient
        ]
        if t is not None and sent:
            out.append(
                {
                    "transfer": tid,
                    "name": t["recipient"]["name"],
                    "kind": t["recipient"]["kind"],
                    "country": t["recipient"]["country"],
                    "at": t["packaged_at"],
                    "records": len(sent),
                    "bases": sorted({r["basis"] for r in sent}),
                }
            )
    return sorted(out, key=lambda e: (e["at"], e["transfer"]))


SummaryRenderer = Callable[[DataSummary], bytes]
