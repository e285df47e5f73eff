"""A pushed resource stored as a record (C1, M13): the record of the patient it names, at the
installation's facility, with the category the sender tags it with (or, without a tag, the one
derived from its codes) and the time it was made. Storing is idempotent on the resource id: the
same content again is `unchanged`, other content under the same id is refused, since a change
to a record is a correction (M13)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from mahrem.domain.categories import CATEGORIES
from mahrem.domain.errors import InputError
from mahrem.domain.policy import Policy
from mahrem.services.ports import KeyStore, Store
from mahrem.services.records.entries import (
    CATEGORY_SYSTEM,
    DATE_FIELDS,
    PERIOD_FIELDS,
    SUBJECT_FIELDS,
    EntryResult,
)
from mahrem.services.records.patients import resolve_patient
from mahrem.services.records.resources import add_record, current_resource


def store_record(
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
    out: dict[str, Any] = json.loads(json.dumps(resource))
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
