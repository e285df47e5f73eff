"""M12 — court concealment orders (gizlilik kararı)."""

from __future__ import annotations

from mahrem.domain.capacity import capacity_of
from mahrem.domain.decision import Request, Verdict, deny, permit
from mahrem.domain.facts import ConcealmentOrder, Facts, any_in_force, any_span_holds
from mahrem.domain.policy import Policy
from mahrem.domain.rules.staff import current_care, episode_open_at_post

CARE_PATH_ACTIONS = ("read", "correct")


def concealment(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rule 2 — M12/1: under an active court order only the patient, the care team of the
    episode under way, and the officers the order names (need to know) come near the data.

    "Mahkeme kararı ile ... kimliği gizlenen kişilerin sağlık verilerine ... yalnızca bilmesi
    gereken ... erişebilir."
    """
    if not facts.concealments:  # the common case, answered without building a list
        return None
    active = active_orders(req, facts)
    if not active or req.actor == req.patient:
        return None
    if care_path(req, facts, policy):
        return None
    named = any(req.actor in o.need_to_know for o in active)
    # SPEC.md (Interpretations): named officers may read — a deliberate, narrow extension.
    if named and any_span_holds(facts.officer_roles, req.at) and req.action == "read":
        if any_in_force(facts.record_hidden, req.at):
            return deny("6/2", "preferences.record_hidden")
        return permit("12/1", "concealment.named_officer")
    return deny("12/1", "concealment.order_active")


def active_orders(req: Request, facts: Facts) -> list[ConcealmentOrder]:
    """The patient's concealment orders in force at the request's time."""
    return [o for o in facts.concealments if o.span.contains(req.at)]


def care_path(req: Request, facts: Facts, policy: Policy) -> bool:
    """M12 with M6/1 — the order does not stop the care a facility is already giving: staff, in
    the staff capacity, reading or correcting a record their facility made during this patient's
    episode there that is still open (rule 4.2's current care). Rules 2a and 4 then decide.
    """
    # SPEC.md (Interpretations): the facility already knows the patient, so answering "unknown"
    # to its care team would itself reveal the order; everything else stays concealed.
    if req.action not in CARE_PATH_ACTIONS or capacity_of(req, facts, policy) != "staff":
        return False
    return current_care(req, facts, policy)


def holds_care_path(req: Request, facts: Facts, policy: Policy) -> bool:
    """M12 with M6/1 — for a request about the patient as a whole (a search): the actor, in the
    staff capacity, holds a post at a facility where this patient's episode is open now."""
    if req.action not in CARE_PATH_ACTIONS or capacity_of(req, facts, policy) != "staff":
        return False
    return episode_open_at_post(req, facts, policy)
