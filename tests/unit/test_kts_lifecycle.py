"""The KTS registry's lifecycle (the letter, point 3), pure: business days, warnings, passive,
deleted, renewed, and when a GM officer may re-activate."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from mahrem.domain import kts
from mahrem.domain.errors import InputError
from mahrem.domain.policy import DEFAULT_POLICY, Policy

ISO = "ISO/IEC 27001"


def t(value: str) -> datetime:
    return datetime.fromisoformat(value)


def d(value: str) -> date:
    return date.fromisoformat(value)


def state(
    status: str = "registered",
    since: str = "2025-01-01T00:00:00+03:00",
    *certs: kts.Certificate,
    warned: frozenset[str] = frozenset(),
) -> kts.RegistryState:
    return kts.RegistryState("S1", status, t(since), certs, warned)


def cert(until: str, cid: str = "C1", type_: str = ISO, mandatory: bool = True) -> kts.Certificate:
    return kts.Certificate(cid, type_, d(until), mandatory)


def transitions(
    s: kts.RegistryState, at: str, policy: Policy = DEFAULT_POLICY
) -> list[tuple[str, str, str]]:
    return [
        (c.from_status, c.to_status, c.reason)
        for c in kts.due(s, t(at), policy)
        if isinstance(c, kts.Transition)
    ]


def warnings(s: kts.RegistryState, at: str) -> list[str]:
    return [
        w.certificate
        for w in kts.due(s, t(at), DEFAULT_POLICY)
        if isinstance(w, kts.CertificateWarning)
    ]


# -- business days --------------------------------------------------------------------------
def test_a_weekend_is_not_counted_as_business_days_kts_3() -> None:
    assert kts.business_days_between(d("2026-01-09"), d("2026-01-12")) == 1  # Friday → Monday
    assert kts.business_days_between(d("2026-01-09"), d("2026-01-11")) == 0
    assert kts.add_business_days(d("2026-01-09"), 1) == d("2026-01-12")


def test_fixed_national_holidays_are_not_business_days_kts_3() -> None:
    for day in ("2026-01-01", "2026-04-23", "2026-05-01", "2026-05-19", "2026-07-15", "2026-10-29"):
        assert kts.is_holiday(d(day)) and not kts.is_business_day(d(day)), day
    assert kts.is_holiday(d("2031-08-30"))  # fixed dates hold in every year


def test_religious_holidays_come_from_the_diyanet_table_and_eves_are_worked_kts_3() -> None:
    assert not kts.is_business_day(d("2026-03-20"))  # Ramazan Bayramı, Friday
    assert kts.is_business_day(d("2026-03-19"))  # arife: a half day, the morning is worked
    assert not kts.is_business_day(d("2026-05-29"))  # Kurban Bayramı, Friday
    assert kts.is_business_day(d("2026-10-28"))  # 28 October afternoon off: a working day
    # Thursday the 19th, then the feast and the weekend, then Monday the 23rd.
    assert kts.add_business_days(d("2026-03-18"), 2) == d("2026-03-23")
    assert kts.business_days_between(d("2026-05-25"), d("2026-06-01")) == 2  # 26 May, 1 June
    assert kts.holiday_table_covers(2026) and not kts.holiday_table_covers(2040)


def test_months_roll_a_missing_day_to_the_next_months_first() -> None:
    assert kts.add_months(d("2026-01-14"), 3) == d("2026-04-14")
    assert kts.add_months(d("2026-11-30"), 3) == d("2027-03-01")
    assert kts.add_months(d("2027-11-29"), 3) == d("2028-02-29")
    assert kts.add_months(d("2026-10-31"), 3) == d("2027-01-31")


# -- passive ------------------------------------------------------------------------------
def test_an_installation_turns_passive_after_seven_business_days_past_expiry_kts_3() -> None:
    s = state("registered", "2025-01-01T00:00:00+03:00", cert("2026-01-02"))  # a Friday
    # Grace: 5–9 and 12–13 January; passive from the first minute of Wednesday 14th.
    assert transitions(s, "2026-01-13T23:59:59+03:00") == []
    assert transitions(s, "2026-01-14T00:00:00+03:00") == [
        ("registered", "passive", "kts.certificate_expired")
    ]
    change = kts.due(s, t("2026-02-01T10:00:00+03:00"), DEFAULT_POLICY)[-1]
    assert isinstance(change, kts.Transition) and change.due == t("2026-01-14T00:00:00+03:00")
    assert change.basis == "KTS/3" and change.certificate == "C1"


def test_a_holiday_in_the_grace_period_postpones_passive_kts_3() -> None:
    s = state("registered", "2025-01-01T00:00:00+03:00", cert("2026-10-23"))
    # 26, 27, 28 Oct, (29 is Republic Day), 30 Oct, 2, 3, 4 Nov: passive from 5 November.
    assert kts.passive_from(d("2026-10-23"), DEFAULT_POLICY) == t("2026-11-05T00:00:00+03:00")
    assert transitions(s, "2026-11-04T23:00:00+03:00") == []
    assert transitions(s, "2026-11-05T00:00:00+03:00")[0][1] == "passive"


def test_the_grace_period_is_a_policy_parameter_kts_3() -> None:
    s = state("registered", "2025-01-01T00:00:00+03:00", cert("2026-01-02"))
    short = Policy(passive_after_business_days=1)
    assert (
        transitions(s, "2026-01-06T00:00:00+03:00", short)[0][1] == "passive"
    )  # after Monday the 5th


def test_a_renewed_certificate_of_the_same_type_keeps_the_installation_registered_kts_3() -> None:
    s = state(
        "registered",
        "2025-01-01T00:00:00+03:00",
        cert("2026-01-02", "OLD"),
        cert("2027-01-02", "NEW"),
    )
    assert transitions(s, "2026-03-01T00:00:00+03:00") == []


def test_an_optional_certificate_never_makes_an_installation_passive_kts_3() -> None:
    s = state("registered", "2025-01-01T00:00:00+03:00", cert("2026-01-02", mandatory=False))
    assert (
        transitions(s, "2026-06-01T00:00:00+03:00") == []
        and warnings(s, "2026-06-01T00:00:00+03:00") == []
    )


def test_a_suspended_installation_is_left_to_the_officer_kts_3() -> None:
    s = state("suspended", "2025-01-01T00:00:00+03:00", cert("2026-01-02"))
    assert transitions(s, "2026-06-01T00:00:00+03:00") == []


# -- warnings -------------------------------------------------------------------------------
def test_a_warning_is_due_seven_days_before_expiry_and_given_once_kts_3() -> None:
    s = state("registered", "2025-01-01T00:00:00+03:00", cert("2026-01-31"))
    # Expiry is the end of 31 January; seven days before is the start of 25 January.
    assert warnings(s, "2026-01-24T23:59:59+03:00") == []
    assert warnings(s, "2026-01-25T00:00:00+03:00") == ["C1"]
    warned = state(
        "registered", "2025-01-01T00:00:00+03:00", cert("2026-01-31"), warned=frozenset({"C1"})
    )
    assert warnings(warned, "2026-01-26T00:00:00+03:00") == []


# -- deleted and renewed -----------------------------------------------------------------
def test_a_passive_installation_is_deleted_three_months_after_becoming_passive_kts_3() -> None:
    s = state("passive", "2026-01-14T10:00:00+03:00", cert("2026-01-02"))
    assert transitions(s, "2026-04-13T23:59:59+03:00") == []
    assert transitions(s, "2026-04-14T00:00:00+03:00") == [
        ("passive", "deleted", "kts.passive_too_long")
    ]


def test_a_passive_installation_is_active_again_once_its_certificates_are_renewed_kts_3() -> None:
    s = state(
        "passive", "2026-01-14T10:00:00+03:00", cert("2026-01-02", "OLD"), cert("2027-01-31", "NEW")
    )
    assert transitions(s, "2026-02-01T09:00:00+03:00") == [
        ("passive", "registered", "kts.certificates_renewed")
    ]


def test_a_deleted_installation_stays_deleted_kts_3() -> None:
    s = state("deleted", "2026-04-14T00:00:00+03:00", cert("2030-01-01"))
    assert transitions(s, "2027-01-01T00:00:00+03:00") == []


def test_applying_what_is_due_leaves_nothing_due_kts_3() -> None:
    s = state("registered", "2025-01-01T00:00:00+03:00", cert("2026-01-02"))
    due = kts.due(s, t("2026-01-20T00:00:00+03:00"), DEFAULT_POLICY)
    assert [type(c).__name__ for c in due] == ["CertificateWarning", "Transition"]
    after = kts.RegistryState(
        "S1", "passive", t("2026-01-20T00:00:00+03:00"), s.certificates, frozenset({"C1"})
    )
    assert kts.due(after, t("2026-01-20T00:00:00+03:00"), DEFAULT_POLICY) == []


# -- re-activation by a GM officer -------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "until", "blocker"),
    [
        ("suspended", "2027-01-01", None),
        ("passive", "2027-01-01", None),
        ("suspended", "2026-01-02", "kts.certificate_expired"),
        ("revoked", "2027-01-01", "kts.status_final"),
        ("deleted", "2027-01-01", "kts.status_final"),
        ("registered", "2027-01-01", "kts.already_registered"),
    ],
)
def test_a_gm_officer_reactivates_only_what_may_run_again_kts_3(
    status: str, until: str, blocker: str | None
) -> None:
    s = state(status, "2026-01-14T10:00:00+03:00", cert(until))
    assert kts.reactivation_blocker(s, t("2026-03-01T00:00:00+03:00"), DEFAULT_POLICY) == blocker


# -- tax numbers ---------------------------------------------------------------------------
def test_a_firm_tax_number_is_validated_by_its_check_digit() -> None:
    assert kts.validate_vkn("4540536920") == "4540536920"
    with pytest.raises(InputError) as err:
        kts.validate_vkn("4540536921", "firm.tax_number")
    assert err.value.code == "vkn.invalid" and err.value.field == "firm.tax_number"
