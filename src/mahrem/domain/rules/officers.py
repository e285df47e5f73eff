"""M11/2, M13–M15 and KTS/2 — what officers do: the data protection officer destroys,
transfers and analyses; a GM officer corrects records the province forwarded."""

from __future__ import annotations

from mahrem.domain.clock import anniversary, day_start, local_date
from mahrem.domain.decision import Request, Verdict, deny, permit
from mahrem.domain.facts import Facts
from mahrem.domain.policy import Policy
from mahrem.domain.rules.ministry import reidentify


def _holds(facts: Facts, req: Request, role: str) -> bool:
    return any(r.role == role and r.span.contains(req.at) for r in facts.officer_roles)


def dpo_analyze(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rule 10 — KTS/2: the dpo runs an analysis (rule 1 already required the opinion)."""
    if req.action == "analyze" and _holds(facts, req, "dpo"):
        return permit("KTS/2", "kts.analysis_with_opinion")
    return None


def dpo_destroy(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rule 10 — M11/2 and M14/1: a deceased patient's data are kept at least 20 years from
    the death ("ölüm tarihinden itibaren en az yirmi yıl"); otherwise destruction under M14/1.

    The bar lifts at the first minute (Istanbul) of the 20th anniversary of the death day.
    """
    if req.action != "destroy" or not _holds(facts, req, "dpo"):
        return None
    died_at = facts.patient.died_at
    if died_at is not None and died_at <= req.at:
        free_from = day_start(anniversary(local_date(died_at), policy.retention_after_death_years))
        if req.at < free_from:
            return deny("11/2", "destroy.retention_after_death")
    return permit("14/1", "destroy.allowed")


def dpo_transfer(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rule 10 — M15: public institutions only under a protocol listing the data (M15/2);
    private and foreign recipients only with the patient's explicit consent (M15/1)."""
    if req.action != "transfer" or not _holds(facts, req, "dpo"):
        return None
    recipient = req.recipient
    record = facts.record
    if recipient is None or record is None:
        return deny("15/1", "transfer.no_recipient")
    if recipient.kind == "public_institution":
        protocol = facts.protocol
        # Only the protocol the request names counts (SPEC.md rule 10: none or unknown → 15/2).
        if (
            protocol is not None
            and protocol.id == recipient.protocol
            and protocol.signed_at <= req.at
            and record.category in protocol.categories
        ):
            return permit("15/2", "transfer.protocol")
        return deny("15/2", "transfer.no_protocol")
    if any(
        kind == recipient.kind and span.contains(req.at) for kind, span in facts.transfer_consents
    ):
        return permit("15/1", "transfer.consent")
    return deny("15/1", "transfer.no_consent")


def gm_correct(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rule 10 — M13/1: GM corrects a record when the province forwarded a correction request
    for it ("il sağlık müdürlüğünce ... Genel Müdürlüğe iletilir")."""
    if req.action != "correct" or not _holds(facts, req, "gm_officer"):
        return None
    forwarded = any(
        c.record == req.record and c.forwarded_at is not None and c.forwarded_at <= req.at
        for c in facts.correction_requests
    )
    if forwarded:
        return permit("13/1", "correction.forwarded")
    return deny("13/1", "correction.not_forwarded")


OFFICER_RULES = (reidentify, dpo_analyze, dpo_destroy, dpo_transfer, gm_correct)
