"""A pushed resource stored as a record (C1, M13): the record of the patient it names, at the
installation's facility, with the category the sender tags it with (or, without a tag, the one
derived from its codes) and the time it was made, under an id of Mahrem's own linked to the
sender's (records/naming.py). Storing is idempotent on the sender's id: the same content again
is `unchanged`, other content under the same id is refused, since a change to a record is a
correction (M13)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mahrem.domain.categories import CATEGORIES
from mahrem.domain.errors import InputError, Refused
from mahrem.domain.policy import Policy
from mahrem.services.ports import KeyStore, Store
from mahrem.services.records.authors import author_of
from mahrem.services.records.entries import (
    CATEGORY_SYSTEM,
    DATE_FIELDS,
    PERIOD_FIELDS,
    SUBJECT_FIELDS,
    TCKN_SYSTEM,
    EntryResult,
    subject_of,
)
from mahrem.services.records.naming import (
    link_record,
    rewrite_references,
)
from mahrem.services.records.patients import resolve_patient
from mahrem.services.records.resources import add_record, add_version, current_resource
from mahrem.services.records.review import note_unmatched


def store_record(
    store: Store,
    keys: KeyStore,
    policy: Policy,
    resource: dict[str, Any],
    where: str,
    sender: Sender,
    names: dict[str, str],
    local_id: str,
    rid: str,
    linked: bool,
) -> EntryResult:
    """Store one pushed resource as the record `rid` for the sender's `local_id` (`linked`: the
    sender sent that id before); the same content again is `unchanged`, other content a
    correction (M13), refused."""
    rtype = resource["resourceType"]
    reference = subject_of(resource)
    if reference is None:
        raise InputError(
            "record.no_patient",
            f"{where}.subject: a {rtype} must name its patient",
            field=f"{where}.subject",
        )
    patients = {k: v.removeprefix("Patient/") for k, v in names.items() if v[:8] == "Patient/"}
    patient = resolve_patient(
        store, sender.facility, reference, patients, f"{where}.subject", sender.at
    )
    if linked:
        row = store.get("record", rid)
        assert row is not None
        current = current_resource(store, keys, rid)
        stored = _stored_form(resource, patient, rid, names, store, sender.installation)
        if row["patient"] == patient and current is not None and _content(current) == stored:
            return _result(rtype, rid, "unchanged", patient, local_id, current)
        if row["patient"] == patient and current is not None and _progresses(current, stored):
            add_version(
                store, keys, rid, stored, sender.at, by=sender.actor, basis="encounter-status"
            )
            updated = current_resource(store, keys, rid)
            return _result(rtype, rid, "updated", patient, local_id, updated)
        raise Refused(
            "record.correction_needed",
            f"{where}: {rtype}/{local_id} was stored with other content; a change to a record "
            "is a correction (M13)",
            basis="13",
        )
    stored = _stored_form(resource, patient, rid, names, store, sender.installation)
    author = author_of(
        store,
        stored,
        installation=sender.installation,
        facility=sender.facility,
        patient=patient,
        at=sender.at,
        tckn_system=sender.tckn_system,
    )
    sent = _category(resource, where)
    category = add_record(
        store,
        {
            "id": rid,
            "patient": patient,
            "facility": sender.facility,
            **({"author": author} if author else {}),
            "resource": stored,
            **sent,
        },
        where,
        _recorded_at(resource, sender.at),
        policy,
        keys,
        validated=True,
    )
    if category == "general":
        note_unmatched(store, sender.installation, stored, sent.get("category"), policy, sender.at)
    link_record(store, sender.installation, rtype, local_id, rid, sender.at)
    return _result(rtype, rid, "created", patient, local_id, current_resource(store, keys, rid))


@dataclass(frozen=True, slots=True)
class Sender:
    """Who pushes: the installation, its facility, the staff member it asserts (who is not the
    author of what it pushes: records/authors.py), when, and its TC kimlik system."""

    installation: str
    facility: str
    actor: str
    at: datetime
    tckn_system: str = TCKN_SYSTEM


def _result(
    rtype: str,
    rid: str,
    outcome: str,
    patient: str,
    local_id: str,
    resource: dict[str, Any] | None,
) -> EntryResult:
    version = int((resource or {}).get("meta", {}).get("versionId") or 1)
    return EntryResult(rtype, rid, outcome, patient, local_id, version, resource)


def _content(resource: dict[str, Any]) -> dict[str, Any]:
    """A stored resource without what Mahrem adds on reading (its version and update time)."""
    meta = {k: v for k, v in (resource.get("meta") or {}).items() if k not in SERVER_META}
    out = {k: v for k, v in resource.items() if k != "meta"}
    return {**out, "meta": meta} if meta else out


SERVER_META = ("versionId", "lastUpdated")
# What the sender changes as an encounter or an appointment goes on (arrived, in progress,
# finished; booked, fulfilled): a new version of the record, not a correction of its content.
PROGRESS = {
    "Encounter": frozenset(
        {"status", "statusHistory", "period", "classHistory", "hospitalization"}
    ),
    "Appointment": frozenset({"status", "cancelationReason"}),
}


def _progresses(current: dict[str, Any], sent: dict[str, Any]) -> bool:
    """An Encounter or Appointment that only moves on: nothing else differs."""
    moving = PROGRESS.get(str(sent.get("resourceType")))
    if moving is None:
        return False
    was = _content(current)
    keys = set(was) | set(sent)
    return all(was.get(k) == sent.get(k) for k in keys - moving)


def _stored_form(
    resource: dict[str, Any],
    patient: str,
    rid: str,
    names: dict[str, str],
    store: Store,
    installation: str,
) -> dict[str, Any]:
    """The resource as Mahrem keeps it: under Mahrem's id, the subject pointing at the person
    Mahrem knows, references to what the sender pushed given as Mahrem's ids, and none of the
    version metadata Mahrem sets itself."""
    out: dict[str, Any] = rewrite_references(_content(resource), names, store, installation)
    out["id"] = rid
    for key in SUBJECT_FIELDS:
        if isinstance(out.get(key), dict) and out[key].get("reference"):
            out[key] = {"reference": f"Patient/{patient}"}
    sent = subject_of(resource)
    for p in out.get("participant") or [] if out.get("resourceType") == "Appointment" else []:
        actor = (p or {}).get("actor") or {}
        if actor.get("reference") in (sent, names.get(sent or "")):
            p["actor"] = {"reference": f"Patient/{patient}"}
    return out


def _category(resource: dict[str, Any], where: str) -> dict[str, str]:
    tags = [
        t.get("code")
        for t in (resource.get("meta") or {}).get("tag") or []
        if t.get("system") == CATEGORY_SYSTEM
    ]
    if not tags:
        return {}
    if tags[0] not in CATEGORIES:
        raise InputError(
            "record.category",
            f"{where}.meta.tag: unknown category {tags[0]!r}",
            field=f"{where}.meta.tag",
        )
    return {"category": str(tags[0])}


def _recorded_at(resource: dict[str, Any], now: datetime) -> datetime:
    """When the record was made: its own date when it gives one with a time zone and it is not
    in the future, else the moment it arrives."""
    candidates = [resource.get(k) for k in DATE_FIELDS]
    candidates += [
        (resource.get(k) or {}).get("start")
        for k in PERIOD_FIELDS
        if isinstance(resource.get(k), dict)
    ]
    for value in candidates:
        if isinstance(value, str) and "T" in value:
            try:
                when = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            if when.tzinfo is not None and when <= now:
                return when
    return now
