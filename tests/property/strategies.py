"""Hypothesis strategies for random worlds around one request: an actor with random posts,
roles and links to patient P1, random intervals near the request time, random categories,
actions, purposes, capacities and times (in UTC, +03:00 or Europe/Istanbul)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from mahrem.domain.decision import (
    ACTIONS,
    CAPACITIES,
    PURPOSES,
    RECIPIENT_KINDS,
    Recipient,
    Request,
)
from mahrem.domain.facts import (
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
from mahrem.domain.policy import CATEGORY_PRIORITY, MINISTRY_PURPOSES

T = TypeVar("T")

PATIENT = "P1"
ACTORS = ("P1", "D1", "D2", "N1", "K1", "L1", "H1", "M1", "O1", "A1", "G1", "U1")
FACILITIES = ("F1", "F2", "F3")
CATEGORIES = CATEGORY_PRIORITY
SPECIALTIES = (
    None,
    "internal_medicine",
    "family_medicine",
    "psychiatry",
    "infectious_diseases",
    "dermatology",
    "medical_genetics",
    "obstetrics",
    "nursing",
)
STAFF_ROLES = ("physician", "nurse", "other_staff")
OFFICER_ROLES = ("province_officer", "gm_officer", "ministry_user", "dpo")
STATUSES = (
    "registered",
    "registered",
    "registered",
    "registered",
    "unregistered",
    "suspended",
    "revoked",
    "passive",
    "deleted",
)
TYPICAL_POSTS = {
    "D1": ("physician", "internal_medicine"),
    "D2": ("physician", "psychiatry"),
    "N1": ("nurse", "nursing"),
}
TYPICAL_ROLES = {
    "O1": ("province_officer", None),
    "A1": ("dpo", None),
    "G1": ("gm_officer", None),
    "U1": ("ministry_user", "B1"),
}
ZONES = (UTC, timezone(timedelta(hours=3)), ZoneInfo("Europe/Istanbul"))

instants = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2027, 12, 31),
    timezones=st.sampled_from(ZONES),
)

# Strategies are built once here and drawn from helpers below: building a new strategy for
# every example (one per `at`) costs hypothesis more than the whole engine run.
_START = st.integers(-400 * 86400, 3 * 86400)
_LENGTH = st.none() | st.integers(1, 500 * 86400)
_NEAR = st.integers(-400 * 86400, 2 * 86400)
_NEAR_DAYS = st.integers(-3, 3)
_SOON = st.integers(-3 * 86400, 2 * 86400)
_LIFETIME = st.integers(-30 * 365 * 86400, 2 * 86400)
_BIRTH = st.dates(min_value=date(1940, 1, 1), max_value=date(2026, 12, 31))
_MAYBE = st.booleans()
_COUNT = {n: st.integers(0, n) for n in (1, 2, 3)}
_RARE = st.sampled_from((0, 0, 0, 1))  # facts that close most doors: present one time in four


@cache
def _from(options: tuple[object, ...]) -> st.SearchStrategy[object]:
    return st.sampled_from(options)


def _interval(draw: st.DrawFn, at: datetime) -> Interval:
    """A span that often holds at `at`: it starts up to 400 days before (or a little after)."""
    start = at + timedelta(seconds=draw(_START))
    length = draw(_LENGTH)
    return Interval(start) if length is None else Interval(start, start + timedelta(seconds=length))


def _intervals(draw: st.DrawFn, at: datetime, n: int = 1) -> tuple[Interval, ...]:
    return tuple(_interval(draw, at) for _ in range(draw(_COUNT[n])))


def _rare_intervals(draw: st.DrawFn, at: datetime) -> tuple[Interval, ...]:
    return tuple(_interval(draw, at) for _ in range(draw(_RARE)))


def _near(draw: st.DrawFn, at: datetime, offsets: st.SearchStrategy[int] = _NEAR) -> datetime:
    return at + timedelta(seconds=draw(offsets))


def _maybe_near(
    draw: st.DrawFn, at: datetime, offsets: st.SearchStrategy[int] = _NEAR
) -> datetime | None:
    return _near(draw, at, offsets) if draw(_MAYBE) else None


def _day(draw: st.DrawFn, at: datetime) -> date:
    return (at + timedelta(days=draw(_NEAR_DAYS))).date()


def _maybe_day(draw: st.DrawFn, at: datetime) -> date | None:
    return _day(draw, at) if draw(_MAYBE) else None


def _some(draw: st.DrawFn, options: tuple[str, ...], n: int) -> tuple[str, ...]:
    return tuple(str(draw(_from(options))) for _ in range(draw(_COUNT[n])))


def _many(
    draw: st.DrawFn, n: int, make: Callable[[], T], count: st.SearchStrategy[int] | None = None
) -> tuple[T, ...]:
    """Up to `n` facts made by `make` (or as many as `count` draws)."""
    return tuple(make() for _ in range(draw(count if count is not None else _COUNT[n])))


def _person(draw: st.DrawFn, pid: str, at: datetime) -> Person:
    return Person(pid, draw(_BIRTH), _maybe_near(draw, at, _LIFETIME))


@st.composite
def worlds(draw: st.DrawFn) -> tuple[Request, Facts]:
    """One request and the facts around it."""
    at = draw(instants)
    actor = str(draw(_from(ACTORS)))
    patient = _person(draw, PATIENT, at)
    actor_person = patient if actor == PATIENT else _person(draw, actor, at)

    def one(options: tuple[Any, ...]) -> Any:
        return draw(_from(options))

    record = (
        RecordMeta(
            "R1", PATIENT, one(FACILITIES), one((None, *ACTORS)), _near(draw, at), one(CATEGORIES)
        )
        if draw(_COUNT[3])
        else None
    )
    installation = (
        Installation(
            "S1",
            one(FACILITIES),
            (
                *_many(draw, 1, lambda: (one(STATUSES), _interval(draw, at)), _RARE),
                (one(STATUSES), Interval(at - timedelta(days=3650))),
            ),
        )
        if draw(_COUNT[3])
        else None
    )
    posts = _many(
        draw,
        2,
        lambda: StaffPost(
            one(FACILITIES), one(STAFF_ROLES), one(SPECIALTIES), "06", _interval(draw, at)
        ),
    )
    roles = _many(
        draw,
        1,
        lambda: OfficerRole(
            one(OFFICER_ROLES),
            one((None, "06", "35")),
            one((None, "B1", "B2")),
            _interval(draw, at),
        ),
        _RARE,
    )
    # Most of the time the actor also holds the post or role its id suggests, in force.
    if actor in TYPICAL_POSTS and draw(_COUNT[3]):
        role, specialty = TYPICAL_POSTS[actor]
        posts += (
            StaffPost(one(FACILITIES), role, specialty, "06", Interval(at - timedelta(days=3650))),
        )
    if actor in TYPICAL_ROLES and draw(_COUNT[3]):
        role, unit = TYPICAL_ROLES[actor]
        roles += (OfficerRole(role, "06", unit, Interval(at - timedelta(days=3650))),)
    facts = Facts(
        actor=actor_person,
        patient=patient,
        record=record,
        staff_posts=posts,
        officer_roles=roles,
        installation=installation,
        opinions=_many(
            draw,
            2,
            lambda: WrittenOpinion(
                "W1",
                one(("S1", "S2")),
                one(FACILITIES),
                one(PURPOSES),
                _near(draw, at),
                _day(draw, at),
                _maybe_near(draw, at),
            ),
        ),
        concealments=_many(
            draw, 1, lambda: ConcealmentOrder(_some(draw, ACTORS, 3), _interval(draw, at)), _RARE
        ),
        record_hidden=_rare_intervals(draw, at),
        enabiz_account=_intervals(draw, at),
        history_locks=_rare_intervals(draw, at),
        code_grants=_intervals(draw, at),
        family_doctor=_many(draw, 1, lambda: (one((actor, *ACTORS)), _interval(draw, at))),
        appointments=_many(
            draw,
            2,
            lambda: Appointment(
                "AP1",
                one((actor, *ACTORS)),
                one(FACILITIES),
                _day(draw, at),
                _maybe_near(draw, at, _SOON),
            ),
        ),
        episodes=_many(
            draw,
            2,
            lambda: Episode(
                one(("E1", "E2")),
                one(("check_in", "admission")),
                one(FACILITIES),
                _interval(draw, at),
            ),
        ),
        parent_links=_intervals(draw, at),
        custody=_many(draw, 1, lambda: CustodyDecision(one(ACTORS), _interval(draw, at))),
        parental_restrictions=_rare_intervals(draw, at),
        parental_grants=_intervals(draw, at),
        relative_authorizations=_many(
            draw,
            2,
            lambda: RelativeAuthorization(
                _some(draw, CATEGORIES, 3), _maybe_day(draw, at), _interval(draw, at)
            ),
        ),
        powers_of_attorney=_many(
            draw,
            2,
            lambda: PowerOfAttorney(
                "V1",
                one(("general", "special")),
                draw(_MAYBE),
                _maybe_day(draw, at),
                _interval(draw, at),
            ),
        ),
        heir_of_patient=_many(draw, 1, lambda: _near(draw, at)),
        reidentification_authorizations=_many(
            draw, 1, lambda: ReidentificationAuthorization(one(("B1", "B2")), _interval(draw, at))
        ),
        unit=Unit(one(("B1", "B2")), _some(draw, MINISTRY_PURPOSES, 3)) if draw(_MAYBE) else None,
        cutoffs=_many(draw, 1, lambda: CorrectionCutoff(_day(draw, at), _interval(draw, at))),
        correction_requests=_many(
            draw, 1, lambda: CorrectionRequest("CR1", one(("R1", "R2")), _maybe_near(draw, at))
        ),
        protocol=Protocol("PR1", _some(draw, CATEGORIES, 3), _near(draw, at))
        if draw(_MAYBE)
        else None,
        transfer_consents=_many(draw, 1, lambda: (one(RECIPIENT_KINDS), _interval(draw, at))),
    )
    request = Request(
        actor=actor,
        action=one(("read", "read", "read", *ACTIONS)),
        patient=PATIENT,
        at=at,
        record="R1" if record is not None else None,
        purpose=one((None, "treatment", "diagnosis", "planning", *PURPOSES)),
        via=one((None, None, "S1")),
        capacity=one((None, None, None, *CAPACITIES)),
        recipient=Recipient(one(RECIPIENT_KINDS), one((None, "PR1", "PR9")))
        if draw(_MAYBE)
        else None,
    )
    return request, facts
