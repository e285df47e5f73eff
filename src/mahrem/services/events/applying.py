"""Applying events (C3): a check-in, a preference, a court order. The event is validated,
handled against the facts in force, and audited in the same transaction; a refused event
writes only the attempt (and any counter it raises)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mahrem.domain.errors import Forbidden, InputError, MahremError, Refused
from mahrem.domain.kts import REASONS as KTS_REASONS
from mahrem.services import guard, kts
from mahrem.services.audit import append
from mahrem.services.events import care, family, orders, preferences, supervision
from mahrem.services.events.core import HANDLERS, EventContext, event_actor, event_patient
from mahrem.services.events.outcome import EventOutcome
from mahrem.services.events.reporters import as_officer, as_person, as_software
from mahrem.services.inputs import Fields
from mahrem.services.lookup import patient_named_by
from mahrem.services.policies import policy_at
from mahrem.services.ports import Mahrem, Store
from mahrem.services.records import gate_write


@dataclass(frozen=True, slots=True)
class Reporter:
    """Who reported an event through a door: the authenticated person, the capacity the door
    gives them, and the installation key's public prefix when a key asserted them."""

    person: str
    capacity: str | None = None
    key: str | None = None


# Each handler module registers its handlers into HANDLERS when imported; naming them here
# makes HANDLERS complete whenever an event can be applied.
HANDLER_MODULES = (care, preferences, family, orders, supervision)

DOOR_CAPACITY = {"person": "self", "software": "staff", "officer": "officer"}


def report_event(
    m: Mahrem,
    door: str,
    person: str,
    data: object,
    *,
    installation: str | None = None,
    at: datetime | None = None,
    key: str | None = None,
) -> EventOutcome:
    """An event reported from outside, bound to the authenticated caller (events/reporters.py):
    `door` is "person" (about themselves), "software" (an installation, for its facility) or
    "officer" (in their own name). The audit entry names the caller, the door's capacity,
    the installation and the key that asserted the caller."""
    when = m.at(at)
    by = Reporter(person, DOOR_CAPACITY.get(door), key)
    if door == "person":
        return apply_event(m, as_person(data, person), when, via=installation, by=by)
    if door == "software":
        if installation is None:
            raise Forbidden("event.software_only", "only hospital software reports this")
        with m.uow.write() as store:
            facility = gate_write(store, installation, person, when, "event")
            if not isinstance(facility, MahremError):
                data = _patient_named(store, data, facility)
        if isinstance(facility, MahremError):
            raise facility
        return apply_event(m, as_software(data, person, facility), when, via=installation, by=by)
    if door == "officer":
        with m.uow.read() as store:
            roles = guard.roles_of(store, person, when)
            note = _unrequested_grant(store, data)
            _software_reregistration(store, data, when)
        event = as_officer(data, person, roles)
        return apply_event(m, event, when, via=installation, by=by, note=note)
    raise InputError("event.door", f"unknown door {door!r}")


def apply_event(
    m: Mahrem,
    data: object,
    at: datetime | None = None,
    *,
    via: str | None = None,
    by: Reporter | None = None,
    note: str | None = None,
) -> EventOutcome:
    """Apply one event; a refused event writes only the attempt (and any counter). The audit
    entry names who reported it (`by`), else the person the event names (an operator's load),
    and keeps the officer's `note` (why they act without a request)."""
    when = m.at(at)
    f = Fields(data, "event")
    etype = f.str("type", HANDLERS)
    with m.uow.write() as store:
        policy = policy_at(store, when)
        outcome = HANDLERS[etype](EventContext(store, m.keys, m.sms, policy, when), f)
        append(
            store,
            at=when,
            kind="event",
            actor=by.person if by else event_actor(f),
            capacity=by.capacity if by else None,
            action=etype,
            via=via,
            patient=event_patient(f),
            record=_record_of(f),
            outcome=outcome.result,
            basis=outcome.basis,
            reason=outcome.reason_key,
            policy_version=policy.version,
            detail={
                **({"key": by.key} if by and by.key else {}),
                **({"reason": note} if note else {}),
            }
            or None,
        )
    return outcome


def _software_reregistration(store: Store, data: object, at: datetime) -> None:
    """KTS/3 at the officer door: `software_registered` follows the registry's one rule for
    re-activation (kts.reregistration_blocker); the operator's load and the scenarios, which
    only re-register suspended software, go through the handler alone."""
    if not isinstance(data, dict) or data.get("type") != "software_registered":
        return
    software = data.get("software")
    if not isinstance(software, str) or not store.exists("installation", software):
        return  # the handler answers an unknown installation
    blocker = kts.reregistration_blocker(store, software, at)
    if blocker is not None:
        raise Refused(blocker, KTS_REASONS[blocker][1], basis="KTS/3", field="event.software")


def _unrequested_grant(store: Store, data: object) -> str | None:
    """M7/1–2: the unit's head "Genel Müdürlükten bu kişilerin yetkilendirilmesini talep eder",
    and the users are those "Birim amirinin talebi üzerine Genel Müdürlükçe yetkilendirilen".
    At the officer door, a grant with no pending request of the unit's head is
    refused unless the officer gives a reason, which the audit entry keeps (issue 21); the
    engine itself does not refuse it (the scenario vocabulary grants without a request)."""
    if not isinstance(data, dict) or data.get("type") != "reidentification_authorized":
        return None
    pending = store.rows(
        "reidentification_request", user=data.get("user"), unit=data.get("unit"), granted_at=None
    )
    reason = data.get("reason")
    if pending:
        return None
    if not isinstance(reason, str) or not reason.strip():
        raise InputError(
            "reidentification.no_request",
            "the unit's head has not requested this authorisation (M7/2: 'Birim amirinin "
            "talebi üzerine'); give a reason to grant it anyway",
            field="event.reason",
        )
    return reason.strip()[:500]


def _record_of(f: Fields) -> str | None:
    record = f.data.get("record")
    if isinstance(record, dict):
        record = record.get("id")
    return record if isinstance(record, str) else None


def _patient_named(store: Store, data: object, facility: str) -> object:
    """Hospital software names the patient of an event as it names it in FHIR (issue 17): its
    own Patient id, `Patient/<Mahrem id>` or a TC kimlik no; the event carries Mahrem's id."""
    if not isinstance(data, dict) or not isinstance(data.get("patient"), str):
        return data
    person = patient_named_by(store, data["patient"], facility=facility)
    return {**data, "patient": person} if person is not None else data
