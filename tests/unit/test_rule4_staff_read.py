"""Rule 4 — health staff reading a record: purposes (M6/1), current care (M6/1), past data
with an e-Nabız account (M6/2) or without one (M6/3), the history lock (M6/5) and restricted
categories (M6/6)."""

from __future__ import annotations

import pytest

from mahrem.domain.facts import StaffPost
from mahrem.domain.policy import Policy
from tests.unit.factories import (
    NURSE,
    OTHER_STAFF,
    PHYSICIAN,
    admission,
    answer,
    check_in,
    facts,
    post,
    record,
    request,
    run,
    since,
    t,
)

REGISTERED = (("D1", since("2020-01-01T00:00:00+03:00")),)  # D1 is P1's family doctor
ACCOUNT = (since("2024-01-01T00:00:00+03:00"),)
CHECKED_IN = t("2026-03-02T09:00:00+03:00")
THIS_VISIT = record(facility="F1", created_at=t("2026-03-02T09:30:00+03:00"))


# 4.1 — purposes.


@pytest.mark.parametrize("purpose", ["treatment", "diagnosis", "care", "preventive"])
def test_staff_read_for_a_care_purpose_goes_on_m6_1(purpose: str) -> None:
    assert answer(request(purpose=purpose), facts(family_doctor=REGISTERED)) == ("permit", "6/3-a")


@pytest.mark.parametrize("purpose", ["research", "insurance", "planning", "legal", None])
def test_staff_read_for_any_other_purpose_is_refused_m6_1(purpose: str | None) -> None:
    d = run(request(purpose=purpose), facts(family_doctor=REGISTERED))
    assert (d.effect, d.basis, d.reason_key) == ("deny", "6/1", "staff.purpose_not_care")


def test_purpose_is_checked_before_current_care_m6_1() -> None:
    f = facts(rec=THIS_VISIT, episodes=(check_in(CHECKED_IN),))
    assert answer(request(purpose="research"), f) == ("deny", "6/1")


# 4.2 — current care.


@pytest.mark.parametrize(
    "staff", [PHYSICIAN, NURSE, OTHER_STAFF], ids=["physician", "nurse", "other_staff"]
)
def test_any_staff_of_the_facility_reads_the_current_episodes_record_m6_1(staff: StaffPost) -> None:
    f = facts("N1", rec=THIS_VISIT, staff_posts=(staff,), episodes=(check_in(CHECKED_IN),))
    d = run(request(actor="N1"), f)
    assert (d.effect, d.basis, d.reason_key) == ("permit", "6/1", "staff.current_care")


def test_current_care_holds_for_an_account_holder_too_m6_1() -> None:
    f = facts(
        "N1",
        rec=THIS_VISIT,
        staff_posts=(NURSE,),
        episodes=(check_in(CHECKED_IN),),
        enabiz_account=ACCOUNT,
    )
    assert answer(request(actor="N1"), f) == ("permit", "6/1")


def test_current_care_is_not_bound_by_the_history_lock_or_restricted_category_m6_1() -> None:
    rec = record(facility="F1", created_at=t("2026-03-02T09:30:00+03:00"), category="psychiatry")
    f = facts(
        "N1", rec=rec, staff_posts=(NURSE,), episodes=(check_in(CHECKED_IN),), history_locks=ACCOUNT
    )
    assert answer(request(actor="N1"), f) == ("permit", "6/1")


def test_current_care_ends_24_hours_after_check_in_m6_1() -> None:
    f = facts("N1", rec=THIS_VISIT, staff_posts=(NURSE,), episodes=(check_in(CHECKED_IN),))
    assert answer(request(actor="N1", at=t("2026-03-03T08:59:59+03:00")), f) == ("permit", "6/1")
    assert answer(request(actor="N1", at=t("2026-03-03T09:00:00+03:00")), f) == ("deny", "6/3")


def test_current_care_of_an_admission_lasts_until_discharge_m6_1() -> None:
    discharged = t("2026-03-10T12:00:00+03:00")
    f = facts(
        "N1", rec=THIS_VISIT, staff_posts=(NURSE,), episodes=(admission(CHECKED_IN, discharged),)
    )
    assert answer(request(actor="N1", at=t("2026-03-10T11:59:59+03:00")), f) == ("permit", "6/1")
    assert answer(request(actor="N1", at=discharged), f) == ("deny", "6/3")


def test_record_from_before_the_episode_is_past_data_even_at_the_same_facility_m6_3() -> None:
    earlier = record(facility="F1", created_at=t("2026-03-01T09:30:00+03:00"))
    nurse = facts("N1", rec=earlier, staff_posts=(NURSE,), episodes=(check_in(CHECKED_IN),))
    assert answer(request(actor="N1"), nurse) == ("deny", "6/3")
    physician = facts(rec=earlier, episodes=(check_in(CHECKED_IN),))
    assert answer(request(), physician) == ("permit", "6/3-c")


