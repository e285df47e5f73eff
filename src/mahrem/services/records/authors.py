"""Who authored a pushed record (issue 19; M6/6's author exemption): the clinician the resource
names, never the software's acting user by default.

The author is the first Practitioner the resource names in `recorder`, `asserter`,
`performer`, `requester` or `author` — or, when it names none, the author of the Encounter it
belongs to (whose own author comes from its `participant`s) — who holds a staff post at the
installation's facility at the time of the push. A Practitioner is known by:
- `Practitioner/<Mahrem person id>`;
- its TC kimlik no: `Practitioner?identifier=<TC kimlik system>|<no>`, or a Reference's
  `identifier` with that system;
- the installation's own names for it (`Practitioner/<its id>`, any `<system>|<value>` of the
  Practitioner resource), learnt when the installation pushes that Practitioner with its TC
  kimlik no (`practitioner_link`).
A record that names no such clinician has no author, and so no author exemption.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from mahrem.services.lookup import person_named
from mahrem.services.ports import Store

CLINICIAN_ELEMENTS = ("recorder", "asserter", "performer", "requester", "author")


def practitioner_references(resource: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The References to a Practitioner the resource gives as its clinician, in order (an
    Encounter: its participants' individuals)."""
    elements: list[Any] = [resource.get(e) for e in CLINICIAN_ELEMENTS]
    if resource.get("resourceType") == "Encounter":
        elements += [p.get("individual") for p in resource.get("participant") or [] if p]
    for value in elements:
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, dict):
                continue
            actor = item.get("actor")
            ref: dict[str, Any] = actor if isinstance(actor, dict) else item
            reference = str(ref.get("reference") or "")
            if reference.startswith("Practitioner") or (
                not reference and isinstance(ref.get("identifier"), dict)
            ):
                yield ref


def _names(ref: dict[str, Any], tckn_system: str) -> tuple[str | None, list[str]]:
    """(the TC kimlik no or Mahrem id the reference gives, the installation-local names)."""
    reference = str(ref.get("reference") or "")
    identifier = ref.get("identifier") if isinstance(ref.get("identifier"), dict) else None
    if identifier is not None:
        system, value = str(identifier.get("system") or ""), str(identifier.get("value") or "")
        return (value, []) if system == tckn_system else (None, [f"{system}|{value}"])
    if reference.startswith("Practitioner?identifier="):
        system, _, value = reference.removeprefix("Practitioner?identifier=").rpartition("|")
        return (value, []) if system == tckn_system else (None, [f"{system}|{value}"])
    local = reference.removeprefix("Practitioner/")
    return local, [f"Practitioner/{local}"]


def author_of(
    store: Store,
    resource: dict[str, Any],
    *,
    installation: str,
    facility: str,
    patient: str,
    at: datetime,
    tckn_system: str,
) -> str | None:
    """The clinician who authored `resource` (stored form: references already Mahrem's), or
    None when it names no clinician on the facility's staff."""
    for ref in practitioner_references(resource):
        person = _person(store, ref, installation, tckn_system)
        if person and store.open_rows("staff_post", at, person=person, facility=facility):
            return person
    encounter = str((resource.get("encounter") or {}).get("reference") or "")
    if encounter.startswith("Encounter/"):
        row = store.get("record", encounter.removeprefix("Encounter/"))
        if row is not None and row["patient"] == patient and row["resource_type"] == "Encounter":
            return str(row["author"]) if row["author"] else None
    return None


def _person(store: Store, ref: dict[str, Any], installation: str, tckn_system: str) -> str | None:
    named, locals_ = _names(ref, tckn_system)
    for local in locals_:
        rows = store.rows("practitioner_link", installation=installation, name=local)
        if rows:
            return str(rows[0]["person"])
    return person_named(store, named) if named else None


def link_practitioner(
    store: Store, practitioner: dict[str, Any], installation: str, at: datetime, tckn_system: str
) -> None:
    """Remember the installation's names for a Practitioner it pushed with a TC kimlik no (its
    id and every identifier), so later records may name it the installation's way. A
    Practitioner without one, or whose person Mahrem does not know, teaches nothing (and the
    push answers the same either way)."""
    identifiers = [i for i in practitioner.get("identifier") or [] if isinstance(i, dict)]
    tckn = next((str(i.get("value")) for i in identifiers if i.get("system") == tckn_system), None)
    person = person_named(store, tckn) if tckn else None
    if person is None:
        return
    names = [f"{i.get('system')}|{i.get('value')}" for i in identifiers if i.get("value")]
    if practitioner.get("id"):
        names.append(f"Practitioner/{practitioner['id']}")
    for name in (n[:300] for n in names):
        held = store.rows("practitioner_link", installation=installation, name=name)
        if not held:
            store.add(
                "practitioner_link",
                installation=installation,
                name=name,
                person=person,
                linked_at=at,
            )
        elif held[0]["person"] != person:  # the installation gave that name to someone else
            store.set("practitioner_link", held[0]["id"], person=person, linked_at=at)
