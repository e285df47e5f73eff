"""M6/2 preferences that bind everyone but the patient, and the patient's own access (M5/6)."""
from __future__ import annotations

from mahrem.domain.decision import Request, Verdict, deny, permit
from mahrem.domain.facts import Facts, any_in_force
from mahrem.domain.policy import Policy


def hidden_record(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rule 2a — M6/2: a record the patient hid is withheld from everyone but the patient.

    "Kişi ... sağlık verilerine erişimi ... kısıtlayabilir." Break-the-glass does not exist:
    M6/2 says the Ministry is not responsible for harm caused by hidden data.
    """
    if req.action == "read" and req.actor != req.patient and any_in_force(facts.record_hidden, req.at):
        return deny("6/2", "preferences.record_hidden")
    return None


def self_access(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rule 3 — M5/6: the data subject reads their own records (KVKK art. 11 rights)."""
    if req.actor != req.patient:
        return deny("6/1", "capacity.not_the_patient")
    if req.action == "read":
        return permit("5/6", "self.own_records")
    return None
