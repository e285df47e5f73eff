"""Istanbul calendar arithmetic (SPEC.md, Interpretations: "Time")."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from mahrem.domain.clock import (
    anniversary,
    day_end,
    day_start,
    has_reached_age,
    local_date,
    require_aware,
)
from mahrem.domain.errors import InputError
from mahrem.domain.facts import Interval
from tests.unit.factories import POLICY, t


def test_local_date_is_the_istanbul_day_not_the_utc_day_m6_3_b() -> None:
    assert local_date(t("2026-03-01T21:00:00Z")) == date(2026, 3, 2)
    assert local_date(t("2026-03-01T20:59:59Z")) == date(2026, 3, 1)


def test_istanbul_day_starts_at_21_utc_the_day_before_m6_3_b() -> None:
    assert day_start(date(2026, 3, 2)) == t("2026-03-01T21:00:00Z")


def test_inclusive_date_ends_at_the_next_istanbul_midnight_m9_1() -> None:
    assert day_end(date(2026, 3, 2)) == t("2026-03-02T21:00:00Z")


def test_anniversary_keeps_the_calendar_day_m11_2() -> None:
    assert anniversary(date(2008, 6, 15), 18) == date(2026, 6, 15)


def test_29_february_anniversary_falls_on_1_march_in_a_common_year_m11_2() -> None:
    assert anniversary(date(2008, 2, 29), 18) == date(2026, 3, 1)
    assert anniversary(date(2080, 2, 29), 20) == date(2100, 3, 1)


def test_29_february_anniversary_stays_on_29_february_in_a_leap_year_m11_2() -> None:
    assert anniversary(date(2008, 2, 29), 16) == date(2024, 2, 29)


def test_person_is_18_from_the_first_minute_of_the_birthday_in_istanbul_m8_1() -> None:
    born = date(2008, 6, 15)
    assert not has_reached_age(born, POLICY.majority_age, t("2026-06-14T20:59:59Z"))
    assert has_reached_age(born, POLICY.majority_age, t("2026-06-14T21:00:00Z"))


def test_person_is_15_from_the_first_minute_of_the_birthday_in_istanbul_m8_1() -> None:
    born = date(2011, 6, 15)
    assert not has_reached_age(born, POLICY.discernment_age, t("2026-06-14T20:59:59Z"))
    assert has_reached_age(born, POLICY.discernment_age, t("2026-06-14T21:00:00Z"))


def test_leapling_is_18_on_1_march_of_a_common_year_m8_1() -> None:
    born = date(2008, 2, 29)
    assert not has_reached_age(born, 18, t("2026-02-28T23:59:59+03:00"))
    assert has_reached_age(born, 18, t("2026-03-01T00:00:00+03:00"))


def test_leapling_is_15_on_1_march_of_a_common_year_m8_1() -> None:
    born = date(2012, 2, 29)  # 2027 is a common year
    assert not has_reached_age(born, 15, t("2027-02-28T20:59:59Z"))
    assert has_reached_age(born, 15, t("2027-02-28T21:00:00Z"))


def test_naive_time_is_refused_as_input_spec_time() -> None:
    with pytest.raises(InputError) as caught:
        require_aware(datetime(2026, 3, 2, 10, 0), "at")
    assert (caught.value.code, caught.value.field) == ("time.naive", "at")


def test_aware_time_is_returned_unchanged_spec_time() -> None:
    at = t("2026-03-02T10:00:00+03:00")
    assert require_aware(at) is at


def test_interval_is_half_open_spec_time() -> None:
    span = Interval(t("2026-03-02T09:00:00+03:00"), t("2026-03-02T10:00:00+03:00"))
    assert span.contains(t("2026-03-02T06:00:00Z"))
    assert span.contains(t("2026-03-02T09:59:59+03:00"))
    assert not span.contains(t("2026-03-02T07:00:00Z"))
    assert not span.contains(t("2026-03-02T08:59:59+03:00"))


def test_open_interval_holds_for_ever_spec_time() -> None:
    assert Interval(t("2026-03-02T09:00:00+03:00")).contains(t("2099-01-01T00:00:00Z"))
