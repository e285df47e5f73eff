"""The access decision engine (SPEC.md, "Decision rules"). Pure: no I/O, no clock of its own.

Rules 1, 2 and 2a are tried for every request, in that order; then the capacity is settled and
only its rules are tried; anything no rule answers falls to rule 11 (M6/1). To add a rule, add
its function to GATE or to its capacity's tuple in CAPACITY_RULES.
"""

from __future__ import annotations

from collections.abc import Callable

from mahrem.domain.capacity import capacity_of
from mahrem.domain.decision import (
    RESTRICTED,
    TOLD,
    UNKNOWN,
    Decision,
    Disclosure,
    Request,
    Verdict,
    deny,
)
from mahrem.domain.facts import Facts
from mahrem.domain.policy import Policy
from mahrem.domain.reasons import reason_text
from mahrem.domain.rules.concealment import concealment, holds_care_path
from mahrem.domain.rules.family import heir, lawyer, parent, relative
from mahrem.domain.rules.kts import software_gate
from mahrem.domain.rules.officers import OFFICER_RULES
from mahrem.domain.rules.preferences import hidden_record, self_access
from mahrem.domain.rules.staff import STAFF_RULES

__all__ = ["CAPACITY_RULES", "GATE", "capacity_of", "decide", "disclosure", "patient_gate"]

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


def patient_gate(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rules 1 and 2 alone, for a request about a patient as a whole (a search before any
    record is named). Under a concealment order the care path goes on, since it may read the
    records of the episode under way; each record is then decided by rule 2 itself."""
    verdict = software_gate(req, facts, policy)
    if verdict is None and facts.concealments and not holds_care_path(req, facts, policy):
        verdict = concealment(req, facts, policy)
    return verdict


def decide(req: Request, facts: Facts, policy: Policy) -> Decision:
    """Decide one request over its facts under one policy version."""
    tried: list[str] = []
    capacity: str | None = None
    verdict = _first(GATE, req, facts, policy, tried)
    if verdict is None:
        capacity = capacity_of(req, facts, policy)
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
        disclosure=disclosure(verdict, req, facts, policy),
    )


def disclosure(verdict: Verdict, req: Request, facts: Facts, policy: Policy) -> Disclosure:
    """SPEC.md "What a refusal may tell" — M12/1: a concealed patient is answered as an unknown
    one, except to the care path, which learns only of a legal restriction (M12 with M6/1);
    M6/2: a record its patient hid is, to the reader, no record at all."""
    if verdict.effect == "permit":
        return TOLD
    if verdict.reason == "concealment.order_active":
        return RESTRICTED if holds_care_path(req, facts, policy) else UNKNOWN
    if verdict.reason == "preferences.record_hidden":
        return UNKNOWN
    return TOLD


def _first(
    rules: tuple[Rule, ...], req: Request, facts: Facts, policy: Policy, tried: list[str]
) -> Verdict | None:
    for rule in rules:
        tried.append(rule.__name__)
        verdict = rule(req, facts, policy)
        if verdict is not None:
            return verdict
    return None
