"""Who a pushed resource is about (C1, M12): a Patient is linked to the person Mahrem knows by
the TC kimlik no in its identifiers, and a new TC kimlik no registers the person; a reference
resolves to a Patient of the same push, one this facility linked before, or a TC kimlik no
lookup. Under a concealment order (M12 with M6/1) the lookup finds the patient only for the
facility where the patient's episode is open now; to other software the patient is unknown."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from mahrem.domain.errors import InputError
from mahrem.domain.identity import validate_tckn
from mahrem.services.ports import Store
from mahrem.services.records.entries import EntryResult


def link_patient(
    store: Store,
    resource: dict[str, Any],
    where: str,
    facility: str,
    at: datetime,
    system: str,
    local_id: str | None = None,
) -> EntryResult:
    """Link (or register) the person behind a Patient by the TC kimlik no in its identifiers."""
    tckn = next(
        (i.get("value") for i in resource.get("identifier") or [] if i.get("system") == system),
        None,
    )
    if tckn is None:
        raise InputError(
            "patient.no_tckn",
            f"{where}.identifier: a Patient needs a TC kimlik no ({system})",
            field=f"{where}.identifier",
        )
    tckn = validate_tckn(tckn, f"{where}.identifier")
    local_id = local_id or resource.get("id")
    if not isinstance(local_id, str):
        raise InputError(
            "field.missing", f"{where}.id: a pushed Patient needs an id", field=f"{where}.id"
        )
    found = store.rows("person", tckn=tckn)
    outcome = "linked"
    if found:
        person = str(found[0]["id"])
    else:
        person = f"p-{uuid.uuid4().hex[:16]}"
        store.add(
            "person",
            id=person,
            tckn=tckn,
            name=_name(resource),
            birth_date=_birth_date(resource, where),
            phone=_phone(resource),
            created_at=at,
        )
        outcome = "registered"
    links = store.rows("patient_link", facility=facility, local_id=local_id)
    if links and links[0]["person"] != person:
        raise InputError(
            "patient.relinked",
            f"{where}.id: Patient/{local_id} already names another person",
            field=f"{where}.id",
        )
    if not links:
        store.add("patient_link", facility=facility, local_id=local_id, person=person, linked_at=at)
    elif outcome == "linked":
        outcome = "unchanged"
    # Named by the facility's own id: the answer to a push must not tell whether the TC kimlik
    # no names someone Mahrem knows (M12), so Mahrem's id is learnt from a governed read only.
    return EntryResult("Patient", local_id, outcome, person, local_id=local_id, resource=resource)


def _name(resource: dict[str, Any]) -> str:
    for name in resource.get("name") or []:
        parts = [*(name.get("given") or []), name.get("family") or ""]
        text = name.get("text") or " ".join(p for p in parts if p)
        if text.strip():
            return text.strip()
    return "?"


def _birth_date(resource: dict[str, Any], where: str) -> date:
    value = resource.get("birthDate")
    try:
        return (
            date.fromisoformat(value)
            if isinstance(value, str) and len(value) == 10
            else _missing(where)
        )
    except ValueError:
        return _missing(where)


def _missing(where: str) -> date:
    raise InputError(
        "patient.birth_date",
        f"{where}.birthDate: a full birth date (YYYY-MM-DD) is needed",
        field=f"{where}.birthDate",
    )


def _phone(resource: dict[str, Any]) -> str | None:
    phones = [t.get("value") for t in resource.get("telecom") or [] if t.get("system") == "phone"]
    return phones[0] if phones else None


def resolve_patient(
    store: Store, facility: str, reference: str, local: dict[str, str], where: str, at: datetime
) -> str:
    """The person a reference names: a Patient of this push, a Patient this facility's software
    pushed before (`Patient/<local id>`), Mahrem's id (`Patient/<id>`), or
    `Patient?identifier=<system>|<TC kimlik no>`."""
    person: str | None = None
    if reference in local:
        person = local[reference]
    elif reference.startswith("Patient?identifier="):
        # The one lookup that asks Mahrem whom a TC kimlik no names: a concealed patient is, to
        # software without the care path, a TC kimlik no nobody has (M12). A Patient of this
        # push or one this facility linked before is the facility's own knowledge: its records
        # are kept (writing discloses nothing), whatever the answer would otherwise tell.
        tckn = reference.split("|", 1)[-1].split("=", 1)[-1]
        found = store.rows("person", tckn=validate_tckn(tckn, where))
        person = (
            str(found[0]["id"])
            if found and _may_write_for(store, facility, str(found[0]["id"]), at)
            else None
        )
    elif reference.startswith("Patient/"):
        # The facility's own id, else Mahrem's (which a governed read gave it), under the same
        # M12 rule as a TC kimlik no lookup.
        named = reference.removeprefix("Patient/")
        links = store.rows("patient_link", facility=facility, local_id=named)
        if links:
            person = str(links[0]["person"])
        elif store.exists("person", named) and _may_write_for(store, facility, named, at):
            person = named
    if person is None:
        raise InputError(
            "patient.unresolved", f"{where}: unknown patient reference {reference!r}", field=where
        )
    return person


def _may_write_for(store: Store, facility: str, person: str, at: datetime) -> bool:
    """M12 with M6/1: under a concealment order a facility writes only the records of the
    patient's episode open there now (rule 2's care path); otherwise the patient is, to its
    software, a patient Mahrem does not know."""
    if not store.open_rows("concealment_order", at, patient=person):
        return True
    from mahrem.domain.facts import Episode, Interval
    from mahrem.domain.rules.staff import episode_span
    from mahrem.services.policies import policy_at

    policy = policy_at(store, at)
    for e in store.rows("episode", patient=person, facility=facility):
        if e["kind"] == "appointment" or e["started_at"] > at:
            continue
        ended = e["ended_at"] if e["ended_at"] is not None and e["ended_at"] <= at else None
        start, end = episode_span(
            Episode(e["id"], e["kind"], facility, Interval(e["started_at"], ended)), policy
        )
        if start <= at and (end is None or at < end):
            return True
    return False
