"""The capacity a request is made in (SPEC.md, "Capacity"): as stated, or the first one held.

Settled once per request and used by every rule that asks for it, rules 2 and 2a included.
"""

from __future__ import annotations

from datetime import datetime

from mahrem.domain.clock import has_reached_age
from mahrem.domain.decision import Request
from mahrem.domain.facts import Facts, any_in_force, any_span_holds
from mahrem.domain.policy import Policy


def capacity_of(req: Request, facts: Facts, policy: Policy) -> str | None:
    """The capacity the actor acts in: as stated, or the first one held at the request's time in
    the order self, officer, staff, heir, parent of a living minor, lawyer, relative, parent.

    M8 gives parents a minor's records; a parent of an adult is no longer a parent under M8, and
    a deceased child's data go to the heirs (M11/1). So the old link counts only after the
    patient's own authorisations (M9, M10): the adult's consent is what decides.
    """
    if req.capacity is not None:
        return req.capacity if _holds_stated(req, facts) else None
    at = req.at
    if req.actor == req.patient:
        return "self"
    if any_span_holds(facts.officer_roles, at):
        return "officer"
    if any_span_holds(facts.staff_posts, at):
        return "staff"
    if any(t <= at for t in facts.heir_of_patient):
        return "heir"
    parent = any_in_force(facts.parent_links, at)
    if parent and is_living_minor(facts, at, policy):
        return "parent"
    if any(p.span.start <= at for p in facts.powers_of_attorney):
        return "lawyer"
    if any(a.span.start <= at for a in facts.relative_authorizations):
        return "relative"
    return "parent" if parent else None


def is_living_minor(facts: Facts, at: datetime, policy: Policy) -> bool:
    """TMK 11 with M11/1 — the patient is alive and not yet 18 (Istanbul birthday) at `at`."""
    patient = facts.patient
    return patient.alive_at(at) and not has_reached_age(patient.birth_date, policy.majority_age, at)


def is_child_without_discernment(facts: Facts, at: datetime, policy: Policy) -> bool:
    """M8/1 — the patient is alive and has not reached the discernment age (15) at `at`."""
    patient = facts.patient
    return patient.alive_at(at) and not has_reached_age(
        patient.birth_date, policy.discernment_age, at
    )


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
