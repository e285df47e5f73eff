"""M6/3 — the statutory windows that open past data of a patient without an e-Nabız account:
a family doctor, b appointment physician, c check-in, ç admission; tried in that order.

Times are often given in UTC on purpose: Istanbul is UTC+3, so an Istanbul day runs from
21:00 UTC the day before to 20:59:59 UTC.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from mahrem.domain.policy import Policy
from tests.unit.factories import (
    POLICY,
    admission,
    answer,
    appointment,
    check_in,
    facts,
    post,
    request,
    since,
    t,
)

# a — family doctor.


def test_family_doctor_reads_past_data_with_no_time_limit_m6_3_a() -> None:
    f = facts(family_doctor=(("D1", since("1990-01-01T00:00:00+03:00")),))
    assert answer(request(at=t("2040-01-01T03:00:00+03:00")), f) == ("permit", "6/3-a")


def test_deregistered_family_doctor_loses_access_m6_3_a() -> None:
    deregistered = t("2026-03-01T00:00:00+03:00")
    f = facts(family_doctor=(("D1", since("2020-01-01T00:00:00+03:00", deregistered)),))
    assert answer(request(), f) == ("deny", "6/3")
    assert answer(request(at=t("2026-02-28T23:59:59+03:00")), f) == ("permit", "6/3-a")


def test_another_physicians_registration_opens_nothing_m6_3_a() -> None:
    f = facts(family_doctor=(("D2", since("2020-01-01T00:00:00+03:00")),))
    assert answer(request(), f) == ("deny", "6/3")


def test_replaced_family_doctor_registration_moves_the_window_m6_3_a() -> None:
    moved = t("2026-02-01T00:00:00+03:00")
    history = (("D2", since("2020-01-01T00:00:00+03:00", moved)), ("D1", since(moved)))
    assert answer(request(), facts(family_doctor=history)) == ("permit", "6/3-a")
    assert answer(request(actor="D2"), facts("D2", family_doctor=history)) == ("deny", "6/3")


# b — appointment physician.

APPT_DAY = date(2026, 3, 2)


def test_appointment_physician_reads_from_the_first_second_of_the_istanbul_day_m6_3_b() -> None:
    f = facts(appointments=(appointment(APPT_DAY),))
    assert answer(request(at=t("2026-03-01T21:00:00Z")), f) == ("permit", "6/3-b")
    assert answer(request(at=t("2026-03-01T20:59:59Z")), f) == ("deny", "6/3")


def test_appointment_physician_reads_until_the_last_second_of_the_istanbul_day_m6_3_b() -> None:
    f = facts(appointments=(appointment(APPT_DAY),))
    assert answer(request(at=t("2026-03-02T20:59:59Z")), f) == ("permit", "6/3-b")


def test_appointment_physician_loses_access_at_istanbul_midnight_m6_3_b() -> None:
    # Still 2 March in UTC, but already 3 March in Istanbul.
    f = facts(appointments=(appointment(APPT_DAY),))
    assert answer(request(at=t("2026-03-02T21:00:00Z")), f) == ("deny", "6/3")
    assert answer(request(at=t("2026-03-03T00:00:00+03:00")), f) == ("deny", "6/3")


def test_appointment_completed_earlier_ends_the_window_m6_3_b() -> None:
    done = t("2026-03-02T11:00:00+03:00")
    f = facts(appointments=(appointment(APPT_DAY, completed_at=done),))
    assert answer(request(at=t("2026-03-02T10:59:59+03:00")), f) == ("permit", "6/3-b")
    assert answer(request(at=done), f) == ("deny", "6/3")
    assert answer(request(at=t("2026-03-02T18:00:00+03:00")), f) == ("deny", "6/3")


def test_appointment_completed_after_its_day_still_ends_at_midnight_m6_3_b() -> None:
    f = facts(appointments=(appointment(APPT_DAY, completed_at=t("2026-03-03T10:00:00+03:00")),))
    assert answer(request(at=t("2026-03-02T23:59:59+03:00")), f) == ("permit", "6/3-b")
    assert answer(request(at=t("2026-03-03T00:00:00+03:00")), f) == ("deny", "6/3")


def test_appointment_booked_for_another_day_does_not_open_today_m6_3_b() -> None:
    f = facts(appointments=(appointment(date(2026, 3, 9)),))
    assert answer(request(), f) == ("deny", "6/3")


def test_appointment_with_another_physician_opens_nothing_for_this_one_m6_3_b() -> None:
    f = facts(appointments=(appointment(APPT_DAY, physician="D2"),))
    assert answer(request(), f) == ("deny", "6/3")


# c — check-in.

CHECKED_IN = t("2026-03-02T09:00:00+03:00")


def test_check_in_opens_past_data_to_physicians_of_that_facility_m6_3_c() -> None:
    f = facts(episodes=(check_in(CHECKED_IN),))
    assert answer(request(at=CHECKED_IN), f) == ("permit", "6/3-c")
    assert answer(request(at=t("2026-03-02T08:59:59+03:00")), f) == ("deny", "6/3")


def test_check_in_window_permits_one_second_before_24_hours_m6_3_c() -> None:
    f = facts(episodes=(check_in(CHECKED_IN),))
    assert answer(request(at=CHECKED_IN + timedelta(hours=23, minutes=59, seconds=59)), f) == (
        "permit",
        "6/3-c",
    )


def test_check_in_window_closes_exactly_24_hours_later_m6_3_c() -> None:
    f = facts(episodes=(check_in(CHECKED_IN),))
    assert answer(request(at=CHECKED_IN + timedelta(hours=24)), f) == ("deny", "6/3")
    assert answer(request(at=t("2026-03-03T06:00:00Z")), f) == ("deny", "6/3")


def test_check_in_at_another_facility_opens_nothing_m6_3_c() -> None:
    f = facts(episodes=(check_in(CHECKED_IN, facility="F2"),))
    assert answer(request(), f) == ("deny", "6/3")


def test_check_in_window_is_policy_configuration_m6_4() -> None:
    f = facts(episodes=(check_in(CHECKED_IN),))
    short = Policy(version=8, check_in_window=timedelta(hours=12))
    at = CHECKED_IN + timedelta(hours=13)
    assert answer(request(at=at), f, POLICY) == ("permit", "6/3-c")
    assert answer(request(at=at), f, short) == ("deny", "6/3")


# ç — admission.

ADMITTED = t("2026-02-20T14:00:00+03:00")


def test_admission_opens_past_data_until_discharge_m6_3_c_cedilla() -> None:
    discharged = t("2026-03-05T12:00:00+03:00")
    f = facts(episodes=(admission(ADMITTED, discharged),))
    assert answer(request(at=ADMITTED), f) == ("permit", "6/3-ç")
    assert answer(request(at=t("2026-03-05T11:59:59+03:00")), f) == ("permit", "6/3-ç")
    assert answer(request(at=discharged), f) == ("deny", "6/3")


def test_admission_not_yet_discharged_stays_open_m6_3_c_cedilla() -> None:
    f = facts(episodes=(admission(ADMITTED),))
    assert answer(request(at=t("2026-06-01T10:00:00+03:00")), f) == ("permit", "6/3-ç")


def test_admission_at_another_facility_opens_nothing_m6_3_c_cedilla() -> None:
    f = facts(episodes=(admission(ADMITTED, facility="F3"),))
    assert answer(request(), f) == ("deny", "6/3")


def test_admission_opens_to_a_physician_with_one_post_there_m6_3_c_cedilla() -> None:
    f = facts(
        staff_posts=(post(facility="F2"), post(facility="F3")),
        episodes=(admission(ADMITTED, facility="F3"),),
    )
    assert answer(request(), f) == ("permit", "6/3-ç")


# The order a, b, c, ç: the first window that applies is the basis.


def test_family_doctor_window_comes_before_the_appointment_m6_3_a() -> None:
    f = facts(
        family_doctor=(("D1", since("2020-01-01T00:00:00+03:00")),),
        appointments=(appointment(APPT_DAY),),
        episodes=(check_in(CHECKED_IN), admission(ADMITTED)),
    )
    assert answer(request(), f) == ("permit", "6/3-a")


def test_appointment_window_comes_before_the_check_in_m6_3_b() -> None:
    f = facts(
        appointments=(appointment(APPT_DAY),), episodes=(check_in(CHECKED_IN), admission(ADMITTED))
    )
    assert answer(request(), f) == ("permit", "6/3-b")


def test_check_in_window_comes_before_the_admission_m6_3_c() -> None:
    f = facts(episodes=(admission(ADMITTED), check_in(CHECKED_IN)))
    assert answer(request(), f) == ("permit", "6/3-c")


def test_later_window_answers_once_an_earlier_one_has_closed_m6_3_c() -> None:
    done = t("2026-03-02T09:30:00+03:00")
    f = facts(
        appointments=(appointment(APPT_DAY, completed_at=done),), episodes=(check_in(CHECKED_IN),)
    )
    assert answer(request(at=t("2026-03-02T09:15:00+03:00")), f) == ("permit", "6/3-b")
    assert answer(request(at=done), f) == ("permit", "6/3-c")


def test_a_window_applies_only_to_physicians_m6_3() -> None:
    nurse = post(role="nurse", specialty="nursing")
    f = facts(
        "N1",
        staff_posts=(nurse,),
        family_doctor=(("N1", since("2020-01-01T00:00:00+03:00")),),
        appointments=(appointment(APPT_DAY, physician="N1"),),
        episodes=(check_in(CHECKED_IN), admission(ADMITTED)),
    )
    assert answer(request(actor="N1"), f) == ("deny", "6/3")
    physician = replace(f, staff_posts=(post(),))
    assert answer(request(actor="N1"), physician) == ("permit", "6/3-a")