def test_record_of_an_earlier_closed_episode_is_past_data_m6_3() -> None:
    old_visit = check_in(t("2026-02-01T09:00:00+03:00"), eid="E0")
    rec = record(facility="F1", created_at=t("2026-02-01T09:30:00+03:00"))
    f = facts("N1", rec=rec, staff_posts=(NURSE,), episodes=(old_visit, check_in(CHECKED_IN)))
    assert answer(request(actor="N1"), f) == ("deny", "6/3")


def test_staff_of_another_facility_are_not_in_current_care_m6_3() -> None:
    f = facts(rec=THIS_VISIT, staff_posts=(post(facility="F2"),), episodes=(check_in(CHECKED_IN),))
    assert answer(request(), f) == ("deny", "6/3")


def test_record_of_another_facility_is_not_current_care_m6_3() -> None:
    elsewhere = record(facility="F3", created_at=t("2026-03-02T09:30:00+03:00"))
    nurse = facts("N1", rec=elsewhere, staff_posts=(NURSE,), episodes=(check_in(CHECKED_IN),))
    assert answer(request(actor="N1"), nurse) == ("deny", "6/3")


# 4.3 — past data: account or not.


def test_account_holder_past_data_opens_to_a_physician_with_a_care_relationship_m6_2() -> None:
    d = run(request(), facts(enabiz_account=ACCOUNT, family_doctor=REGISTERED))
    assert (d.effect, d.basis, d.reason_key) == ("permit", "6/2", "staff.past_data_account")


def test_account_holder_past_data_is_refused_without_a_care_relationship_m6_2() -> None:
    d = run(request(), facts(enabiz_account=ACCOUNT))
    assert (d.effect, d.basis, d.reason_key) == ("deny", "6/2", "staff.no_care_relationship")


@pytest.mark.parametrize("staff", [NURSE, OTHER_STAFF], ids=["nurse", "other_staff"])
def test_account_holder_past_data_is_refused_to_staff_who_are_not_physicians_m6_2(
    staff: StaffPost,
) -> None:
    f = facts("N1", staff_posts=(staff,), enabiz_account=ACCOUNT, episodes=(check_in(CHECKED_IN),))
    assert answer(request(actor="N1"), f) == ("deny", "6/2")


@pytest.mark.parametrize("staff", [NURSE, OTHER_STAFF], ids=["nurse", "other_staff"])
def test_past_data_without_an_account_is_refused_to_staff_who_are_not_physicians_m6_3(
    staff: StaffPost,
) -> None:
    f = facts(
        "N1",
        staff_posts=(staff,),
        episodes=(check_in(CHECKED_IN),),
        family_doctor=(("N1", since("2020-01-01T00:00:00+03:00")),),
    )
    d = run(request(actor="N1"), f)
    assert (d.effect, d.basis, d.reason_key) == ("deny", "6/3", "staff.no_statutory_window")


def test_past_data_without_an_account_and_without_a_window_is_refused_m6_3() -> None:
    assert answer(request(), facts()) == ("deny", "6/3")


def test_account_opened_after_the_request_does_not_count_m6_3() -> None:
    f = facts(enabiz_account=(since("2026-03-02T10:00:01+03:00"),), family_doctor=REGISTERED)
    assert answer(request(), f) == ("permit", "6/3-a")


def test_physician_post_that_has_ended_opens_no_window_m6_3() -> None:
    ended = post(span=since("2020-01-01T00:00:00+03:00", "2026-01-01T00:00:00+03:00"))
    f = facts(staff_posts=(ended, NURSE), family_doctor=REGISTERED)
    assert answer(request(), f) == ("deny", "6/3")


# M6/5 — history lock.

LOCKED = (since("2026-02-01T00:00:00+03:00"),)
GRANT = (since("2026-03-02T09:00:00+03:00", "2026-03-03T09:00:00+03:00"),)


def test_locked_history_is_refused_without_a_code_grant_m6_5() -> None:
    d = run(request(), facts(family_doctor=REGISTERED, history_locks=LOCKED))
    assert (d.effect, d.basis, d.reason_key) == ("deny", "6/5", "staff.history_locked")


def test_locked_history_opens_with_a_valid_code_grant_m6_5() -> None:
    f = facts(family_doctor=REGISTERED, history_locks=LOCKED, code_grants=GRANT)
    assert answer(request(), f) == ("permit", "6/3-a")


def test_code_grant_lasts_24_hours_m6_5() -> None:
    f = facts(family_doctor=REGISTERED, history_locks=LOCKED, code_grants=GRANT)
    assert answer(request(at=t("2026-03-03T08:59:59+03:00")), f) == ("permit", "6/3-a")
    assert answer(request(at=t("2026-03-03T09:00:00+03:00")), f) == ("deny", "6/5")


