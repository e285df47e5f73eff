"""The hospital's own FHIR resources drive the episodes (issue 17; M6/2, M6/3-a, -b, -ç), through
the same event use case, and the same refusals, as `/sbys/events`:

- an Encounter under way now (status arrived, triaged or in-progress) is the check-in (class AMB,
  EMER and the other ambulatory classes) or the admission (IMP, ACUTE, NONAC); the same Encounter
  updated to `finished` is the discharge of that admission. An Encounter pushed finished is
  history: it opens no window for anyone now;
- an Appointment `booked` with a physician (a Practitioner participant) is the appointment
  (M6/3-b), `fulfilled` completes it;
- a Patient's `generalPractitioner` naming a physician is the family-doctor registration (M6/3-a),
  taken only from a family health centre's software for a physician on its own staff now, so that
  no other hospital's push opens window a for its physicians;
- a Patient's `deceasedDateTime` (or `deceasedBoolean: true`, from the push) is the death (M11),
  kept with both times: when it happened and when Mahrem learnt it (issue 19).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from mahrem.domain.clock import day_start, local_date
from mahrem.services.events.applying import report_event
from mahrem.services.events.outcome import EventOutcome
from mahrem.services.lookup import facility_of, patient_named_by
from mahrem.services.ports import Mahrem, Store
from mahrem.services.records import EntryResult

UNDER_WAY = frozenset({"arrived", "triaged", "in-progress"})
ADMISSION_CLASSES = frozenset({"IMP", "ACUTE", "NONAC"})


def episode_id(record: str) -> str:
    """The episode an Encounter record opened."""
    return f"fhir-{record}"[:64]


def events_of(
    store: Store, installation: str, entry: EntryResult, at: datetime
) -> list[dict[str, Any]]:
    """The events one entry of a push reports."""
    resource = entry.resource or {}
    if entry.resource_type == "Encounter" and entry.patient is not None:
        return _encounter(store, entry, resource)
    if entry.resource_type == "Patient" and entry.patient is not None:
        return _family_doctor(store, installation, entry.patient, resource, at) + _death(
            store, entry.patient, resource
        )
    if entry.resource_type == "Appointment" and entry.patient is not None:
        return _appointment(store, entry, resource)
    return []


def _appointment(
    store: Store, entry: EntryResult, resource: dict[str, Any]
) -> list[dict[str, Any]]:
    eid, status = episode_id(entry.id), resource.get("status")
    if entry.outcome == "created" and status == "booked":
        physician = next(
            (
                _practitioner(store, str((p.get("actor") or {}).get("reference") or ""))
                for p in resource.get("participant") or []
                if str((p.get("actor") or {}).get("reference") or "").startswith("Practitioner")
            ),
            None,
        )
        start = resource.get("start")
        if physician is None or not isinstance(start, str):
            return []
        day = local_date(datetime.fromisoformat(start.replace("Z", "+00:00"))).isoformat()
        return [
            {
                "type": "appointment_booked",
                "id": eid,
                "patient": entry.patient,
                "physician": physician,
                "date": day,
            }
        ]
    if entry.outcome == "updated" and status == "fulfilled":
        episode = store.get("episode", eid)
        if episode and episode["kind"] == "appointment" and episode["ended_at"] is None:
            return [{"type": "appointment_completed", "id": eid}]
    return []


def _practitioner(store: Store, reference: str) -> str | None:
    """The person a Practitioner reference names: `Practitioner/<Mahrem id>` or
    `Practitioner?identifier=<system>|<TC kimlik no>`."""
    named = reference.removeprefix("Practitioner").lstrip("/").removeprefix("?identifier=")
    return patient_named_by(store, named, facility=None) if named else None


def _encounter(store: Store, entry: EntryResult, resource: dict[str, Any]) -> list[dict[str, Any]]:
    status = resource.get("status")
    eid = episode_id(entry.id)
    if entry.outcome == "created" and status in UNDER_WAY:
        kind = (resource.get("class") or {}).get("code")
        opened = "admitted" if kind in ADMISSION_CLASSES else "check_in"
        return [{"type": opened, "id": eid, "patient": entry.patient}]
    if entry.outcome == "updated" and status == "finished":
        episode = store.get("episode", eid)
        if episode and episode["kind"] == "admission" and episode["ended_at"] is None:
            return [{"type": "discharged", "id": eid}]
    return []


def _family_doctor(
    store: Store, installation: str, patient: str, resource: dict[str, Any], at: datetime
) -> list[dict[str, Any]]:
    facility = facility_of(store, installation)
    row = store.get("facility", facility) if facility else None
    if row is None or row["kind"] != "family_health_center":
        return []
    for gp in resource.get("generalPractitioner") or []:
        reference = str((gp or {}).get("reference") or "")
        if not reference.startswith("Practitioner"):
            continue
        physician = _practitioner(store, reference)
        if physician is None:
            continue
        posts = store.open_rows("staff_post", at, person=physician, facility=facility)
        registered = [r["physician"] for r in store.open_rows("family_doctor", at, patient=patient)]
        if any(p["role"] == "physician" for p in posts) and registered != [physician]:
            event = {"type": "family_doctor_registered", "patient": patient, "physician": physician}
            return [event]
    return []


def _death(store: Store, patient: str, resource: dict[str, Any]) -> list[dict[str, Any]]:
    """`deceasedDateTime` is the death from that time, `deceasedBoolean: true` from now (M11):
    the death event, once."""
    if store.exists("death", patient):
        return []
    when = resource.get("deceasedDateTime")
    if isinstance(when, str) and when:
        if len(when) <= 10:  # a FHIR date without a time: the first minute of that day
            parts = [int(p) for p in when.split("-")] + [1, 1]
            when = day_start(date(parts[0], parts[1], parts[2])).isoformat()
        return [{"type": "death", "patient": patient, "died_at": when}]
    if resource.get("deceasedBoolean") is True:
        return [{"type": "death", "patient": patient}]
    return []


def follow_pushed(
    m: Mahrem, installation: str, actor: str, entries: tuple[EntryResult, ...], key: str | None
) -> list[EventOutcome]:
    """Report the events a push's resources carry, as its software would through /sbys/events."""
    when = m.at(None)
    with m.uow.read() as store:
        reported = [e for entry in entries for e in events_of(store, installation, entry, when)]
    return [
        report_event(m, "software", actor, event, installation=installation, key=key)
        for event in reported
    ]
