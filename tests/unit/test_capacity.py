"""Capacity determination (SPEC.md, "Capacity"): a stated `as` is used as given and checked by
its rule; without it, the first capacity held in the order self, officer, staff, heir, parent
of a living minor, lawyer, relative, parent otherwise."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from mahrem.domain.engine import capacity_of
from tests.unit.factories import (
    NURSE,
    PHYSICIAN,
    POLICY,
    TR,
    answer,
    authorization,
    facts,
    lay,
    officer,
    person,
    post,
    power,
    request,
    run,
    since,
)

LINKED = (since("2010-01-01T00:00:00+03:00"),)
DEAD = person("P1", died_at=datetime(2026, 1, 10, 8, 0, tzinfo=TR))


# Stated capacities the actor does not hold.


def test_stated_self_by_someone_other_than_the_patient_falls_to_m6_1() -> None:
    d = run(request(capacity="self"), facts())
    assert (d.effect, d.basis, d.reason_key, d.capacity) == (
        "deny",
        "6/1",
        "fallback.no_rule",
        None,
    )
    assert "self_access" not in d.tried


def test_stated_staff_without_a_staff_post_falls_to_m6_1() -> None:
    d = run(request(actor="K1", capacity="staff"), lay())
    assert (d.effect, d.basis, d.capacity) == ("deny", "6/1", None)
    assert "staff_read" not in d.tried


def test_stated_staff_with_a_post_that_has_ended_falls_to_m6_1() -> None:
    ended = post(span=since("2020-01-01T00:00:00+03:00", "2026-01-01T00:00:00+03:00"))
    f = facts(staff_posts=(ended,), family_doctor=(("D1", since("2020-01-01T00:00:00+03:00")),))
    assert answer(request(capacity="staff"), f) == ("deny", "6/1")


def test_stated_officer_without_an_officer_role_falls_to_m6_1() -> None:
    d = run(request(action="destroy", capacity="officer"), facts())
    assert (d.effect, d.basis, d.capacity) == ("deny", "6/1", None)
    assert "dpo_destroy" not in d.tried


@pytest.mark.parametrize(
    ("capacity", "basis"),
    [("parent", "8/1"), ("relative", "9/1"), ("lawyer", "10/1"), ("heir", "11/1")],
)
def test_stated_family_capacity_without_the_link_is_refused_with_its_own_basis_m8_to_m11(
    capacity: str, basis: str
) -> None:
    d = run(request(actor="K1", capacity=capacity, purpose=None), lay())
    assert (d.effect, d.basis, d.capacity) == ("deny", basis, capacity)


def test_stated_heir_of_a_living_patient_is_refused_m11_1() -> None:
    f = lay("H1", heir_of_patient=(datetime(2026, 1, 1, tzinfo=TR),))
    assert answer(request(actor="H1", capacity="heir"), f) == ("deny", "11/1")


# Without `as`: the order of capacities.


def test_the_patient_is_self_before_any_other_capacity_m5_6() -> None:
    f = facts("P1", officer_roles=(officer("dpo"),), staff_posts=(PHYSICIAN,))
    assert capacity_of(request(actor="P1"), f, POLICY) == "self"


def test_officer_comes_before_staff_spec_capacity() -> None:
    f = facts("O1", officer_roles=(officer("province_officer", "06"),), staff_posts=(PHYSICIAN,))
    assert capacity_of(request(actor="O1"), f, POLICY) == "officer"


def test_officer_who_is_also_a_physician_is_refused_a_read_as_officer_m6_1() -> None:
    f = facts(
        "O1",
        officer_roles=(officer("province_officer", "06"),),
        staff_posts=(PHYSICIAN,),
        family_doctor=(("O1", since("2020-01-01T00:00:00+03:00")),),
    )
    d = run(request(actor="O1"), f)
    assert (d.effect, d.basis, d.capacity) == ("deny", "6/1", "officer")


def test_officer_who_is_also_a_physician_reads_when_stating_as_staff_m6_3_a() -> None:
    f = facts(
        "O1",
        officer_roles=(officer("province_officer", "06"),),
        staff_posts=(PHYSICIAN,),
        family_doctor=(("O1", since("2020-01-01T00:00:00+03:00")),),
    )
    d = run(request(actor="O1", capacity="staff"), f)
    assert (d.effect, d.basis, d.capacity) == ("permit", "6/3-a", "staff")


def test_an_ended_officer_role_is_not_held_spec_capacity() -> None:
    ended = officer("dpo", span=since("2020-01-01T00:00:00+03:00", "2026-01-01T00:00:00+03:00"))
    f = facts("A1", officer_roles=(ended,), staff_posts=(PHYSICIAN,))
    assert capacity_of(request(actor="A1"), f, POLICY) == "staff"


def test_staff_comes_before_parent_spec_capacity() -> None:
    f = facts("M1", staff_posts=(NURSE,), parent_links=LINKED)
    assert capacity_of(request(actor="M1"), f, POLICY) == "staff"


def test_a_parent_who_is_also_the_named_heir_reads_as_heir_m11_1() -> None:
    f = lay("M1", DEAD, parent_links=LINKED, heir_of_patient=(datetime(2026, 2, 1, tzinfo=TR),))
    assert capacity_of(request(actor="M1"), f, POLICY) == "heir"
    assert answer(request(actor="M1"), f) == ("permit", "11/1")


def test_a_deceased_childs_parent_without_a_certificate_is_a_parent_refused_m8_1() -> None:
    child = person("P1", born=date(2012, 4, 10), died_at=datetime(2026, 1, 10, 8, 0, tzinfo=TR))
    d = run(request(actor="M1"), lay("M1", child, parent_links=LINKED))
    assert (d.capacity, d.effect, d.basis, d.reason_key) == (
        "parent",
        "deny",
        "8/1",
        "parent.child_deceased",
    )


def test_parent_of_a_living_minor_comes_before_lawyer_and_relative_m8_1() -> None:
    child = person("P1", born=date(2012, 4, 10))
    f = lay("M1", child, parent_links=LINKED, relative_authorizations=(authorization(),))
    assert capacity_of(request(actor="M1"), f, POLICY) == "parent"


def test_an_adults_parent_whom_the_adult_authorised_reads_as_relative_m9_1() -> None:
    f = lay("M1", parent_links=LINKED, relative_authorizations=(authorization(),))
    d = run(request(actor="M1"), f)
    assert (d.capacity, d.effect, d.basis) == ("relative", "permit", "9/1")


def test_an_adults_parent_with_a_power_of_attorney_reads_as_lawyer_m10_1() -> None:
    f = lay("M1", parent_links=LINKED, powers_of_attorney=(power(),))
    assert capacity_of(request(actor="M1"), f, POLICY) == "lawyer"


def test_an_adults_parent_without_the_adults_consent_is_a_parent_refused_m8_1() -> None:
    d = run(request(actor="M1"), lay("M1", parent_links=LINKED))
    assert (d.capacity, d.effect, d.basis, d.reason_key) == (
        "parent",
        "deny",
        "8/1",
        "parent.child_adult",
    )


def test_a_child_is_a_minor_until_the_first_minute_of_its_18th_birthday_in_istanbul_tmk_11() -> (
    None
):
    child = person("P1", born=date(2008, 6, 2))
    f = lay("M1", child, parent_links=LINKED, relative_authorizations=(authorization(),))
    before = datetime(2026, 6, 1, 23, 59, tzinfo=TR)
    at_birthday = datetime(2026, 6, 2, 0, 0, tzinfo=TR)
    assert capacity_of(request(actor="M1", at=before), f, POLICY) == "parent"
    assert capacity_of(request(actor="M1", at=at_birthday), f, POLICY) == "relative"


def test_heir_comes_before_lawyer_spec_capacity() -> None:
    f = lay(
        "H1",
        DEAD,
        heir_of_patient=(datetime(2026, 2, 1, tzinfo=TR),),
        powers_of_attorney=(power(),),
    )
    assert capacity_of(request(actor="H1"), f, POLICY) == "heir"


def test_heir_named_later_than_the_request_is_not_yet_an_heir_m11_1() -> None:
    f = lay("H1", DEAD, heir_of_patient=(datetime(2026, 6, 1, tzinfo=TR),))
    assert capacity_of(request(actor="H1"), f, POLICY) is None


def test_lawyer_comes_before_relative_spec_capacity() -> None:
    f = lay("L1", powers_of_attorney=(power(),), relative_authorizations=(authorization(),))
    assert capacity_of(request(actor="L1"), f, POLICY) == "lawyer"


def test_any_power_of_attorney_makes_a_lawyer_whatever_its_kind_or_state_m10_1() -> None:
    revoked_general = power(
        kind="general",
        consent=False,
        span=since("2024-01-01T00:00:00+03:00", "2025-01-01T00:00:00+03:00"),
    )
    f = lay("L1", powers_of_attorney=(revoked_general,), relative_authorizations=(authorization(),))
    d = run(request(actor="L1"), f)
    assert (d.capacity, d.effect, d.basis) == ("lawyer", "deny", "10/1")


def test_any_authorisation_makes_a_relative_whatever_its_state_m9_1() -> None:
    revoked = authorization(span=since("2024-01-01T00:00:00+03:00", "2025-01-01T00:00:00+03:00"))
    d = run(request(actor="K1"), lay(relative_authorizations=(revoked,)))
    assert (d.capacity, d.effect, d.basis) == ("relative", "deny", "9/1")


def test_a_stranger_has_no_capacity_and_falls_to_m6_1() -> None:
    d = run(request(actor="K1"), lay())
    assert (d.capacity, d.effect, d.basis, d.reason_key) == (
        None,
        "deny",
        "6/1",
        "fallback.no_rule",
    )
    assert d.tried == ("software_gate", "concealment", "hidden_record", "fallback")


def test_a_stated_capacity_overrides_the_order_m9_1() -> None:
    f = lay("L1", powers_of_attorney=(power(),), relative_authorizations=(authorization(),))
    d = run(request(actor="L1", capacity="relative"), f)
    assert (d.capacity, d.effect, d.basis) == ("relative", "permit", "9/1")


def test_capacity_is_settled_after_the_gate_so_a_gate_answer_names_none_kts_2() -> None:
    d = run(request(action="export"), facts())
    assert (d.capacity, d.basis) == (None, "KTS/2")