def test_lock_binds_account_holders_past_data_too_m6_5() -> None:
    f = facts(family_doctor=REGISTERED, history_locks=LOCKED, enabiz_account=ACCOUNT)
    assert answer(request(), f) == ("deny", "6/5")
    f2 = facts(
        family_doctor=REGISTERED, history_locks=LOCKED, enabiz_account=ACCOUNT, code_grants=GRANT
    )
    assert answer(request(), f2) == ("permit", "6/2")


def test_code_grant_does_not_replace_a_care_relationship_m6_5() -> None:
    assert answer(request(), facts(history_locks=LOCKED, code_grants=GRANT)) == ("deny", "6/3")


def test_unlocked_history_is_readable_again_m6_5() -> None:
    f = facts(
        family_doctor=REGISTERED,
        history_locks=(since("2026-02-01T00:00:00+03:00", "2026-03-01T00:00:00+03:00"),),
    )
    assert answer(request(), f) == ("permit", "6/3-a")


# M6/6 — restricted categories.

PSYCHIATRIC = record(category="psychiatry")


def test_restricted_category_is_refused_to_a_physician_of_another_specialty_m6_6() -> None:
    d = run(request(), facts(rec=PSYCHIATRIC, family_doctor=REGISTERED))
    assert (d.effect, d.basis, d.reason_key) == ("deny", "6/6", "staff.restricted_category")


def test_restricted_category_opens_to_its_author_m6_6() -> None:
    f = facts("D3", rec=PSYCHIATRIC, family_doctor=(("D3", since("2020-01-01T00:00:00+03:00")),))
    assert answer(request(actor="D3"), f) == ("permit", "6/3-a")


@pytest.mark.parametrize(
    ("category", "specialty"),
    [
        ("psychiatry", "psychiatry"),
        ("substance_use", "psychiatry"),
        ("sexual_health", "infectious_diseases"),
        ("sexual_health", "dermatology"),
        ("hiv", "infectious_diseases"),
        ("hiv", "dermatology"),
        ("genetics", "medical_genetics"),
        ("reproductive", "obstetrics"),
    ],
)
def test_restricted_category_opens_to_a_matching_specialty_m6_6(
    category: str, specialty: str
) -> None:
    f = facts(
        rec=record(category=category),
        staff_posts=(post(specialty=specialty),),
        family_doctor=REGISTERED,
    )
    assert answer(request(), f) == ("permit", "6/3-a")


@pytest.mark.parametrize(
    ("category", "specialty"),
    [
        ("hiv", "psychiatry"),
        ("psychiatry", "dermatology"),
        ("genetics", "obstetrics"),
        ("reproductive", "family_medicine"),
        ("substance_use", None),
    ],
)
def test_restricted_category_stays_closed_to_a_specialty_that_does_not_match_m6_6(
    category: str, specialty: str | None
) -> None:
    f = facts(
        rec=record(category=category),
        staff_posts=(post(specialty=specialty),),
        family_doctor=REGISTERED,
    )
    assert answer(request(), f) == ("deny", "6/6")


def test_restricted_category_opens_with_a_code_grant_m6_6() -> None:
    f = facts(rec=PSYCHIATRIC, family_doctor=REGISTERED, code_grants=GRANT)
    assert answer(request(), f) == ("permit", "6/3-a")


def test_restricted_category_binds_account_holders_m6_6() -> None:
    f = facts(rec=PSYCHIATRIC, family_doctor=REGISTERED, enabiz_account=ACCOUNT)
    assert answer(request(), f) == ("deny", "6/6")


def test_history_lock_is_answered_before_the_restricted_category_m6_5() -> None:
    f = facts(rec=PSYCHIATRIC, family_doctor=REGISTERED, history_locks=LOCKED)
    assert answer(request(), f) == ("deny", "6/5")


def test_no_window_is_answered_before_the_lock_and_the_restricted_category_m6_3() -> None:
    f = facts(rec=PSYCHIATRIC, history_locks=LOCKED)
    assert answer(request(), f) == ("deny", "6/3")


def test_matching_specialty_at_another_post_counts_m6_6() -> None:
    f = facts(
        rec=PSYCHIATRIC,
        family_doctor=REGISTERED,
        staff_posts=(PHYSICIAN, post(facility="F2", specialty="psychiatry")),
    )
    assert answer(request(), f) == ("permit", "6/3-a")


def test_restricted_list_is_policy_configuration_m6_4() -> None:
    policy = Policy(version=8, restricted_categories=("laboratory",))
    d = run(request(), facts(family_doctor=REGISTERED), policy)
    assert (d.effect, d.basis, d.policy_version) == ("deny", "6/6", 8)
    assert answer(request(), facts(rec=PSYCHIATRIC, family_doctor=REGISTERED), policy) == (
        "permit",
        "6/3-a",
    )
