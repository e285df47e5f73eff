"""Who a FHIR request names (issue 17; C1, C2, M12): every form hospital software uses for a
patient resolves to the person Mahrem knows, and the Patient resource Mahrem serves for them.

A patient is named by Mahrem's id (`Patient/<id>`, a full URL ending so, or the bare id), by
the TC kimlik no (`<system>|<TC kimlik no>`), or by the id the caller's facility gave it when
its software pushed the Patient. A Patient resource is governed like a record: it goes to the
software that pushed it, to the patient, and to a caller who may read at least one of the
patient's records; to anyone else the refusal says only what "What a refusal may tell" allows,
and a concealed patient is an unknown one (check_patient, rule 2). It shows only the caller's
own facility's id for the patient, never another hospital's (that would tell one hospital that
the patient attends another)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mahrem.domain.decision import Request
from mahrem.domain.errors import MahremError, Refused
from mahrem.domain.reasons import reason_text
from mahrem.services.access import PATIENT, Target, Viewer, check_targets, decide_any
from mahrem.services.lookup import facility_of, patient_named_by, unknown
from mahrem.services.ports import Mahrem, Store
from mahrem.services.records.entries import TCKN_SYSTEM
from mahrem.services.records.reading import check_patient, existing_records

# A patient without records open to the caller: as the engine says of no care relationship.
NO_CARE = "staff.no_care_relationship"
FACILITY_ID_SYSTEM = "https://mahrem.saglik.gov.tr/fhir/NamingSystem/facility-patient-id/"


def resolve_patient_reference(
    m: Mahrem,
    reference: str,
    *,
    viewer: Viewer,
    field: str,
    door: str | None = None,
    system: str = TCKN_SYSTEM,
) -> str:
    """`resolve` in a unit of work of its own, then the door check every door makes: an
    unresolved reference, a concealed patient (to all but those who may know of it) and an
    unknown one get the one unknown answer, built from the reference as the caller gave it."""
    with m.uow.read() as store:
        facility = facility_of(store, viewer.installation)
        person = patient_named_by(store, reference, facility=facility, system=system)
    if person is None:
        raise unknown("person", reference, field)
    target = Target(PATIENT, reference, field, resolved=person)
    check_targets(m, viewer, [target], action="read", door=door)
    return person


def read_patient(
    m: Mahrem,
    actor: str,
    person: str,
    *,
    via: str | None = None,
    purpose: str | None = None,
    capacity: str | None = None,
    key: str | None = None,
    system: str = TCKN_SYSTEM,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The Patient resource of `person` for this caller, or the refusal the law allows."""
    when = m.at(at)
    req = Request(
        actor=actor,
        action="read",
        patient=person,
        at=when,
        purpose=purpose,
        via=via,
        capacity=capacity,
    )
    with m.uow.write() as store:
        try:
            if not store.exists("person", person):
                raise unknown("person", person, "patient")
            check_patient(store, req, key)  # rules 1 and 2: a concealed patient is unknown
            facility = facility_of(store, via)
            pushed_here = facility is not None and bool(
                store.rows("patient_link", facility=facility, person=person)
            )
            if actor != person and not pushed_here:
                found = decide_any(store, req, existing_records(store, person, when), key=key)
                if found is None or not found.permitted:
                    key_, basis = (found.reason_key, found.basis) if found else (NO_CARE, "6/2")
                    raise Refused(key_, reason_text(key_)[1], basis=basis)
            return _patient_resource(store, person, facility, system)
        except MahremError as exc:
            refusal = exc
    raise refusal


def _patient_resource(
    store: Store, person: str, facility: str | None, system: str
) -> dict[str, Any]:
    row = store.get("person", person)
    assert row is not None
    identifiers = [{"system": system, "value": row["tckn"]}]
    if facility is not None:
        identifiers += [
            {"system": FACILITY_ID_SYSTEM + facility, "value": link["local_id"]}
            for link in store.rows("patient_link", facility=facility, person=person)
        ]
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": person,
        "identifier": identifiers,
        "name": [{"text": row["name"]}],
        "birthDate": row["birth_date"].isoformat(),
    }
    death = store.get("death", person)
    if death is not None:
        resource["deceasedDateTime"] = death["died_at"].isoformat()
    return resource
