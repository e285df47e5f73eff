"""M12 — court concealment orders (gizlilik kararı)."""
from __future__ import annotations

from mahrem.domain.decision import Request, Verdict, deny, permit
from mahrem.domain.facts import Facts, any_in_force
from mahrem.domain.policy import Policy


def concealment(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rule 2 — M12/1: under an active court order only the patient and the officers the order
    names (need to know) come near the data.

    "Mahkeme kararı ile ... kimliği gizlenen kişilerin sağlık verilerine ... yalnızca bilmesi
    gereken ... erişebilir."
    """
    if not facts.concealments:  # the common case, answered without building a list
        return None
    active = [o for o in facts.concealments if o.span.contains(req.at)]
    if not active or req.actor == req.patient:
        return None
    named = any(req.actor in o.need_to_know for o in active)
    has_officer_role = any(r.span.contains(req.at) for r in facts.officer_roles)
    # SPEC.md (Interpretations): named officers may read — a deliberate, narrow extension.
    if named and has_officer_role and req.action == "read":
        if any_in_force(facts.record_hidden, req.at):
            return deny("6/2", "preferences.record_hidden")
        return permit("12/1", "concealment.named_officer")
    return deny("12/1", "concealment.order_active")
