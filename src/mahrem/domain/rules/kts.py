"""The KTS letter: only registered software reaches data (KTS/3); no export software at all,
analysis only with the provincial directorate's written opinion (KTS/2)."""

from __future__ import annotations

from mahrem.domain.decision import Request, Verdict, deny
from mahrem.domain.facts import Facts
from mahrem.domain.policy import Policy


def software_gate(req: Request, facts: Facts, policy: Policy) -> Verdict | None:
    """Rule 1 — KTS/3, then KTS/2.

    KTS/3: "KTS'ye kayıtlı olmayan yazılımların kullanılmasından ... sorumlu tutulacaktır."
    KTS/2: "sağlık verilerinin başka bir veri tabanına aktarılmasını sağlayan yazılımların
    kullanılmaması ... analiz ... il sağlık müdürlüğünün yazılı görüşü alınmadan yapılmaması"
    """
    if req.via is not None:
        installation = facts.installation
        if installation is None:
            return deny("KTS/3", "kts.installation_unknown")
        if installation.status_at(req.at) != "registered":
            return deny("KTS/3", "kts.installation_not_registered")
    if req.action == "export":
        # The letter bans such software outright: with or without `via`.
        return deny("KTS/2", "kts.export_banned")
    if req.action == "analyze" and not _opinion_in_force(req, facts):
        return deny("KTS/2", "kts.no_written_opinion")
    return None


def _opinion_in_force(req: Request, facts: Facts) -> bool:
    installation = facts.installation
    # SPEC.md rule 1: an analysis without `via` is refused even if an installation was loaded.
    if req.via is None or installation is None:
        return False
    return any(
        o.installation == installation.id
        and o.facility == installation.facility
        and o.purpose == req.purpose
        and o.in_force(req.at)
        for o in facts.opinions
    )
