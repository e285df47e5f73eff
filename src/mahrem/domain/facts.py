"""Facts the engine decides over. Every fact carries when it started and (if so) ended.

Nothing is overwritten (SPEC.md, "Facts keep their history"): an unhidden record closes the
hiding interval, a revoked authorisation ends it. The engine asks "was this in force at t?",
so any past decision can be replayed exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from mahrem.domain.clock import day_end, day_start


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open span [start, end); `end` None means still in force."""

    start: datetime
    end: datetime | None = None

    def contains(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)


ALWAYS = Interval(datetime(1900, 1, 1, tzinfo=UTC))


def any_in_force(intervals: tuple[Interval, ...], at: datetime) -> bool:
    """True when one of the intervals holds at `at`."""
    # Interval.contains, inlined: the engine asks this several times per decision.
    return any(i.start <= at and (i.end is None or at < i.end) for i in intervals)


def any_span_holds(items: tuple[Any, ...], at: datetime) -> bool:
    """True when the `span` of one of the items holds at `at`."""
    for item in items:
        span = item.span
        if span.start <= at and (span.end is None or at < span.end):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    birth_date: date
    died_at: datetime | None = None

    def alive_at(self, at: datetime) -> bool:
        return self.died_at is None or at < self.died_at


@dataclass(frozen=True, slots=True)
class StaffPost:
    facility: str
    role: str  # physician, nurse, other_staff
    specialty: str | None
    province: str
    span: Interval = ALWAYS


@dataclass(frozen=True, slots=True)
class OfficerRole:
    role: str  # province_officer, gm_officer, ministry_user, dpo
    province: str | None = None
    unit: str | None = None
    span: Interval = ALWAYS


@dataclass(frozen=True, slots=True)
class Unit:
    id: str
    duties: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Installation:
    """A KTS-registered (or not) software installation at a facility."""

    id: str
    facility: str
    statuses: tuple[tuple[str, Interval], ...]

    def status_at(self, at: datetime) -> str:
        for status, span in self.statuses:
            if span.contains(at):
                return status
        return "unregistered"


@dataclass(frozen=True, slots=True)
class RecordMeta:
    id: str
    patient: str
    facility: str
    author: str | None
    created_at: datetime
    category: str


@dataclass(frozen=True, slots=True)
class Episode:
    """A check-in (24 h from `span.start`) or an admission (until discharge) at a facility."""

    id: str
    kind: str  # check_in, admission
    facility: str
    span: Interval


@dataclass(frozen=True, slots=True)
class Appointment:
    id: str
    physician: str
    facility: str
    day: date
    completed_at: datetime | None = None

    def open_at(self, at: datetime) -> bool:
        """M6/3-b: on the appointment's Istanbul day, until completed if it completes earlier."""
        end = day_end(self.day)
        if self.completed_at is not None and self.completed_at < end:
            end = self.completed_at
        return day_start(self.day) <= at < end


@dataclass(frozen=True, slots=True)
class CustodyDecision:
    custodian: str
    span: Interval


@dataclass(frozen=True, slots=True)
class RelativeAuthorization:
    categories: tuple[str, ...]
    until: date | None
    span: Interval


@dataclass(frozen=True, slots=True)
class PowerOfAttorney:
    id: str
    kind: str  # general, special
    health_data_consent: bool
    valid_until: date | None
    span: Interval


@dataclass(frozen=True, slots=True)
class ConcealmentOrder:
    need_to_know: tuple[str, ...]
    span: Interval


@dataclass(frozen=True, slots=True)
class ReidentificationAuthorization:
    unit: str
    span: Interval


@dataclass(frozen=True, slots=True)
class CorrectionCutoff:
    day: date
    span: Interval


@dataclass(frozen=True, slots=True)
class CorrectionRequest:
    id: str
    record: str
    forwarded_at: datetime | None


@dataclass(frozen=True, slots=True)
class WrittenOpinion:
    id: str
    installation: str
    facility: str
    purpose: str
    issued_at: datetime
    valid_until: date
    revoked_at: datetime | None = None

    def in_force(self, at: datetime) -> bool:
        """KTS/2: from its issue to its `valid_until` day inclusive, and not revoked."""
        if self.revoked_at is not None and self.revoked_at <= at:
            return False
        return self.issued_at <= at < day_end(self.valid_until)


@dataclass(frozen=True, slots=True)
class Protocol:
    id: str
    categories: tuple[str, ...]
    signed_at: datetime


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything one decision may need, loaded for one (actor, patient, record, via)."""

    actor: Person
    patient: Person
    record: RecordMeta | None = None
    staff_posts: tuple[StaffPost, ...] = ()
    officer_roles: tuple[OfficerRole, ...] = ()
    installation: Installation | None = None
    opinions: tuple[WrittenOpinion, ...] = ()
    concealments: tuple[ConcealmentOrder, ...] = ()
    record_hidden: tuple[Interval, ...] = ()
    enabiz_account: tuple[Interval, ...] = ()
    history_locks: tuple[Interval, ...] = ()
    code_grants: tuple[Interval, ...] = ()
    family_doctor: tuple[tuple[str, Interval], ...] = ()
    appointments: tuple[Appointment, ...] = ()
    episodes: tuple[Episode, ...] = ()
    parent_links: tuple[Interval, ...] = ()
    custody: tuple[CustodyDecision, ...] = ()
    parental_restrictions: tuple[Interval, ...] = ()
    parental_grants: tuple[Interval, ...] = ()
    relative_authorizations: tuple[RelativeAuthorization, ...] = ()
    powers_of_attorney: tuple[PowerOfAttorney, ...] = ()
    heir_of_patient: tuple[datetime, ...] = ()
    reidentification_authorizations: tuple[ReidentificationAuthorization, ...] = ()
    unit: Unit | None = None
    cutoffs: tuple[CorrectionCutoff, ...] = ()
    correction_requests: tuple[CorrectionRequest, ...] = ()
    protocol: Protocol | None = None
    transfer_consents: tuple[tuple[str, Interval], ...] = field(default=())
