"""Requests and decisions: what is asked, and the answer with the article that gives it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

ACTIONS = ("read", "correct", "export", "analyze", "reidentify", "destroy", "transfer")
CAPACITIES = ("self", "staff", "parent", "relative", "lawyer", "heir", "officer")
PURPOSES = (
    "treatment", "diagnosis", "care", "preventive", "planning", "financing", "inspection",
    "regulation", "research", "insurance", "legal",
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

    @property
    def permitted(self) -> bool:
        return self.effect == "permit"

    def reason(self, lang: str = "tr") -> str:
        return self.reason_en if lang == "en" else self.reason_tr
