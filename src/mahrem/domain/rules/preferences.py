"""M6/2 preferences that bind everyone but the patient (and, M8/1, a young child's parents), and
the patient's own access (M5/6)."""

from __future__ import annotations

from mahrem.domain.capacity import capacity_of, is_child_without_discernment
from mahrem.domain.decision import Request, Verdict, deny, permit
from mahrem.domain.facts import Facts, any_in_force
from mahrem.domain.policy import Policy


def hidden_record(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rule 2a — M6/2: a record the patient hid is withheld from everyone but the patient, and
    M8/1: except from a parent of a living child under the discernment age.

    "Kişi ... sağlık verilerine erişimi ... kısıtlayabilir." Break-the-glass does not exist:
    M6/2 says the Ministry is not responsible for harm caused by hidden data. M8/1 lets only a
    child with discernment ("ayırt etme gücüne sahip") restrict its parents.
    """
    if (
        req.action != "read"
        or req.actor == req.patient
        or not any_in_force(facts.record_hidden, req.at)
    ):
        return None
    if young_childs_parent(req, facts, policy):
        return None  # rule 5 decides
    return deny("6/2", "preferences.record_hidden")


def young_childs_parent(req: Request, facts: Facts, policy: Policy) -> bool:
    """M8/1 — the request is in the parent capacity, the link holds, and the child is alive and
    under the discernment age: such a child's hiding does not bind its parents."""
    return (
        capacity_of(req, facts, policy) == "parent"
        and any_in_force(facts.parent_links, req.at)
        and is_child_without_discernment(facts, req.at, policy)
    )


def self_access(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rule 3 — M5/6: the data subject reads their own records (KVKK art. 11 rights)."""
    if req.actor != req.patient:
        return deny("6/1", "capacity.not_the_patient")
    if req.action == "read":
        return permit("5/6", "self.own_records")
    return None
