"""Whose names a push uses (issue 17): each installation's resource ids live in a namespace of
their own, linked to records under ids Mahrem mints (`record_link`), so two hospitals can both
send `Observation/1001` and neither learns that the other holds one. References inside a push
(`urn:uuid:` full URLs, the sender's `Type/<id>` of this push or of earlier ones) are rewritten
to Mahrem's ids everywhere in the resource, not only in its subject."""

from __future__ import annotations

import hashlib
import itertools
import json
import uuid
from datetime import datetime
from typing import Any

from mahrem.services.ports import Store


def local_id_of(resource: dict[str, Any], given: str | None) -> str:
    """The sender's id of a resource: the one it gave (PUT, or a Bundle entry's id), else the
    hash of its content, so that sending the same resource again changes nothing."""
    if given:
        return given
    return hashlib.sha256(json.dumps(resource, sort_keys=True).encode()).hexdigest()[:32]


def linked_record(store: Store, installation: str, resource_type: str, local_id: str) -> str | None:
    """Mahrem's id of the record this installation sent under `resource_type/local_id`."""
    rows = store.rows(
        "record_link", installation=installation, resource_type=resource_type, local_id=local_id
    )
    return str(rows[0]["record"]) if rows else None


_SEQUENCE = itertools.count()


def new_record_id(at: datetime) -> str:
    """A record id of Mahrem's own: the instant it was stored (which `meta.lastUpdated` tells
    anyway), a sequence, then randomness, so that ids sort in the order records arrived and
    tell nothing of who sent them or what else is held."""
    micros = int(at.timestamp() * 1_000_000)
    return f"{micros:014x}{next(_SEQUENCE) % 0x10000:04x}{uuid.uuid4().hex[:14]}"


def link_record(
    store: Store, installation: str, resource_type: str, local_id: str, record: str, at: datetime
) -> None:
    store.add(
        "record_link",
        installation=installation,
        resource_type=resource_type,
        local_id=local_id,
        record=record,
        linked_at=at,
    )


def rewrite_references(value: Any, names: dict[str, str], store: Store, installation: str) -> Any:
    """A copy of `value` with every `reference` this push or an earlier one of this
    installation names given as Mahrem's `Type/<id>`; other references are kept as sent."""
    if isinstance(value, list):
        return [rewrite_references(v, names, store, installation) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: rewrite_references(v, names, store, installation) for k, v in value.items()}
    reference = out.get("reference")
    if isinstance(reference, str):
        out["reference"] = _renamed(reference, names, store, installation)
    return out


def _renamed(reference: str, names: dict[str, str], store: Store, installation: str) -> str:
    if reference in names:
        return names[reference]
    kind, _, local = reference.partition("/")
    if not local or "/" in local or "?" in reference or kind == "Patient":
        return reference
    record = linked_record(store, installation, kind, local)
    return f"{kind}/{record}" if record else reference
