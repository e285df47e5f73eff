"""References between inputs: an id must name something known, and a record its patient's."""

from __future__ import annotations

from mahrem.domain.errors import InputError, MahremError, NotFound
from mahrem.domain.identity import validate_tckn
from mahrem.services.ports import Store

KIND_NAMES = {
    "person": "person",
    "facility": "facility",
    "record": "record",
    "installation": "software",
    "unit": "unit",
    "episode": "episode",
    "power_of_attorney": "power of attorney",
    "correction_request": "correction request",
    "written_opinion": "written opinion",
    "protocol": "protocol",
}


def unknown(kind: str, key: str, field: str) -> NotFound:
    """The error for an id that names nothing; also what a concealed patient looks like (M12)."""
    code = "software" if kind == "installation" else kind
    return NotFound(
        f"{code}.unknown", f"{field}: unknown {KIND_NAMES.get(kind, kind)} {key!r}", field=field
    )


def require(store: Store, kind: str, key: str, field: str) -> str:
    """Return `key` when it names a known `kind`, else raise `<kind>.unknown` naming the field."""
    if not store.exists(kind, key):
        raise unknown(kind, key, field)
    return key


def require_record_of(store: Store, record: str, patient: str, field: str) -> str:
    """The record must exist and belong to the patient: a reference across patients is an error."""
    meta = store.record_meta(record)
    if meta is None:
        raise NotFound("record.unknown", f"{field}: unknown record {record!r}", field=field)
    if meta.patient != patient:
        raise InputError(
            "record.other_patient",
            f"{field}: record {record!r} is not a record of {patient!r}",
            field=field,
        )
    return record


def require_new(store: Store, kind: str, key: str, field: str) -> str:
    if store.exists(kind, key):
        raise InputError(f"{kind}.duplicate", f"{field}: {key!r} already exists", field=field)
    return key


def person_named(store: Store, value: str, *, by_id: bool = True) -> str | None:
    """The person a TC kimlik no (or, with `by_id`, a Mahrem id) names, or None; nothing else is
    tried, and an over-long value names nobody."""
    value = value.strip()
    if not 0 < len(value) <= 64:
        return None
    if value.isdigit() and len(value) == 11:
        found = store.rows("person", tckn=value)
        return str(found[0]["id"]) if found else None
    return value if by_id and store.exists("person", value) else None


def patient_named_by(
    store: Store, reference: str, *, facility: str | None, system: str | None = None
) -> str | None:
    """The person a FHIR patient reference names, or None (the caller answers it as unknown):
    `Patient/<Mahrem id>` (or a full URL ending so, or the bare id), `<system>|<TC kimlik no>`
    (or the bare TC kimlik no; any system when `system` is None), or the id `facility` gave the
    patient when it pushed it."""
    value = reference.strip()
    if "|" in value:
        given_system, _, tckn = value.rpartition("|")
        if system is not None and given_system not in ("", system):
            return None
        try:
            tckn = validate_tckn(tckn, "patient")
        except MahremError:
            return None
        found = store.rows("person", tckn=tckn)
        return str(found[0]["id"]) if found else None
    if "/" in value:
        kind, _, value = value.rstrip("/").rpartition("/")
        if kind and not kind.endswith("Patient"):
            return None
    if not 0 < len(value) <= 64:
        return None
    if store.exists("person", value):
        return value
    if facility is not None:
        links = store.rows("patient_link", facility=facility, local_id=value)
        if links:
            return str(links[0]["person"])
    if value.isdigit() and len(value) == 11:  # a bare TC kimlik no
        found = store.rows("person", tckn=value)
        return str(found[0]["id"]) if found else None
    return None


def facility_of(store: Store, installation: str | None) -> str | None:
    """The facility an installation belongs to, if it names one."""
    row = store.get("installation", installation) if installation else None
    return str(row["facility"]) if row else None
