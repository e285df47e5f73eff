"""Deciding: the one use case every read path calls (SPEC.md, "A decision's path").

`decide` and `decide_each` run inside the caller's unit of work: they read one snapshot of the
facts, ask the pure engine (mahrem.domain.engine), append the decisions to the audit trail in
the same transaction, and let the KTS gate note the read. A search of a patient's records
calls `decide_each` once: one facts snapshot, one decision per record, one audit append.
`decide_json` is the door's version: a request given as JSON, in its own transaction.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from mahrem.domain import engine
from mahrem.domain.decision import Decision, Request
from mahrem.domain.facts import Facts
from mahrem.domain.policy import Policy
from mahrem.services.access.requests import parse_request
from mahrem.services.audit import append_many
from mahrem.services.kts import after_decision, treat_as_export
from mahrem.services.policies import policy_at
from mahrem.services.ports import Mahrem, Row, Store


def decide_json(
    m: Mahrem, data: object, at: datetime | None = None, *, key: str | None = None
) -> tuple[Request, Decision]:
    """Decide a request given as JSON; the decision is audited in the same transaction, with
    the installation key (its public prefix) that asserted the acting person, if any."""
    when = m.at(at)
    with m.uow.write() as store:
        req = parse_request(store, data, when)
        decision = decide(store, req, key=key)
    return req, decision


def decide(store: Store, req: Request, *, key: str | None = None) -> Decision:
    """Decide and audit one validated request inside the caller's unit of work."""
    policy = policy_at(store, req.at)
    if treat_as_export(store, req, policy):
        # KTS/2: reads that look like copying the facility's data are decided as the export
        # they are.
        req = dataclasses.replace(req, action="export")
    return _decided(store, [(req, store.facts_for(req))], policy, key)[0]


def decide_each(
    store: Store,
    req: Request,
    records: list[Row],
    *,
    key: str | None = None,
    facts: list[Facts] | None = None,
) -> list[Decision]:
    """A read of each of these records of the request's patient (a search): one snapshot of
    the facts (the caller's, if it read one for the search already), each record decided on
    its own, the decisions audited together."""
    if not records:
        return []
    policy = policy_at(store, req.at)
    if treat_as_export(store, req, policy):
        return [decide(store, dataclasses.replace(req, record=r["id"]), key=key) for r in records]
    reqs = [dataclasses.replace(req, record=r["id"]) for r in records]
    each = facts if facts is not None else store.facts_for_each(req, records)
    pairs = list(zip(reqs, each, strict=True))
    return _decided(store, pairs, policy, key)


def decide_any(
    store: Store, req: Request, records: list[Row], *, key: str | None = None
) -> Decision | None:
    """May the actor read at least one of these records of the patient? The decision that
    says so (a permit if any), audited once as a read of the patient, not of each record:
    no record is served (a FHIR Patient read). None when there are no records."""
    if not records:
        return None
    policy = policy_at(store, req.at)
    patient_facts, each = store.facts_for_search(req, records)
    reqs = [dataclasses.replace(req, record=r["id"]) for r in records]
    decisions = [engine.decide(r, f, policy) for r, f in zip(reqs, each, strict=True)]
    found = next((d for d in decisions if d.permitted), decisions[0])
    entry = audit_entry(req, patient_facts, found, key)
    append_many(store, [{**entry, "action": "patient_read"}])
    return found


def _decided(
    store: Store, pairs: list[tuple[Request, Facts]], policy: Policy, key: str | None
) -> list[Decision]:
    decisions = [engine.decide(req, facts, policy) for req, facts in pairs]
    append_many(
        store,
        [audit_entry(req, facts, d, key) for (req, facts), d in zip(pairs, decisions, strict=True)],
    )
    # The KTS gate notes a read of this patient once per call (a search reads one patient):
    # through the permitted decision if there is one, so a care relationship counts.
    noted = next((i for i, d in enumerate(decisions) if d.permitted), 0)
    after_decision(store, pairs[noted][0], decisions[noted], pairs[noted][0].at)
    return decisions


def audit_entry(
    req: Request, facts: Facts, decision: Decision, key: str | None = None
) -> dict[str, Any]:
    """M18 — the audit entry of one decision: who, in which capacity and role, from where,
    what, about whom, the outcome with its article, and the policy version that decided."""
    role, facility = _role_and_facility(req, facts, decision.capacity)
    detail: dict[str, Any] = {
        "recipient": req.recipient.kind if req.recipient else None,
        "tried": list(decision.tried),
    }
    if key is not None:
        detail["key"] = key
    return {
        "at": req.at,
        "kind": "decision",
        "actor": req.actor,
        "capacity": decision.capacity,
        "via": req.via,
        "role": role,
        "facility": facility,
        "action": req.action,
        "patient": req.patient,
        "record": req.record,
        "purpose": req.purpose,
        "outcome": decision.effect,
        "basis": decision.basis,
        "reason": decision.reason_key,
        "policy_version": decision.policy_version,
        "detail": detail,
    }


def _role_and_facility(
    req: Request, facts: Facts, capacity: str | None
) -> tuple[str | None, str | None]:
    """The role the actor acted in and the facility it acted from (the installation's, else
    its post's)."""
    facility = facts.installation.facility if facts.installation is not None else None
    if capacity == "staff":
        posts = [p for p in facts.staff_posts if p.span.contains(req.at)]
        if posts:
            return posts[0].role, facility or posts[0].facility
    if capacity == "officer":
        roles = [r.role for r in facts.officer_roles if r.span.contains(req.at)]
        return (roles[0] if roles else None), facility
    return capacity, facility
