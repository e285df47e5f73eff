"""Hospital software (SBYS) pushes FHIR R4 resources (C1): one resource or a transaction Bundle,
validated with fhir.resources (R4B), all or nothing, idempotent on the resource id.

A Patient is linked to the person Mahrem knows by TC kimlik no (an identifier in the
configured naming system, `TCKN_SYSTEM`); a new TC kimlik no registers the person. Every other
resource about a patient is stored as a record of that patient at the installation's facility,
its category taken from the sender (a `meta.tag` in `CATEGORY_SYSTEM`) or derived from its codes.
Directory resources (Organization, Location, Practitioner…) are not health data of a person and
are acknowledged without being stored.

Only a registered installation writes (the KTS letter, point 3): anything else is refused with
KTS/3 before a single entry is looked at.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from mahrem.domain.categories import CATEGORIES
from mahrem.domain.errors import InputError, Refused
from mahrem.domain.identity import validate_tckn
from mahrem.domain.policy import Policy
from mahrem.services import audit
from mahrem.services.ports import KeyStore, Store
from mahrem.services.records.resources import add_record, current_resource, validate_fhir

# No national FHIR naming system for the TC kimlik no exists (reference/law-notes.md §4), so
# Mahrem defines its own; MAHREM_TCKN_SYSTEM overrides it at the door.
TCKN_SYSTEM = "https://mahrem.saglik.gov.tr/fhir/NamingSystem/tckn"
CATEGORY_SYSTEM = "https://mahrem.saglik.gov.tr/fhir/CodeSystem/category"
DIRECTORY_TYPES = frozenset(
    {
        "Organization",
        "Location",
        "Practitioner",
        "PractitionerRole",
        "Device",
        "HealthcareService",
        "Endpoint",
        "Medication",
        "Substance",
    }
)
# Where a resource names its patient and when it was recorded, by resource type (R4).
SUBJECT_FIELDS = ("subject", "patient", "beneficiary")
DATE_FIELDS = (
    "recordedDate",
    "authoredOn",
    "occurrenceDateTime",
    "effectiveDateTime",
    "issued",
    "date",
    "performedDateTime",
    "onsetDateTime",
    "started",
    "created",
)
PERIOD_FIELDS = ("period", "performedPeriod", "effectivePeriod")


@dataclass(frozen=True, slots=True)
class EntryResult:
    """What became of one pushed resource: `created`, `unchanged` (the same id and content was
    pushed before), `linked` (a Patient) or `ignored` (directory data)."""

    resource_type: str
    id: str
    outcome: str
    patient: str | None = None

    @property
    def answer(self) -> str:
        """What the sending software is told. A Patient is `created` when this facility's id is
        linked for the first time, whether Mahrem knew the person or registered them now: the
        answer must not tell whether a TC kimlik no belongs to someone Mahrem knows (M12)."""
        return "created" if self.outcome in ("created", "registered", "linked") else self.outcome

    @property
    def status(self) -> str:
        return "201 Created" if self.answer == "created" else "200 OK"


@dataclass(frozen=True, slots=True)
class Pushed:
    entries: tuple[EntryResult, ...]


def push(
    store: Store,
    keys: KeyStore,
    policy: Policy,
    *,
    installation: str,
    actor: str,
    body: object,
    at: datetime,
    tckn_system: str = TCKN_SYSTEM,
    key: str | None = None,
) -> Pushed | Refused:
    """Validate and store one resource or a transaction/batch Bundle, all or nothing; software
    that may not write gets back the refusal to raise once the incident is committed."""
    facility = gate_write(store, installation, actor, at, "fhir_push")
    if isinstance(facility, Refused):
        return facility
    resources, full_urls = _entries(body)
    single = (
        len(full_urls) == 1
        and full_urls[0] is None
        and not (isinstance(body, dict) and body.get("resourceType") == "Bundle")
    )

    def where(i: int) -> str:
        return "body" if single else f"body.entry[{i}].resource"

    local: dict[str, str] = {}  # "Patient/<id>" and fullUrls in this push → person
    results: list[EntryResult] = []
    audited: list[dict[str, Any]] = []
    for i, resource in enumerate(resources):
        if resource["resourceType"] != "Patient":
            continue
        result = _patient(store, resource, where(i), facility, at, tckn_system)
        local[f"Patient/{resource['id']}"] = result.patient or ""
        if full_urls[i]:
            local[full_urls[i]] = result.patient or ""
        results.append(result)
        if result.outcome != "unchanged":
            audited.append(
                _entry(
                    at, actor, installation, f"patient_{result.outcome}", result.patient, None, key
                )
            )
    for i, resource in enumerate(resources):
        rtype = resource["resourceType"]
        if rtype == "Patient":
            continue
        if rtype in DIRECTORY_TYPES:
            results.append(EntryResult(rtype, str(resource.get("id", "")), "ignored"))
            continue
        result = _record(store, keys, policy, resource, where(i), facility, local, actor, at)
        results.append(result)
        if result.outcome == "created":
            audited.append(
                _entry(at, actor, installation, "record_created", result.patient, result.id, key)
            )
    audit.append_many(store, audited)
    return Pushed(tuple(results))


def _entry(
    at: datetime,
    actor: str,
    installation: str,
    action: str,
    patient: str | None,
    record: str | None,
    key: str | None,
) -> dict[str, Any]:
    # The staff member the installation asserted, as staff, with the key that asserted them.
    return dict(
        at=at,
        kind="event",
        actor=actor,
        capacity="staff",
        via=installation,
        action=action,
        patient=patient,
        record=record,
        outcome="accepted",
        detail={"key": key} if key else None,
    )


def registered_facility(store: Store, installation: str, at: datetime) -> str:
    """The facility of an installation registered at `at`; anything else is refused (KTS/3)."""
    inst = store.installation(installation, at)
    if inst is None or inst.status_at(at) != "registered":
        raise Refused(
            "kts.installation_not_registered",
            "only software registered in KTS may write health data",
            basis="KTS/3",
        )
    return inst.facility


def gate_write(
    store: Store, installation: str, actor: str, at: datetime, what: str
) -> str | Refused:
    """The installation's facility, or the KTS/3 refusal after the attempt was recorded as an
    incident (the caller raises it once the transaction has kept the record)."""
    from mahrem.services import kts

    try:
        return registered_facility(store, installation, at)
    except Refused as refusal:
        kts.refused_write(store, installation, actor, at, what)
        return refusal


def _entries(body: object) -> tuple[list[dict[str, Any]], list[str | None]]:
    """The resources of a push, each validated on its own (so an error names its entry), then the
    Bundle around them; a Bundle must be a transaction, a batch or a collection."""
    if not isinstance(body, dict) or body.get("resourceType") != "Bundle":
        return [validate_fhir(body, "body")], [None]
    if body.get("type") not in ("transaction", "batch", "collection"):
        raise InputError(
            "bundle.type",
            "body.type: a pushed Bundle is a transaction, batch or collection",
            field="body.type",
        )
    entries = body.get("entry") or []
    if not isinstance(entries, list):
        raise InputError("bundle.entry", "body.entry: must be a list", field="body.entry")
    out: list[dict[str, Any]] = []
    urls: list[str | None] = []
    for i, entry in enumerate(entries):
        inner = entry.get("resource") if isinstance(entry, dict) else None
        if inner is None:
            raise InputError(
                "bundle.entry",
                f"body.entry[{i}]: an entry needs a resource",
                field=f"body.entry[{i}]",
            )
        out.append(validate_fhir(inner, f"body.entry[{i}].resource"))
        urls.append(entry.get("fullUrl"))
    validate_fhir(
        {**body, "entry": [{k: v for k, v in e.items() if k != "resource"} for e in entries]},
        "body",
    )
    return out, urls


def _patient(
    store: Store, resource: dict[str, Any], where: str, facility: str, at: datetime, system: str
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
    local_id = resource.get("id")
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
    return EntryResult("Patient", local_id, outcome, person)


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
    pushed before (`Patient/<local id>`), or `Patient?identifier=<system>|<TC kimlik no>`."""
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
        links = store.rows(
            "patient_link", facility=facility, local_id=reference.removeprefix("Patient/")
        )
        person = str(links[0]["person"]) if links else None
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


