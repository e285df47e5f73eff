"""M8–M11 — parents, relatives, lawyers and heirs."""

from __future__ import annotations

from mahrem.domain.clock import day_end, has_reached_age
from mahrem.domain.decision import Request, Verdict, deny, permit
from mahrem.domain.facts import Facts, any_in_force
from mahrem.domain.policy import Policy


def parent(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rule 5 — M8: parents of a minor child.

    M8/1: "Velayet altındaki çocukların sağlık verilerine ... veli ... erişebilir"; a child with
    discernment may restrict them. M8/2: after a custody decision the parent without custody
    sees only what is not in a restricted category. M11/1: a deceased child's data are the
    heirs' (rule 8), not the parents'.
    """
    if req.action != "read":
        return None
    if not any_in_force(facts.parent_links, req.at):
        return deny("8/1", "parent.no_link")
    if has_reached_age(facts.patient.birth_date, policy.majority_age, req.at):
        return deny("8/1", "parent.child_adult")
    # M11/1: a deceased child's data go to the heirs; a parent reads them as an heir, with a
    # veraset ilamı, not as a parent.
    if not facts.patient.alive_at(req.at):
        return deny("8/1", "parent.child_deceased")
    restricted = any_in_force(facts.parental_restrictions, req.at)
    if restricted and not any_in_force(facts.parental_grants, req.at):
        return deny("8/1", "parent.restricted_by_child")
    custody = [c for c in facts.custody if c.span.contains(req.at)]
    if custody and all(c.custodian != req.actor for c in custody):
        record = facts.record
        if record is not None and policy.is_restricted(record.category):
            return deny("8/2", "parent.no_custody_restricted")
        return permit("8/2", "parent.no_custody")
    return permit("8/1", "parent.custody")


def relative(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rule 6 — M9/1: relatives the patient authorised, within its categories and end day.

    Categories absent or empty mean every category except the restricted ones, which must be
    named (M6/6 protection follows the data).
    """
    if req.action != "read":
        return None
    record = facts.record
    if record is None or not facts.patient.alive_at(req.at):
        return deny("9/1", "relative.not_authorized")
    for auth in facts.relative_authorizations:
        if not auth.span.contains(req.at):
            continue
        if auth.until is not None and req.at >= day_end(auth.until):
            continue
        if auth.categories:
            covered = record.category in auth.categories
        else:
            covered = not policy.is_restricted(record.category)
        if covered:
            return permit("9/1", "relative.authorized")
    return deny("9/1", "relative.not_authorized")


def lawyer(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rule 7 — M10/1: a lawyer with a special power of attorney carrying the explicit-consent
    clause for health data ("özel yetki ... açık rıza"), in force, for a living client."""
    if req.action != "read":
        return None
    if facts.patient.alive_at(req.at):
        for poa in facts.powers_of_attorney:
            if (
                poa.kind == "special"
                and poa.health_data_consent
                and poa.span.contains(req.at)
                and (poa.valid_until is None or req.at < day_end(poa.valid_until))
            ):
                return permit("10/1", "lawyer.special_power")
    return deny("10/1", "lawyer.no_special_power")


def heir(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rule 8 — M11/1: heirs named in the inheritance certificate (veraset ilamı) of a
    deceased patient."""
    if req.action != "read":
        return None
    if not facts.patient.alive_at(req.at) and any(t <= req.at for t in facts.heir_of_patient):
        return permit("11/1", "heir.certificate")
    return deny("11/1", "heir.not_named")
