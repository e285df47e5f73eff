"""References between inputs: an id must name something known, and a record its patient's."""

from __future__ import annotations

from mahrem.domain.errors import InputError, NotFound
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
