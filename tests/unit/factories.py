"""Terse builders for the engine's inputs: Facts, Request, and the facts inside them.

Every test builds its world in memory and calls `decide` directly; nothing here touches a
database. Defaults describe one ordinary situation, so a test names only what it is about:

- patient P1 (born 1980, alive, no e-Nabız account), record R1 of P1: a `laboratory` result
  written by D3 at facility F3 on 10 November 2025 (past data for everyone at F1);
- the actor D1 (a physician, internal medicine, at F1 in province 06);
- the request: D1 reads R1 for treatment through the portal (no `via`) at NOW.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from mahrem.domain.decision import Decision, Recipient, Request
from mahrem.domain.engine import decide
from mahrem.domain.facts import (
    ALWAYS,
    Appointment,
    ConcealmentOrder,
    CorrectionCutoff,
    CorrectionRequest,
    CustodyDecision,
    Episode,
    Facts,
    Installation,
    Interval,
    OfficerRole,
    Person,
    PowerOfAttorney,
    Protocol,
    RecordMeta,
    ReidentificationAuthorization,
    RelativeAuthorization,
    StaffPost,
    Unit,
    WrittenOpinion,
)
from mahrem.domain.policy import Policy

ISTANBUL = ZoneInfo("Europe/Istanbul")
TR = timezone(timedelta(hours=3))

POLICY = Policy(version=7)
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=TR)


def t(text: str) -> datetime:
    """An instant from ISO 8601 text with its offset (`Z` allowed)."""
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None, "test times must carry an offset"
    return value


def since(start: datetime | str, end: datetime | str | None = None) -> Interval:
    """A half-open interval [start, end)."""
    s = t(start) if isinstance(start, str) else start
    e = t(end) if isinstance(end, str) else end
    return Interval(s, e)


def person(pid: str, born: date = date(1980, 5, 1), died_at: datetime | None = None) -> Person:
    return Person(pid, born, died_at)


def record(
    rid: str = "R1",
    patient: str = "P1",
    facility: str = "F3",
    author: str | None = "D3",
    created_at: datetime = datetime(2025, 11, 10, 10, 0, tzinfo=TR),
    category: str = "laboratory",
) -> RecordMeta:
    return RecordMeta(rid, patient, facility, author, created_at, category)


def post(
    facility: str = "F1",
    role: str = "physician",
    specialty: str | None = "internal_medicine",
    province: str = "06",
    span: Interval = ALWAYS,
) -> StaffPost:
    return StaffPost(facility, role, specialty, province, span)


PHYSICIAN = post()
NURSE = post(role="nurse", specialty="nursing")
OTHER_STAFF = post(role="other_staff", specialty="administration")


def officer(
    role: str, province: str | None = None, unit: str | None = None, span: Interval = ALWAYS
) -> OfficerRole:
    return OfficerRole(role, province, unit, span)


def installation(
    iid: str = "S1", facility: str = "F1", status: str = "registered", span: Interval = ALWAYS
) -> Installation:
    return Installation(iid, facility, ((status, span),))


def opinion(
    installation_id: str = "S1",
    facility: str = "F1",
    purpose: str = "planning",
    issued_at: datetime = datetime(2026, 1, 5, 9, 0, tzinfo=TR),
    valid_until: date = date(2026, 12, 31),
    revoked_at: datetime | None = None,
) -> WrittenOpinion:
    return WrittenOpinion(
        "W1", installation_id, facility, purpose, issued_at, valid_until, revoked_at
    )


def check_in(start: datetime, facility: str = "F1", eid: str = "E1") -> Episode:
    return Episode(eid, "check_in", facility, Interval(start))


def admission(
    start: datetime, discharged: datetime | None = None, facility: str = "F1", eid: str = "E2"
) -> Episode:
    return Episode(eid, "admission", facility, Interval(start, discharged))


def appointment(
    day: date, physician: str = "D1", facility: str = "F1", completed_at: datetime | None = None
) -> Appointment:
    return Appointment("AP1", physician, facility, day, completed_at)


def order(*named: str, span: Interval = ALWAYS) -> ConcealmentOrder:
    return ConcealmentOrder(tuple(named), span)


def authorization(
    categories: tuple[str, ...] = (), until: date | None = None, span: Interval = ALWAYS
) -> RelativeAuthorization:
    return RelativeAuthorization(categories, until, span)


def power(
    kind: str = "special",
    consent: bool = True,
    valid_until: date | None = None,
    span: Interval = ALWAYS,
) -> PowerOfAttorney:
    return PowerOfAttorney("V1", kind, consent, valid_until, span)


def custody(custodian: str, span: Interval = ALWAYS) -> CustodyDecision:
    return CustodyDecision(custodian, span)


def cutoff(day: date, span: Interval = ALWAYS) -> CorrectionCutoff:
    return CorrectionCutoff(day, span)


def correction_request(
    record_id: str = "R1", forwarded_at: datetime | None = None
) -> CorrectionRequest:
    return CorrectionRequest("CR1", record_id, forwarded_at)


def reid_authorization(unit: str = "B1", span: Interval = ALWAYS) -> ReidentificationAuthorization:
    return ReidentificationAuthorization(unit, span)


def unit(uid: str = "B1", duties: tuple[str, ...] = ("planning", "inspection")) -> Unit:
    return Unit(uid, duties)


def protocol(
    categories: tuple[str, ...] = ("laboratory",),
    signed_at: datetime = datetime(2025, 1, 1, tzinfo=TR),
) -> Protocol:
    return Protocol("PR1", categories, signed_at)


LAB_RESULT = record()  # R1: the default record


def facts(
    actor: str | Person = "D1",
    patient: str | Person = "P1",
    rec: RecordMeta | None = LAB_RESULT,
    **kw: Any,
) -> Facts:
    """Facts for one decision; `staff_posts` defaults to one physician post at F1 for actors
    other than the patient, so pass `staff_posts=()` for a lay person."""
    a = actor if isinstance(actor, Person) else person(actor)
    p = patient if isinstance(patient, Person) else person(patient)
    if a.id == p.id:
        a = p
    kw.setdefault("staff_posts", (PHYSICIAN,) if a.id != p.id else ())
    return Facts(actor=a, patient=p, record=rec, **kw)


def lay(
    actor: str | Person = "K1",
    patient: str | Person = "P1",
    rec: RecordMeta | None = LAB_RESULT,
    **kw: Any,
) -> Facts:
    """Facts for an actor who holds no staff post."""
    return facts(actor, patient, rec, staff_posts=(), **kw)


def request(
    actor: str = "D1",
    action: str = "read",
    patient: str = "P1",
    at: datetime = NOW,
    record: str | None = "R1",
    purpose: str | None = "treatment",
    via: str | None = None,
    capacity: str | None = None,
    recipient: Recipient | None = None,
) -> Request:
    return Request(actor, action, patient, at, record, purpose, via, capacity, recipient)


def run(req: Request, f: Facts, policy: Policy = POLICY) -> Decision:
    """The engine's decision under the test policy (version 7)."""
    return decide(req, f, policy)


def answer(req: Request, f: Facts, policy: Policy = POLICY) -> tuple[str, str]:
    """(effect, basis) — what most tests compare."""
    d = decide(req, f, policy)
    return d.effect, d.basis


def with_record(f: Facts, **changes: Any) -> Facts:
    assert f.record is not None
    return replace(f, record=replace(f.record, **changes))
