"""Who saw my data (C5, KVKK art. 11): the patient's view of the audit log, and the data
protection officer's search and exports (FHIR AuditEvent, CSV)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from mahrem.domain import engine as rules_engine
from mahrem.domain.articles import article_text
from mahrem.domain.decision import Request
from mahrem.domain.errors import InputError, NotFound
from mahrem.domain.policy import Policy
from mahrem.domain.reasons import reason_text
from mahrem.services import guard
from mahrem.services.lookup import unknown
from mahrem.services.ports import Store


def _unknown_patient(patient: str) -> NotFound:
    # The same answer as for a patient Mahrem does not know (M12: a concealed patient must be
    # indistinguishable from an unknown one).
    return unknown("person", patient, "patient")


def may_view_access_log(
    store: Store, viewer: str, patient: str, at: datetime, policy: Policy
) -> bool:
    """The patient, or a parent while rule 5 would let them read the child's records (M8);
    never anyone else, and never a parent of a child under a concealment order (M12)."""
    if viewer == patient:
        return True
    req = Request(actor=viewer, action="read", patient=patient, at=at, capacity="parent")
    return rules_engine.decide(req, store.facts_for(req), policy).permitted


def hidden_officers(store: Store, patient: str, at: datetime) -> set[str]:
    """Officers named in an order still in force: their entries wait until it is lifted."""
    return {
        p
        for o in store.open_rows("concealment_order", at, patient=patient)
        for p in o["need_to_know"]
    }


def access_log(
    store: Store,
    viewer: str,
    patient: str,
    at: datetime,
    policy: Policy,
    lang: str,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Everyone who read or tried to read the patient's data, newest last."""
    if store.person(patient) is None or store.person(viewer) is None:
        raise _unknown_patient(patient)
    if not may_view_access_log(store, viewer, patient, at, policy):
        raise _unknown_patient(patient)
    hidden = hidden_officers(store, patient, at)
    entries = [
        e
        for e in store.audit.search(limit=100000, patient=patient, kind="decision", until=None)
        if e["actor"] != patient and e["actor"] not in hidden and e["at"] <= at
    ]
    return [describe(store, e, lang) for e in entries[offset : offset + limit]]


def describe(store: Store, e: dict[str, Any], lang: str) -> dict[str, Any]:
    """An entry in words: who, where, through what, what was decided and under which article."""
    facility = store.get("facility", e["facility"]) if e.get("facility") else None
    software = store.get("installation", e["via"]) if e.get("via") else None
    tr, en = reason_text(e["reason"] or "")
    return {
        "seq": e["seq"],
        "at": e["at"].isoformat(),
        "actor": e["actor"],
        "actor_name": e.get("actor_name"),
        "role": e["role"],
        "capacity": e["capacity"],
        "facility": e["facility"],
        "facility_name": facility["name"] if facility else None,
        "via": e["via"],
        "software": f"{software['vendor']} {software['product']} {software['version']}"
        if software
        else None,
        "action": e["action"],
        "record": e["record"],
        "purpose": e["purpose"],
        "decision": e["outcome"],
        "basis": e["basis"],
        "article": article_text(e["basis"], lang),
        "reason": en if lang == "en" else tr,
    }


SEARCH_FIELDS = ("patient", "actor", "facility", "via", "basis", "outcome", "kind", "action")


def search(
    store: Store, viewer: str, at: datetime, filters: dict[str, Any], limit: int, offset: int
) -> list[dict[str, Any]]:
    """The data protection officer's search over the whole log."""
    guard.require_role(
        store,
        viewer,
        guard.DPO,
        at,
        "audit.forbidden",
        "only a data protection officer searches the audit log",
    )
    unknown = set(filters) - set(SEARCH_FIELDS) - {"since", "until"}
    if unknown:
        raise InputError("field.invalid", f"unknown filters {sorted(unknown)}")
    return store.audit.search(limit=limit, offset=offset, **filters)


CSV_FIELDS = (
    "seq",
    "at",
    "kind",
    "actor",
    "actor_name",
    "capacity",
    "role",
    "facility",
    "via",
    "action",
    "patient",
    "record",
    "purpose",
    "outcome",
    "basis",
    "reason",
    "policy_version",
    "hash",
)


