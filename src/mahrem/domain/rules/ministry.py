"""M7 — re-identification of pseudonymised central data by ministry units."""

from __future__ import annotations

from mahrem.domain.decision import Request, Verdict, deny, permit
from mahrem.domain.facts import Facts
from mahrem.domain.policy import Policy


def reidentify(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rule 9 — M7/1 and M7/2: only users the General Directorate authorised (M7/1), for
    planning, financing, inspection or regulation within the unit's duties (M7/2, M7/3).

    SPEC.md (Interpretations): M7/3 ties planning and financing to the unit's duties; Mahrem
    applies the same bound to all four purposes.
    """
    if req.action != "reidentify":
        return None
    if not any(r.role == "ministry_user" and r.span.contains(req.at) for r in facts.officer_roles):
        return None
    active = [a for a in facts.reidentification_authorizations if a.span.contains(req.at)]
    if not active:
        return deny("7/1", "ministry.not_authorized")
    unit = facts.unit
    duties = unit.duties if unit is not None and any(a.unit == unit.id for a in active) else ()
    if req.purpose not in policy.ministry_purposes or req.purpose not in duties:
        return deny("7/2", "ministry.purpose_not_allowed")
    return permit("7/2", "ministry.reidentify")
