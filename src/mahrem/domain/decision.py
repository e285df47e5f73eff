"""Requests and decisions: what is asked, and the answer with the article that gives it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

ACTIONS = ("read", "correct", "export", "analyze", "reidentify", "destroy", "transfer")
CAPACITIES = ("self", "staff", "parent", "relative", "lawyer", "heir", "officer")
PURPOSES = (
    "treatment",
    "diagnosis",
    "care",
    "preventive",
    "planning",
    "financing",
    "inspection",
    "regulation",
    "research",
    "insurance",
    "legal",
)
RECIPIENT_KINDS = ("public_institution", "private", "foreign")
# Actions that act on one record and so need one.
RECORD_ACTIONS = ("read", "correct", "transfer")

Effect = Literal["permit", "deny"]


@dataclass(frozen=True, slots=True)
class Recipient:
    kind: str
    protocol: str | None = None


@dataclass(frozen=True, slots=True)
class Request:
    """One access request: who, in which capacity, does what to whose record, why, through what."""

    actor: str
    action: str
    patient: str
    at: datetime
    record: str | None = None
    purpose: str | None = None
    via: str | None = None
    capacity: str | None = None
    recipient: Recipient | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a rule answers: effect, basis (the article), and the key of its reason text."""

    effect: Effect
    basis: str
    reason: str

    @property
    def permitted(self) -> bool:
        return self.effect == "permit"


def permit(basis: str, reason: str) -> Verdict:
    return Verdict("permit", basis, reason)


def deny(basis: str, reason: str) -> Verdict:
    return Verdict("deny", basis, reason)


Disclosure = Literal["told", "unknown", "restricted"]
TOLD: Disclosure = "told"
UNKNOWN: Disclosure = "unknown"
RESTRICTED: Disclosure = "restricted"


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's answer, with the policy version and the rules it tried (OPA-style)."""

    effect: Effect
    basis: str
    reason_key: str
    reason_tr: str
    reason_en: str
    policy_version: int
    capacity: str | None
    tried: tuple[str, ...] = field(default=())
    # What the refusal may tell the actor (SPEC.md, "What a refusal may tell"): TOLD (the basis
    # and reason), UNKNOWN (answered exactly as a patient or record that does not exist: a
    # concealment, M12/1, to all but the care path; a hidden record, M6/2), or RESTRICTED (the
    # care path under a concealment order learns only that a legal restriction withholds it).
    disclosure: Disclosure = "told"

    @property
    def permitted(self) -> bool:
        return self.effect == "permit"

    @property
    def answered_as_unknown(self) -> bool:
        """M12/1, M6/2 — the actor is answered as if the patient or record did not exist."""
        return self.disclosure == UNKNOWN

    @property
    def legally_restricted(self) -> bool:
        """M12 with M6/1 — the care path is told a legal restriction withholds this, no more."""
        return self.disclosure == RESTRICTED

    @property
    def concealed(self) -> bool:
        """M12/1 — refused because a court concealment order protects the patient."""
        return not self.permitted and self.basis == "12/1"

    def reason(self, lang: str = "tr") -> str:
        return self.reason_en if lang == "en" else self.reason_tr