def _record(
    store: Store,
    keys: KeyStore,
    policy: Policy,
    resource: dict[str, Any],
    where: str,
    facility: str,
    local: dict[str, str],
    actor: str,
    at: datetime,
) -> EntryResult:
    rtype = resource["resourceType"]
    reference = next(
        (
            resource[k].get("reference")
            for k in SUBJECT_FIELDS
            if isinstance(resource.get(k), dict) and resource[k].get("reference")
        ),
        None,
    )
    if reference is None:
        raise InputError(
            "record.no_patient",
            f"{where}.subject: a {rtype} must name its patient",
            field=f"{where}.subject",
        )
    patient = resolve_patient(store, facility, reference, local, f"{where}.subject", at)
    rid = resource.get("id") or _content_id(resource)
    existing = store.get("record", rid)
    if existing is not None:
        if existing["patient"] == patient and current_resource(store, keys, rid) == _stored_form(
            resource, patient
        ):
            return EntryResult(rtype, rid, "unchanged", patient)
        raise InputError(
            "record.conflict",
            f"{where}.id: {rtype}/{rid} exists with other content; a change to a "
            "record is a correction (M13)",
            field=f"{where}.id",
        )
    stored = _stored_form(resource, patient)
    add_record(
        store,
        {
            "id": rid,
            "patient": patient,
            "facility": facility,
            "author": actor,
            "resource": stored,
            **_category(resource, where),
        },
        where,
        _recorded_at(resource, at),
        policy,
        keys,
        validated=True,
    )
    return EntryResult(rtype, rid, "created", patient)


def _stored_form(resource: dict[str, Any], patient: str) -> dict[str, Any]:
    """The resource as Mahrem keeps it: the subject points at the person Mahrem knows."""
    out = json.loads(json.dumps(resource))
    for key in SUBJECT_FIELDS:
        if isinstance(out.get(key), dict) and out[key].get("reference"):
            out[key] = {"reference": f"Patient/{patient}"}
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


def _content_id(resource: dict[str, Any]) -> str:
    """An id for a resource sent without one: the hash of its content, so a resend is idempotent."""
    return hashlib.sha256(json.dumps(resource, sort_keys=True).encode()).hexdigest()[:32]
