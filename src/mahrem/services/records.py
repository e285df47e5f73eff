"""Health records (C1): a FHIR R4 resource validated with fhir.resources (R4B models), and
its category, author, facility and creation time."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from mahrem.domain.categories import derive_category
from mahrem.domain.errors import InputError
from mahrem.domain.policy import Policy
from mahrem.services.inputs import CATEGORIES, Fields
from mahrem.services.ports import KeyStore, Store
from mahrem.services.refs import require


def validate_fhir(resource: object, field: str) -> dict[str, Any]:
    """Validate a FHIR R4 resource; returns it as given, or raises naming the field."""
    from fhir.resources.R4B import get_fhir_model_class

    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        raise InputError("fhir.invalid", f"{field}: a FHIR resource needs a resourceType", field=field)
    try:
        model = get_fhir_model_class(resource["resourceType"])
        model.model_validate(resource)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        detail = _first_error(exc)
        raise InputError("fhir.invalid", f"{field}: invalid FHIR {resource['resourceType']}: {detail}",
                         field=field) from exc
    return resource


def _first_error(exc: ValueError) -> str:
    if isinstance(exc, ValidationError) and exc.errors():
        err = exc.errors()[0]
        return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
    return str(exc).splitlines()[0]


def add_record(store: Store, data: object, where: str, created_at: datetime, policy: Policy) -> str:
    """Validate and store one record; the category is derived where the sender gave none."""
    f = Fields(data, where)
    rid = f.str("id")
    if store.exists("record", rid):
        raise InputError("record.duplicate", f"{where}.id: record {rid!r} already exists", field=f"{where}.id")
    patient = require(store, "person", f.str("patient"), f"{where}.patient")
    facility = require(store, "facility", f.str("facility"), f"{where}.facility")
    author = require(store, "person", f.str("author"), f"{where}.author") if f.has("author") else None
    sent = f.opt_str("category", CATEGORIES)
    resource = validate_fhir(f.data.get("resource"), f"{where}.resource")
    store.add(
        "record", id=rid, patient=patient, facility=facility, author=author, created_at=created_at,
        category=derive_category(resource, sent, policy), resource_type=resource["resourceType"],
        resource=resource,
    )
    return rid


def current_resource(store: Store, keys: KeyStore, record_id: str) -> dict[str, Any] | None:
    """The record's current FHIR resource as readers see it; None when it no longer exists for
    users (deleted or destroyed). Every reader of record content goes through here."""
    row = store.get("record", record_id)
    return None if row is None else dict(row["resource"])
