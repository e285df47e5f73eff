"""Explaining a decision (C5): the decision as the engine would have made it at a time, with
the facts and the policy version in force then. Not a read: nothing is disclosed but the
decision, and only to the actor themselves, the patient, or a data protection officer."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mahrem.domain import engine
from mahrem.domain.decision import Decision, Request
from mahrem.domain.errors import MahremError, Refused
from mahrem.domain.reasons import reason_text
from mahrem.domain.rules.concealment import holds_care_path
from mahrem.services import guard
from mahrem.services.audit import append
from mahrem.services.lookup import require, unknown
from mahrem.services.policies import policy_at
from mahrem.services.ports import Mahrem, Store


@dataclass(frozen=True, slots=True)
class Explanation:
    """A decision replayed for an actor, patient and record at a time, with what it rested on."""

    at: datetime
    request: Request
    decision: Decision
    facts: dict[str, Any]


def explain(
    m: Mahrem,
    viewer: str,
    actor: str,
    patient: str,
    *,
    record: str | None = None,
    action: str = "read",
    via: str | None = None,
    purpose: str | None = None,
    capacity: str | None = None,
    at: datetime | None = None,
) -> Explanation:
    """The decision as it would have been at `at` (default now), with the facts and policy
    version in force then; the question itself is audited, not as a read."""
    now = m.clock()
    when = m.at(at)
    req = Request(
        actor=actor,
        action=action,
        patient=patient,
        at=when,
        record=record,
        purpose=purpose,
        via=via,
        capacity=capacity,
    )
    with m.uow.write() as store:
        try:
            out = _explained(store, viewer, req, now)
        except MahremError as exc:
            refusal = exc
        else:
            append(
                store,
                at=now,
                kind="admin",
                actor=viewer,
                action="explain",
                patient=patient,
                record=record,
                outcome=out.decision.effect,
                basis=out.decision.basis,
                policy_version=out.decision.policy_version,
                detail={"about": actor, "as_of": when.isoformat(), "action": action},
            )
            return out
    raise refusal


def _explained(store: Store, viewer: str, req: Request, now: datetime) -> Explanation:
    """A concealment (12/1) is answered as an unknown patient unless the viewer is a dpo, the
    patient, an officer named in the order, or the actor on the care path (rule 2)."""
    require(store, "person", req.actor, "actor")
    require(store, "person", req.patient, "patient")
    if req.record is not None:
        meta = store.record_meta(req.record)
        if meta is None or meta.patient != req.patient:
            raise unknown("record", req.record, "record")
    viewer_is_dpo = guard.is_dpo(store, viewer, now)
    facts = store.facts_for(req)
    at = req.at
    concealed = any(o.span.contains(at) or o.span.contains(now) for o in facts.concealments)
    entitled = (
        viewer_is_dpo
        or viewer == req.patient
        or any(viewer in o.need_to_know for o in facts.concealments)
    )
    policy = policy_at(store, at)
    care_team = (
        concealed
        and not entitled
        and viewer == req.actor
        and _holds_care_path(store, dataclasses.replace(req, at=now, record=None))
    )
    if concealed and not entitled and not care_team:
        raise unknown("person", req.patient, "patient")
    if not (viewer_is_dpo or viewer in (req.actor, req.patient)):
        raise guard.Forbidden(
            "explain.forbidden", "only the actor, the patient or a data protection officer may ask"
        )
    decision = engine.decide(req, facts, policy)
    summary = _fact_summary(facts, at)
    death = store.get("death", req.patient)
    if death is not None and death["recorded_at"] > at:
        # A fact learnt after `at` (issue 19): the replay is the answer given then; this is what
        # is known now.
        summary["known_now"] = {
            "died_at": death["died_at"].isoformat(),
            "recorded_at": death["recorded_at"].isoformat(),
        }
    if care_team:  # rule 2: the care path learns of a legal restriction, not of the order
        if decision.concealed:
            raise Refused(
                "concealment.legal_restriction",
                reason_text("concealment.legal_restriction")[1],
                basis="12/1",
            )
        summary.pop("concealments", None)
    return Explanation(at, req, decision, summary)


def _holds_care_path(store: Store, req: Request) -> bool:
    return holds_care_path(req, store.facts_for(req), policy_at(store, req.at))


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
