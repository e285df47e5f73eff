"""Reading a patient's records through the engine: every record is decided (and audited) one by
one, and only what the law permits leaves the service. Of what is withheld, only what SPEC.md's
"What a refusal may tell" allows is told: the basis and what would open it, a count only for
restricted categories, never an id (domain/remedies.py).

Nothing here counts, pages or caches before the decisions: totals and pages are taken over the
permitted records only, so a withheld record cannot be inferred from a total or a page boundary.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mahrem.domain import engine
from mahrem.domain.decision import Decision, Request
from mahrem.domain.errors import Refused
from mahrem.domain.reasons import reason_text
from mahrem.domain.remedies import Notice, notices
from mahrem.domain.rules.concealment import holds_care_path
from mahrem.services.policies import policy_at
from mahrem.services.ports import KeyStore, Store
from mahrem.services.records import current_resource, disposal
from mahrem.services.refs import require, unknown

DecideFn = Callable[[Store, Request], Decision]
DecideManyFn = Callable[[Store, Request, list[dict[str, Any]]], list[Decision]]


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


def check_patient(store: Store, decide: DecideFn, req: Request) -> None:
    """Rules 1 and 2 for the patient as a whole (a search, before any record is named). A refusal
    is decided again through `decide` so that it is audited like any other, then raised: a
    refused installation with its article, a concealed patient exactly as an unknown one (M12)."""
    verdict = engine.patient_gate(req, store.facts_for(req), policy_at(store, req.at))
    if verdict is None or verdict.effect == "permit":
        return
    decision = decide(store, req)  # the gate answers again, before any rule that needs a record
    if decision.basis == "12/1":
        raise unknown("person", req.patient, "patient")
    raise Refused(decision.reason_key, decision.reason_en, basis=decision.basis)


def read_records(store: Store, keys: KeyStore, decide: DecideFn, decide_many: DecideManyFn, *, actor: str,
                 patient: str, at: datetime, via: str | None = None, purpose: str | None = None,
                 capacity: str | None = None, resource_type: str | None = None) -> RecordsView:
    """Decide a read of each of the patient's records (oldest first) and sort them into what the
    actor sees and what is withheld. Under a concealment order only the care path gets this far
    (check_patient); it sees its episode's records and learns only that the rest is restricted.
    Records deleted or destroyed (M14) exist for nobody and are not decided at all."""
    require(store, "person", actor, "actor")
    require(store, "person", patient, "patient")
    base = Request(actor=actor, action="read", patient=patient, at=at, purpose=purpose, via=via,
                   capacity=capacity)
    check_patient(store, decide, base)
    rows = sorted((r for r in store.rows("record", patient=patient)
                   if r["created_at"] <= at and (not resource_type or r["resource_type"] == resource_type)
                   and disposal(store, r["id"]) is None),
                  key=lambda r: (r["created_at"], r["id"]))
    permitted: list[RecordView] = []
    refused: list[tuple[str, str]] = []
    restricted = False
    for row, decision in zip(rows, decide_many(store, base, rows)):
        if decision.permitted:
            resource = current_resource(store, keys, row["id"])
            if resource is not None:
                permitted.append(RecordView(row["id"], row["category"], row["resource_type"], row["created_at"],
                                            row["facility"], resource, decision))
        elif decision.basis == "12/1":
            # check_patient let the search on, so the actor holds the care path (rule 2).
            restricted = True
        elif decision.basis.startswith("KTS/"):
            raise Refused(decision.reason_key, decision.reason_en, basis=decision.basis)
        else:
            refused.append((decision.basis, decision.reason_key))
    return RecordsView(patient, tuple(permitted), notices(refused), restricted)


def read_record(store: Store, keys: KeyStore, decide: DecideFn, *, actor: str, patient: str | None, record: str,
                at: datetime, via: str | None = None, purpose: str | None = None,
                capacity: str | None = None) -> RecordView:
    """One record, decided and audited. Refused → `Refused` with the article, except a
    concealment (12/1), which is answered exactly as an unknown record to all but the care path
    (M12 with M6/1), which is told only that a legal restriction withholds it."""
    require(store, "person", actor, "actor")
    meta = store.record_meta(record)
    if meta is None or (patient is not None and meta.patient != patient):
        raise unknown("record", record, "record")
    resource = current_resource(store, keys, record)
    if resource is None:
        raise unknown("record", record, "record")
    decision = decide(store, Request(actor=actor, action="read", patient=meta.patient, at=at, record=record,
                                     purpose=purpose, via=via, capacity=capacity))
    if decision.basis == "12/1" and not decision.permitted:
        if not _holds_care_path(store, Request(actor=actor, action="read", patient=meta.patient, at=at,
                                               purpose=purpose, via=via, capacity=capacity)):
            raise unknown("record", record, "record")
        raise Refused("concealment.legal_restriction", reason_text("concealment.legal_restriction")[1],
                      basis="12/1")
    if not decision.permitted and decision.reason_key == "preferences.record_hidden":
        raise unknown("record", record, "record")  # M6/2: a hidden record is, to the reader, none at all
    if not decision.permitted:
        raise Refused(decision.reason_key, decision.reason_en, basis=decision.basis)
    row = store.get("record", record)
    assert row is not None
    return RecordView(record, row["category"], row["resource_type"], row["created_at"], row["facility"], resource,
                      decision)


def _holds_care_path(store: Store, req: Request) -> bool:
    """Rule 2: the actor holds the care path for this patient now (M12 with M6/1)."""
    return holds_care_path(req, store.facts_for(req), policy_at(store, req.at))


@dataclass(frozen=True, slots=True)
class Explanation:
    """A decision replayed for an actor, patient and record at a time, with what it rested on."""

    at: datetime
    request: Request
    decision: Decision
    facts: dict[str, Any]


def explain(store: Store, *, viewer: str, actor: str, patient: str, record: str | None, action: str,
            at: datetime, now: datetime, via: str | None = None, purpose: str | None = None,
            capacity: str | None = None) -> Explanation:
    """The decision as the engine would have made it at `at`, with the facts and the policy
    version in force then. Not a read: nothing is disclosed but the decision, and only to the
    actor themselves, the patient, or a data protection officer. A concealment (12/1) is answered
    as an unknown patient unless the viewer is a dpo or an officer named in the order."""
    from mahrem.services.transparency import Forbidden

    require(store, "person", actor, "actor")
    require(store, "person", patient, "patient")
    if record is not None:
        meta = store.record_meta(record)
        if meta is None or meta.patient != patient:
            raise unknown("record", record, "record")
    viewer_is_dpo = any(r["role"] == "dpo" for r in store.open_rows("officer_role", now, person=viewer))
    req = Request(actor=actor, action=action, patient=patient, at=at, record=record, purpose=purpose, via=via,
                  capacity=capacity)
    facts = store.facts_for(req)
    concealed = any(o.span.contains(at) or o.span.contains(now) for o in facts.concealments)
    entitled_to_concealment = viewer_is_dpo or viewer == patient or any(
        viewer in o.need_to_know for o in facts.concealments)
    policy = policy_at(store, at)
    care_team = concealed and not entitled_to_concealment and viewer == actor and _holds_care_path(
        store, dataclasses.replace(req, at=now, record=None))
    if concealed and not entitled_to_concealment and not care_team:
        raise unknown("person", patient, "patient")
    if not (viewer_is_dpo or viewer in (actor, patient)):
        raise Forbidden("explain.forbidden", "only the actor, the patient or a data protection officer may ask")
    decision = engine.decide(req, facts, policy)
    summary = _fact_summary(facts, at)
    if care_team:  # rule 2: the care path learns of a legal restriction, not of the order
        if decision.basis == "12/1":
            raise Refused("concealment.legal_restriction", reason_text("concealment.legal_restriction")[1],
                          basis="12/1")
        summary.pop("concealments", None)
    return Explanation(at, req, decision, summary)


def _fact_summary(facts: Any, at: datetime) -> dict[str, Any]:
    """The facts in force at `at`, by kind, as counts and ids a person can check."""
    out: dict[str, Any] = {}
    for name in getattr(facts, "__dataclass_fields__", {}):
        value = getattr(facts, name)
        if isinstance(value, tuple):
            in_force = [v for v in value if not hasattr(v, "span") or v.span.contains(at)]
            out[name] = len(in_force)
        elif value is None or isinstance(value, (str, int, bool)):
            out[name] = value
    return out
