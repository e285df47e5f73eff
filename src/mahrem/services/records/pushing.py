"""C1 — hospital software pushes one FHIR resource or a Bundle (records/ingest.py validates and
stores it). A transaction (and a collection, or a single resource) is all or nothing; a batch's
entries are independent, as FHIR's RESTful API defines it: each is stored in a unit of work of
its own, and a refused entry is answered with its error while the others are kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from mahrem.domain.errors import MahremError, Refused
from mahrem.services.policies import policy_at
from mahrem.services.ports import Mahrem
from mahrem.services.records.entries import TCKN_SYSTEM, EntryResult, Pushed
from mahrem.services.records.ingest import Entry, entries_of
from mahrem.services.records.ingest import push as push_entries


def push(
    m: Mahrem,
    installation: str,
    actor: str,
    body: object,
    *,
    at: datetime | None = None,
    tckn_system: str = TCKN_SYSTEM,
    key: str | None = None,
    given_id: str | None = None,
    keep_id: bool = True,
) -> Pushed:
    """Store what the software pushed; software that may not write gets the refusal raised
    once its incident is committed (KTS/2). `given_id` names a single resource (a PUT);
    `keep_id=False` lets Mahrem name it (a type-level create)."""
    when = m.at(at)
    kind, entries = entries_of(body, given_id=given_id, keep_id=keep_id)
    if kind == "batch":
        return Pushed(tuple(_batch(m, installation, actor, entries, when, tckn_system, key)), kind)
    single = kind == "single"
    with m.uow.write() as store:
        pushed = push_entries(
            store,
            m.keys,
            policy_at(store, when),
            installation=installation,
            actor=actor,
            entries=entries,
            at=when,
            where=lambda i: "body" if single else f"body.entry[{i}].resource",
            tckn_system=tckn_system,
            key=key,
        )
    if isinstance(pushed, MahremError):
        raise pushed
    return Pushed(tuple(pushed), kind)


def _batch(
    m: Mahrem,
    installation: str,
    actor: str,
    entries: list[Entry],
    when: datetime,
    tckn_system: str,
    key: str | None,
) -> list[EntryResult]:
    """Each entry on its own, Patients first so that the others may name them."""
    names: dict[str, str] = {}
    results: dict[int, EntryResult] = {}
    order = sorted(
        range(len(entries)), key=lambda i: entries[i].resource["resourceType"] != "Patient"
    )
    for i in order:
        if entries[i].error is not None:
            rtype = str(entries[i].resource.get("resourceType"))
            results[i] = EntryResult(rtype, "", "refused", error=entries[i].error)
            continue
        try:
            with m.uow.write() as store:
                pushed = push_entries(
                    store,
                    m.keys,
                    policy_at(store, when),
                    installation=installation,
                    actor=actor,
                    entries=[entries[i]],
                    at=when,
                    where=_at_entry(i),
                    tckn_system=tckn_system,
                    key=key,
                    names=dict(names),
                )
        except MahremError as exc:
            rtype = entries[i].resource["resourceType"]
            results[i] = EntryResult(rtype, "", "refused", error=exc)
            continue
        if isinstance(pushed, Refused):
            raise pushed  # the software may not write at all (KTS), its incident committed
        result = results[i] = pushed[0]
        named = result.patient if result.resource_type == "Patient" else result.id
        for name in (f"{result.resource_type}/{result.local_id}", entries[i].full_url):
            if name and result.local_id:
                names[name] = f"{result.resource_type}/{named}"
    return [results[i] for i in range(len(entries))]


def _at_entry(i: int) -> Callable[[int], str]:
    """Errors of a batch entry pushed on its own name its place in the Bundle."""
    return lambda _: f"body.entry[{i}].resource"
