"""Reading a patient's records through the engine: every record is decided (and audited) one by
one, and only what the law permits leaves the service. Of what is withheld, only what SPEC.md's
"What a refusal may tell" allows is told: the basis and what would open it, a count only for
restricted categories, never an id (domain/remedies.py).

Nothing here counts, pages or caches before the decisions: totals and pages are taken over the
permitted records only, so a withheld record cannot be inferred from a total or a page boundary.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mahrem.domain import engine
from mahrem.domain.decision import Decision, Request
from mahrem.domain.errors import MahremError, Refused
from mahrem.domain.facts import Facts
from mahrem.domain.fhir_search import Search, sort_key
from mahrem.domain.reasons import reason_text
from mahrem.domain.remedies import Notice, notices
from mahrem.services.access import decide, decide_each
from mahrem.services.lookup import require, unknown
from mahrem.services.policies import policy_at
from mahrem.services.ports import KeyStore, Mahrem, Row, Store
from mahrem.services.records.resources import current_resource, disposal


@dataclass(frozen=True, slots=True)
class RecordView:
    """A record the actor may read, with the decision that let them."""

    id: str
    category: str
    resource_type: str
    created_at: datetime
    facility: str
    resource: dict[str, Any]
    decision: Decision


@dataclass(frozen=True, slots=True)
class RecordsView:
    patient: str
    permitted: tuple[RecordView, ...]
    # What the withheld records may tell (domain/remedies.py): never their ids, dates or types.
    withheld: tuple[Notice, ...]
    # M12 care path: the patient's other records are withheld by a legal restriction (12/1);
    # nothing more is told, not even how many.
    legally_restricted: bool = False


def read_records(
    m: Mahrem,
    actor: str,
    patient: str,
    *,
    via: str | None = None,
    purpose: str | None = None,
    capacity: str | None = None,
    resource_type: str | None = None,
    at: datetime | None = None,
    key: str | None = None,
    search: Search | None = None,
) -> RecordsView:
    """C1, C2 — every record of the patient decided for the actor (each decision audited):
    what they may read, and what is withheld from them with why and what would open it. A
    refusal is raised only after the transaction commits, so its audit entries are kept."""
    base = Request(
        actor=actor,
        action="read",
        patient=patient,
        at=m.at(at),
        purpose=purpose,
        via=via,
        capacity=capacity,
    )
    with m.uow.write() as store:
        try:
            view = _decided_records(store, m.keys, base, resource_type, key)
        except MahremError as exc:
            refusal = exc
        else:
            return view if search is None else _searched(view, search)
    raise refusal


def _searched(view: RecordsView, search: Search) -> RecordsView:
    """The permitted records a FHIR search asks for (domain/fhir_search.py), in its order: the
    parameters apply to what the actor may read only, before any page is cut."""
    kept = [
        (r, updated)
        for r in view.permitted
        if search.matches(r.resource, updated := last_updated(r.resource, r.created_at))
    ]
    if search.sort:
        kept.sort(
            key=lambda pair: (sort_key(search, pair[0].resource, pair[1]), pair[0].id),
            reverse=search.sort.startswith("-"),
        )
    return dataclasses.replace(view, permitted=tuple(r for r, _ in kept))


def last_updated(resource: dict[str, Any], default: datetime) -> datetime:
    """When the record last changed, from the `meta.lastUpdated` Mahrem sets on reading."""
    value = (resource.get("meta") or {}).get("lastUpdated")
    return datetime.fromisoformat(value) if isinstance(value, str) else default


def read_record(
    m: Mahrem,
    actor: str,
    record: str,
    *,
    patient: str | None = None,
    via: str | None = None,
    purpose: str | None = None,
    capacity: str | None = None,
    at: datetime | None = None,
    key: str | None = None,
) -> RecordView:
    """C2 — one record, decided and audited; refused with the article, or answered as an
    unknown record where the decision says so (M12, M6/2). The refusal is raised after the
    transaction keeps its audit entry."""
    when = m.at(at)
    with m.uow.write() as store:
        try:
            return _record(
                store,
                m.keys,
                actor=actor,
                patient=patient,
                record=record,
                at=when,
                via=via,
                purpose=purpose,
                capacity=capacity,
                key=key,
            )
        except MahremError as exc:
            refusal = exc
    raise refusal


def check_patient(
    store: Store, req: Request, key: str | None = None, facts: Facts | None = None
) -> None:
    """Rules 1 and 2 for the patient as a whole (a search, before any record is named). A
    refusal is decided in full so that it is audited like any other, then raised: a refused
    installation with its article, a concealed patient exactly as an unknown one (M12)."""
    known = facts if facts is not None else store.facts_for(req)
    verdict = engine.patient_gate(req, known, policy_at(store, req.at))
    if verdict is None or verdict.effect == "permit":
        return
    decision = decide(store, req, key=key)  # the gate answers again, before any record rule
    if decision.answered_as_unknown:
        raise unknown("person", req.patient, "patient")
    raise Refused(decision.reason_key, decision.reason_en, basis=decision.basis)


def _decided_records(
    store: Store, keys: KeyStore, base: Request, resource_type: str | None, key: str | None
) -> RecordsView:
    """Decide a read of each of the patient's records (oldest first) and sort them into what
    the actor sees and what is withheld. Under a concealment order only the care path gets
    this far (check_patient); it sees its episode's records and learns only that the rest is
    restricted. Records deleted or destroyed (M14) exist for nobody and are not decided."""
    at, patient = base.at, base.patient
    require(store, "person", base.actor, "actor")
    require(store, "person", patient, "patient")
    rows = existing_records(store, patient, at, resource_type)
    # One facts snapshot for the whole search: the patient gate and every record's decision.
    patient_facts, each = store.facts_for_search(base, rows)
    check_patient(store, base, key, patient_facts)
    permitted: list[RecordView] = []
    refused: list[tuple[str, str]] = []
    restricted = False
    for row, decision in zip(
        rows, decide_each(store, base, rows, key=key, facts=each), strict=True
    ):
        if decision.permitted:
            resource = current_resource(store, keys, row["id"])
            if resource is not None:
                permitted.append(
                    RecordView(
                        row["id"],
                        row["category"],
                        row["resource_type"],
                        row["created_at"],
                        row["facility"],
                        resource,
                        decision,
                    )
                )
        elif decision.legally_restricted:
            restricted = True
        elif decision.basis.startswith("KTS/"):
            raise Refused(decision.reason_key, decision.reason_en, basis=decision.basis)
        else:
            refused.append((decision.basis, decision.reason_key))
    return RecordsView(patient, tuple(permitted), notices(refused), restricted)


def existing_records(
    store: Store, patient: str, at: datetime, resource_type: str | None = None
) -> list[Row]:
    """The patient's records as they stand at `at`, oldest first: made by then, of the type if
    one is given, and not deleted or destroyed (M14: those exist for nobody)."""
    return sorted(
        (
            r
            for r in store.rows("record", patient=patient)
            if r["created_at"] <= at
            and (not resource_type or r["resource_type"] == resource_type)
            and disposal(store, r["id"]) is None
        ),
        key=lambda r: (r["created_at"], r["id"]),
    )


def _record(
    store: Store,
    keys: KeyStore,
    *,
    actor: str,
    patient: str | None,
    record: str,
    at: datetime,
    via: str | None,
    purpose: str | None,
    capacity: str | None,
    key: str | None,
) -> RecordView:
    """Refused → `Refused` with the article, except what the decision answers as unknown (a
    concealment to all but the care path, M12; a hidden record, M6/2) and what it restricts
    (the care path is told only that a legal restriction withholds the record)."""
    require(store, "person", actor, "actor")
    meta = store.record_meta(record)
    if meta is None or (patient is not None and meta.patient != patient):
        raise unknown("record", record, "record")
    resource = current_resource(store, keys, record)
    if resource is None:
        raise unknown("record", record, "record")
    decision = decide(
        store,
        Request(
            actor=actor,
            action="read",
            patient=meta.patient,
            at=at,
            record=record,
            purpose=purpose,
            via=via,
            capacity=capacity,
        ),
        key=key,
    )
    if decision.answered_as_unknown:
        raise unknown("record", record, "record")
    if decision.legally_restricted:
        raise Refused(
            "concealment.legal_restriction",
            reason_text("concealment.legal_restriction")[1],
            basis="12/1",
        )
    if not decision.permitted:
        raise Refused(decision.reason_key, decision.reason_en, basis=decision.basis)
    row = store.get("record", record)
    assert row is not None
    return RecordView(
        record,
        row["category"],
        row["resource_type"],
        row["created_at"],
        row["facility"],
        resource,
        decision,
    )
