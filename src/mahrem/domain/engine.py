"""The access decision engine (SPEC.md, "Decision rules"). Pure: no I/O, no clock of its own.

Rules 1, 2 and 2a are tried for every request, in that order; then the capacity is settled and
only its rules are tried; anything no rule answers falls to rule 11 (M6/1). To add a rule, add
its function to GATE or to its capacity's tuple in CAPACITY_RULES.
"""
from __future__ import annotations

from collections.abc import Callable

from mahrem.domain.decision import Decision, Request, Verdict, deny
from mahrem.domain.facts import Facts, any_in_force, any_span_holds
from mahrem.domain.policy import Policy
from mahrem.domain.reasons import reason_text
from mahrem.domain.rules.concealment import concealment
from mahrem.domain.rules.family import heir, lawyer, parent, relative
from mahrem.domain.rules.kts import software_gate
from mahrem.domain.rules.officers import OFFICER_RULES
from mahrem.domain.rules.preferences import hidden_record, self_access
from mahrem.domain.rules.staff import STAFF_RULES

Rule = Callable[[Request, Facts, Policy], Verdict | None]

GATE: tuple[Rule, ...] = (software_gate, concealment, hidden_record)
CAPACITY_RULES: dict[str, tuple[Rule, ...]] = {
    "self": (self_access,),
    "staff": STAFF_RULES,
    "parent": (parent,),
    "relative": (relative,),
    "lawyer": (lawyer,),
    "heir": (heir,),
    "officer": OFFICER_RULES,
}


def fallback(req: Request, facts: Facts, policy: Policy) -> Verdict:
    """Rule 11 — M6/1: what no rule grants is refused."""
    return deny("6/1", "fallback.no_rule")


def capacity_of(req: Request, facts: Facts) -> str | None:
    """The capacity the actor acts in: as stated, or the first one held, in SPEC.md's order."""
    if req.capacity is not None:
        return req.capacity if _holds_stated(req, facts) else None
    at = req.at
    if req.actor == req.patient:
        return "self"
    if any_span_holds(facts.officer_roles, at):
        return "officer"
    if any_span_holds(facts.staff_posts, at):
        return "staff"
    if any_in_force(facts.parent_links, at):
        return "parent"
    if any(t <= at for t in facts.heir_of_patient):
        return "heir"
    if any(p.span.start <= at for p in facts.powers_of_attorney):
        return "lawyer"
    if any(a.span.start <= at for a in facts.relative_authorizations):
        return "relative"
    return None


def _holds_stated(req: Request, facts: Facts) -> bool:
    # A stated self/staff/officer the actor does not hold goes to rule 11; a stated family
    # capacity is checked by its own rule, which refuses with its own basis.
    if req.capacity == "self":
        return req.actor == req.patient
    if req.capacity == "staff":
        return any_span_holds(facts.staff_posts, req.at)
    if req.capacity == "officer":
        return any_span_holds(facts.officer_roles, req.at)
    return True


def patient_gate(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rules 1 and 2 alone, for a request about a patient as a whole (a search before any
    record is named): the software gate and concealment answer the same for every record."""
    return _first((software_gate, concealment), req, facts, policy, [])


def decide(req: Request, facts: Facts, policy: Policy) -> Decision:
    """Decide one request over its facts under one policy version."""
    tried: list[str] = []
    capacity: str | None = None
    verdict = _first(GATE, req, facts, policy, tried)
    if verdict is None:
        capacity = capacity_of(req, facts)
        rules = CAPACITY_RULES.get(capacity, ()) if capacity else ()
        verdict = _first(rules, req, facts, policy, tried)
    if verdict is None:
        tried.append(fallback.__name__)
        verdict = fallback(req, facts, policy)
    tr, en = reason_text(verdict.reason)
    return Decision(
        effect=verdict.effect,
        basis=verdict.basis,
        reason_key=verdict.reason,
        reason_tr=tr,
        reason_en=en,
        policy_version=policy.version,
        capacity=capacity,
        tried=tuple(tried),
    )


def _first(
    rules: tuple[Rule, ...], req: Request, facts: Facts, policy: Policy, tried: list[str]
) -> Verdict | None:
    for rule in rules:
        tried.append(rule.__name__)
        verdict = rule(req, facts, policy)
        if verdict is not None:
            return verdict
    return None
