"""Properties of the decision engine over random worlds (SPEC.md, "Decision rules (C2)")."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mahrem.domain.clock import ISTANBUL
from mahrem.domain.decision import Request
from mahrem.domain.engine import decide
from mahrem.domain.facts import (
    ConcealmentOrder,
    Episode,
    Facts,
    Interval,
    StaffPost,
    WrittenOpinion,
)
from mahrem.domain.policy import Policy
from mahrem.domain.reasons import REASONS
from mahrem.domain.rules.concealment import care_path
from mahrem.domain.rules.kts import software_gate
from mahrem.domain.rules.preferences import young_childs_parent
from mahrem.domain.rules.staff import current_care
from tests.property.strategies import ACTORS, PATIENT, worlds

POLICY = Policy(version=7)
FAST = settings(max_examples=200, deadline=None)

# Every basis SPEC.md names, and those it names for a permit, rule by rule.
# fmt: off
PERMIT_BASES = frozenset([
    "KTS/2", "12/1", "5/6",                                   # rules 1–3 (4b, 10 analyse)
    "6/1", "6/2", "6/3-a", "6/3-b", "6/3-c", "6/3-ç", "13/3",  # rules 4, 4a
    "8/1", "8/2", "9/1", "10/1", "11/1",                      # rules 5–8
    "7/2", "14/1", "15/1", "15/2", "13/1",                    # rules 9–10
])
DENY_BASES = frozenset([
    "KTS/3", "KTS/2", "12/1", "6/2",                          # rules 1–2a
    "6/1", "6/3", "6/5", "6/6", "13/3",                       # rules 4, 4a, 11
    "8/1", "8/2", "9/1", "10/1", "11/1",                      # rules 5–8
    "7/1", "7/2", "11/2", "15/1", "15/2", "13/1",             # rules 9–10
])
# fmt: on
ALL_BASES = PERMIT_BASES | DENY_BASES


def _with_active_order(world: tuple[Request, Facts], named: list[str]) -> tuple[Request, Facts]:
    req, facts = world
    order = ConcealmentOrder(tuple(named), Interval(req.at))
    return req, replace(facts, concealments=(*facts.concealments, order))


@FAST
@given(worlds(), st.lists(st.sampled_from(ACTORS), max_size=3))
def test_under_concealment_only_the_patient_or_a_named_officer_is_ever_permitted_m12_1(
    world: tuple[Request, Facts], named: list[str]
) -> None:
    req, facts = _with_active_order(world, named)
    d = decide(req, facts, POLICY)
    if d.permitted and req.actor != PATIENT:
        if care_path(req, facts, POLICY):  # M12 with M6/1: the episode under way, by rule 4
            assert (d.capacity, req.action, d.basis) in (
                ("staff", "read", "6/1"),
                ("staff", "correct", "13/3"),
            )
            assert current_care(req, facts, POLICY)
            return
        assert any(
            req.actor in o.need_to_know and o.span.contains(req.at) for o in facts.concealments
        )
        assert any(r.span.contains(req.at) for r in facts.officer_roles)
        assert (req.action, d.basis) == ("read", "12/1")


@FAST
@given(worlds())
def test_the_care_path_never_opens_a_record_outside_the_episode_under_way_m12_1(
    world: tuple[Request, Facts],
) -> None:
    req, facts = world
    facts = replace(facts, concealments=(ConcealmentOrder((), Interval(req.at)),))
    d = decide(req, facts, POLICY)
    if d.permitted and req.actor != PATIENT:
        record = facts.record
        assert record is not None and d.capacity == "staff"
        assert any(
            p.facility == record.facility and p.span.contains(req.at) for p in facts.staff_posts
        )
        assert any(
            e.facility == record.facility and e.span.start <= record.created_at
            for e in facts.episodes
        )


@FAST
@given(worlds())
def test_under_concealment_anyone_not_named_is_refused_12_1_unless_the_gate_refused_first_m12_1(
    world: tuple[Request, Facts],
) -> None:
    req, facts = world
    # The only order in force names nobody (earlier orders of the world may have named the actor).
    facts = replace(facts, concealments=(ConcealmentOrder((), Interval(req.at)),))
    d = decide(req, facts, POLICY)
    if (
        req.actor != PATIENT
        and software_gate(req, facts, POLICY) is None
        and not care_path(req, facts, POLICY)
    ):
        assert (d.effect, d.basis) == ("deny", "12/1")


@FAST
@given(worlds())
def test_a_record_hidden_at_the_request_time_is_never_read_by_anyone_but_the_patient_m6_2(
    world: tuple[Request, Facts],
) -> None:
    req, facts = world
    req = replace(req, action="read")
    facts = replace(facts, record_hidden=(*facts.record_hidden, Interval(req.at)))
    d = decide(req, facts, POLICY)
    if req.actor != PATIENT and not young_childs_parent(req, facts, POLICY):
        assert not d.permitted
        assert d.basis in ("KTS/3", "12/1", "6/2")  # the gate, concealment, or the hiding itself
    elif req.actor != PATIENT and d.permitted:  # M8/1: only rule 5 opens it, for a young child
        assert (d.capacity, d.basis) in (("parent", "8/1"), ("parent", "8/2"))


@FAST
@given(worlds())
def test_staff_never_read_a_hidden_record_even_with_every_door_open_m6_2(
    world: tuple[Request, Facts],
) -> None:
    req, facts = world
    actor = "D1" if req.actor == PATIENT else req.actor
    req = replace(req, actor=actor, action="read", capacity="staff", purpose="treatment")
    facility = facts.record.facility if facts.record is not None else "F1"
    since = Interval(req.at - timedelta(days=1))
    facts = replace(
        facts,
        actor=replace(facts.actor, id=actor),
        staff_posts=(StaffPost(facility, "physician", "psychiatry", "06"),),
        family_doctor=((actor, since),),
        episodes=(Episode("E9", "admission", facility, since),),
        code_grants=(since,),
        record_hidden=(since,),
    )
    d = decide(req, facts, POLICY)
    assert not d.permitted
    assert d.basis in ("KTS/3", "12/1", "6/2")


@FAST
@given(worlds())
def test_every_decision_has_a_spec_basis_a_bilingual_reason_and_the_policy_version_m6_4(
    world: tuple[Request, Facts],
) -> None:
    req, facts = world
    d = decide(req, facts, POLICY)
    assert d.effect in ("permit", "deny")
    assert d.basis in ALL_BASES
    assert d.basis in (PERMIT_BASES if d.permitted else DENY_BASES)
    assert d.reason_key in REASONS
    assert d.reason_tr.strip() and d.reason_en.strip() and d.reason_tr != d.reason_en
    assert d.policy_version == 7
    assert d.tried and d.tried[0] == "software_gate"


@FAST
@given(worlds())
def test_the_engine_is_deterministic_spec_c2(world: tuple[Request, Facts]) -> None:
    req, facts = world
    first = decide(req, facts, POLICY)
    assert decide(req, facts, POLICY) == first
    assert decide(copy.deepcopy(req), copy.deepcopy(facts), Policy(version=7)) == first


@FAST
@given(worlds())
def test_the_same_instant_decides_the_same_in_any_time_zone_spec_time(
    world: tuple[Request, Facts],
) -> None:
    req, facts = world
    in_utc = decide(replace(req, at=req.at.astimezone(UTC)), facts, POLICY)
    in_istanbul = decide(replace(req, at=req.at.astimezone(ISTANBUL)), facts, POLICY)
    assert in_utc == in_istanbul == decide(req, facts, POLICY)


@FAST
@given(worlds())
def test_unregistered_software_is_always_refused_kts_3(world: tuple[Request, Facts]) -> None:
    req, facts = world
    req = replace(req, via="S1")
    d = decide(req, facts, POLICY)
    if facts.installation is None or facts.installation.status_at(req.at) != "registered":
        assert (d.effect, d.basis) == ("deny", "KTS/3")


@FAST
@given(worlds())
def test_export_is_never_permitted_kts_2(world: tuple[Request, Facts]) -> None:
    req, facts = world
    d = decide(replace(req, action="export"), facts, POLICY)
    assert d.effect == "deny" and d.basis in ("KTS/3", "KTS/2")


@FAST
@given(worlds())
def test_analysis_without_software_is_never_permitted_kts_2(world: tuple[Request, Facts]) -> None:
    req, facts = world
    if facts.installation is not None:
        # Even an opinion that fits the installation, its facility, the purpose and the time.
        fitting = WrittenOpinion(
            "W9",
            facts.installation.id,
            facts.installation.facility,
            str(req.purpose),
            req.at,
            req.at.date() + timedelta(days=2),
        )
        facts = replace(facts, opinions=(*facts.opinions, fitting))
    d = decide(replace(req, action="analyze", via=None), facts, POLICY)
    assert (d.effect, d.basis) == ("deny", "KTS/2")


@FAST
@given(worlds())
def test_analysis_is_permitted_only_with_a_fitting_opinion_in_force_kts_2(
    world: tuple[Request, Facts],
) -> None:
    req, facts = world
    req = replace(req, action="analyze")
    d = decide(req, facts, POLICY)
    if d.permitted:
        inst = facts.installation
        assert req.via is not None and inst is not None
        assert any(
            o.installation == inst.id
            and o.facility == inst.facility
            and o.purpose == req.purpose
            and o.in_force(req.at)
            for o in facts.opinions
        )
        assert d.basis == "KTS/2"