def to_csv(entries: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for e in entries:
        writer.writerow({**e, "at": e["at"].isoformat()})
    return out.getvalue()


# IHE Basic Audit Log Patterns (BALP): DICOM event types, RESTful interaction subtypes.
BALP_ACTION = {
    "read": "R",
    "correct": "U",
    "destroy": "D",
    "transfer": "R",
    "export": "R",
    "analyze": "E",
    "reidentify": "E",
}
PURPOSE_CODES = {
    "treatment": "TREAT",
    "diagnosis": "TREAT",
    "care": "TREAT",
    "preventive": "TREAT",
    "planning": "HOPERAT",
    "financing": "HPAYMT",
    "inspection": "HOPERAT",
    "regulation": "HOPERAT",
    "research": "HRESCH",
    "insurance": "COVERAGE",
    "legal": "LEGAL",
}


def to_audit_event(e: dict[str, Any], tckn: str | None = None) -> dict[str, Any]:
    """One entry as a FHIR R4 AuditEvent in the BALP shape, validated with fhir.resources."""
    from fhir.resources.R4B.auditevent import AuditEvent

    permitted = e["outcome"] in ("permit", "accepted")
    who: dict[str, Any] = {"display": e.get("actor_name") or e.get("actor") or "?"}
    if tckn:
        who["identifier"] = {"system": "urn:oid:2.16.792.1.56.5.3.1.6.1", "value": tckn}
    agents: list[dict[str, Any]] = [
        {
            "type": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                        "code": "IRCP",
                        "display": "information recipient",
                    }
                ]
            },
            "who": who,
            "requestor": True,
            "role": [{"text": e.get("role") or e.get("capacity") or "unknown"}],
        }
    ]
    if e.get("via"):
        agents.append(
            {
                "type": {
                    "coding": [
                        {
                            "system": "http://dicom.nema.org/resources/ontology/DCM",
                            "code": "110153",
                            "display": "Source Role ID",
                        }
                    ]
                },
                "who": {"identifier": {"system": "urn:mahrem:kts:installation", "value": e["via"]}},
                "requestor": False,
            }
        )
    entities: list[dict[str, Any]] = []
    if e.get("patient"):
        entities.append(
            {
                "what": {"reference": f"Patient/{e['patient']}"},
                "type": {
                    "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type",
                    "code": "1",
                },
                "role": {
                    "system": "http://terminology.hl7.org/CodeSystem/object-role",
                    "code": "1",
                },
            }
        )
    if e.get("record"):
        entities.append(
            {
                "what": {"identifier": {"system": "urn:mahrem:record", "value": e["record"]}},
                "type": {
                    "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type",
                    "code": "2",
                },
            }
        )
    event: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "id": f"mahrem-{e['seq']}",
        "type": {
            "system": "http://dicom.nema.org/resources/ontology/DCM",
            "code": "110110",
            "display": "Patient Record",
        }
        if e["kind"] == "decision"
        else {
            "system": "http://dicom.nema.org/resources/ontology/DCM",
            "code": "110100",
            "display": "Application Activity",
        },
        "subtype": [{"system": "urn:mahrem:action", "code": e["action"]}],
        "action": BALP_ACTION.get(e["action"], "E"),
        "recorded": e["at"].isoformat(),
        "outcome": "0" if permitted else "4",
        "outcomeDesc": f"{e['outcome']} {e['basis'] or ''}".strip(),
        "agent": agents,
        "source": {
            "observer": {"display": "Mahrem"},
            "type": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/security-source-type",
                    "code": "4",
                }
            ],
        },
        "entity": entities or None,
    }
    if e.get("purpose") in PURPOSE_CODES:
        event["purposeOfEvent"] = [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
                        "code": PURPOSE_CODES[e["purpose"]],
                    }
                ]
            }
        ]
    event = {k: v for k, v in event.items() if v is not None}
    AuditEvent.model_validate(event)
    return event


def to_bundle(store: Store, entries: list[dict[str, Any]]) -> dict[str, Any]:
    tcknsof = {}
    for e in entries:
        if e.get("actor") and e["actor"] not in tcknsof:
            row = store.get("person", e["actor"])
            tcknsof[e["actor"]] = row["tckn"] if row else None
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": to_audit_event(e, tcknsof.get(e.get("actor")))} for e in entries],
    }
