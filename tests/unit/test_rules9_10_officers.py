"""Rule 9 — M7 re-identification by ministry users; rule 10 — officers: the dpo analyses
(KTS/2), destroys (M11/2, M14/1) and transfers (M15); a GM officer corrects (M13/1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from mahrem.domain.decision import Recipient
from mahrem.domain.facts import OfficerRole, Person, RecordMeta
from mahrem.domain.policy import Policy
from tests.unit.factories import (
    LAB_RESULT,
    TR,
    answer,
    correction_request,
    facts,
    installation,
    lay,
    officer,
    opinion,
    person,
    protocol,
    record,
    reid_authorization,
    request,
    run,
    since,
    t,
    unit,
)

MINISTRY_USER = officer("ministry_user", unit="B1")


# Rule 9 — ministry users.


def _reidentify(purpose: str | None = "planning", **kw: Any) -> tuple[str, str, str]:
    kw.setdefault("officer_roles", (MINISTRY_USER,))
    kw.setdefault("unit", unit())
    f = lay("U1", rec=None, **kw)
    d = run(request(actor="U1", action="reidentify", record=None, purpose=purpose), f)
    return d.effect, d.basis, d.reason_key


def test_ministry_user_without_a_gm_authorisation_is_refused_m7_1() -> None:
    assert _reidentify() == ("deny", "7/1", "ministry.not_authorized")


def test_revoked_authorisation_is_no_authorisation_m7_1() -> None:
    revoked = reid_authorization(
        span=since("2025-01-01T00:00:00+03:00", "2026-03-01T00:00:00+03:00")
    )
    assert _reidentify(reidentification_authorizations=(revoked,))[:2] == ("deny", "7/1")


@pytest.mark.parametrize("purpose", ["research", "treatment", "insurance", None])
def test_purpose_outside_the_four_is_refused_m7_2(purpose: str | None) -> None:
    assert _reidentify(purpose, reidentification_authorizations=(reid_authorization(),)) == (
        "deny",
        "7/2",
        "ministry.purpose_not_allowed",
    )


def test_allowed_purpose_outside_the_units_duties_is_refused_m7_2() -> None:
    # Unit B1's duties are planning and inspection; financing is one of the four but not B1's.
    assert _reidentify("financing", reidentification_authorizations=(reid_authorization(),))[
        :2
    ] == ("deny", "7/2")


@pytest.mark.parametrize("purpose", ["planning", "inspection"])
def test_authorised_user_reidentifies_for_a_duty_of_the_unit_m7_2(purpose: str) -> None:
    assert _reidentify(purpose, reidentification_authorizations=(reid_authorization(),)) == (
        "permit",
        "7/2",
        "ministry.reidentify",
    )


def test_authorisation_for_another_unit_lends_no_duties_m7_2() -> None:
    assert _reidentify(reidentification_authorizations=(reid_authorization(unit="B2"),))[:2] == (
        "deny",
        "7/2",
    )


def test_officer_who_is_not_a_ministry_user_cannot_reidentify_m6_1() -> None:
    f = lay(
        "G1",
        rec=None,
        officer_roles=(officer("gm_officer"),),
        reidentification_authorizations=(reid_authorization(),),
        unit=unit(),
    )
    d = run(request(actor="G1", action="reidentify", record=None, purpose="planning"), f)
    assert (d.effect, d.basis, d.reason_key) == ("deny", "6/1", "fallback.no_rule")


# Rule 10 — the dpo.

DPO = (officer("dpo"),)


def test_dpo_analyses_with_an_opinion_in_force_kts_2() -> None:
    f = lay("A1", rec=None, officer_roles=DPO, installation=installation(), opinions=(opinion(),))
    d = run(request(actor="A1", action="analyze", record=None, purpose="planning", via="S1"), f)
    assert (d.effect, d.basis, d.reason_key, d.capacity) == (
        "permit",
        "KTS/2",
        "kts.analysis_with_opinion",
        "officer",
    )


def test_province_officer_cannot_analyse_even_with_an_opinion_m6_1() -> None:
    f = lay(
        "O1",
        rec=None,
        officer_roles=(officer("province_officer", "06"),),
        installation=installation(),
        opinions=(opinion(),),
    )
    assert answer(
        request(actor="O1", action="analyze", record=None, purpose="planning", via="S1"), f
    ) == ("deny", "6/1")


def _destroy(patient: Person, at: datetime, **kw: Any) -> tuple[str, str, str]:
    f = lay("A1", patient, officer_roles=DPO, **kw)
    d = run(request(actor="A1", action="destroy", purpose=None, at=at), f)
    return d.effect, d.basis, d.reason_key


def test_dpo_destroys_a_living_patients_data_m14_1() -> None:
    assert _destroy(person("P1"), t("2026-03-02T10:00:00+03:00")) == (
        "permit",
        "14/1",
        "destroy.allowed",
    )


def test_dpo_cannot_destroy_within_20_years_of_the_death_m11_2() -> None:
    dead = person("P1", died_at=t("2026-06-20T14:00:00+03:00"))
    assert _destroy(dead, t("2031-06-25T10:00:00+03:00")) == (
        "deny",
        "11/2",
        "destroy.retention_after_death",
    )


def test_destruction_bar_lifts_at_the_first_minute_of_the_20th_anniversary_in_istanbul_m11_2() -> (
    None
):
    # Died 20 June 2026 at 01:30 Istanbul (19 June 22:30 UTC): the death day is 20 June.
    dead = person("P1", died_at=t("2026-06-19T22:30:00Z"))
    assert _destroy(dead, t("2046-06-19T20:59:59Z"))[:2] == ("deny", "11/2")
    assert _destroy(dead, t("2046-06-19T21:00:00Z"))[:2] == ("permit", "14/1")


def test_death_on_29_february_is_kept_until_1_march_of_the_common_20th_year_m11_2() -> None:
    dead = person("P1", died_at=t("2024-02-29T12:00:00+03:00"))
    assert _destroy(dead, t("2044-02-28T23:59:59+03:00"))[:2] == (
        "deny",
        "11/2",
    )  # 2044 is a leap year
    assert _destroy(dead, t("2044-02-29T00:00:00+03:00"))[:2] == ("permit", "14/1")


def test_death_on_29_february_is_kept_until_1_march_when_the_20th_year_is_common_m11_2() -> None:
    # 2100 is not a leap year (a century not divisible by 400), so the anniversary is 1 March.
    dead = person("P1", died_at=t("2080-02-29T12:00:00+03:00"))
    assert _destroy(dead, t("2100-02-28T23:59:59+03:00"))[:2] == ("deny", "11/2")
    assert _destroy(dead, t("2100-02-28T20:59:59Z"))[:2] == ("deny", "11/2")
    assert _destroy(dead, t("2100-02-28T21:00:00Z"))[:2] == ("permit", "14/1")


def test_retention_years_are_policy_configuration_m6_4() -> None:
    dead = person("P1", died_at=t("2008-02-29T12:00:00+03:00"))
    policy = Policy(version=9, retention_after_death_years=21)  # 2029 is a common year
    f = lay("A1", dead, officer_roles=DPO)
    assert answer(
        request(actor="A1", action="destroy", at=t("2029-02-28T23:59:59+03:00")), f, policy
    ) == ("deny", "11/2")
    d = run(request(actor="A1", action="destroy", at=t("2029-03-01T00:00:00+03:00")), f, policy)
    assert (d.effect, d.basis, d.policy_version) == ("permit", "14/1", 9)


def test_death_recorded_after_the_request_does_not_bar_destruction_m14_1() -> None:
    dead = person("P1", died_at=t("2026-06-20T14:00:00+03:00"))
    assert _destroy(dead, t("2026-06-20T13:59:59+03:00"))[:2] == ("permit", "14/1")


def test_only_the_dpo_destroys_m6_1() -> None:
    f = lay("G1", officer_roles=(officer("gm_officer"),))
    assert answer(request(actor="G1", action="destroy"), f) == ("deny", "6/1")


def _transfer(
    recipient: Recipient | None,
    rec: RecordMeta = LAB_RESULT,
    actor_roles: tuple[OfficerRole, ...] = DPO,
    **kw: Any,
) -> tuple[str, str, str]:
    f = lay("A1", rec=rec, officer_roles=actor_roles, **kw)
    d = run(request(actor="A1", action="transfer", purpose=None, recipient=recipient), f)
    return d.effect, d.basis, d.reason_key


PUBLIC = Recipient("public_institution", protocol="PR1")


def test_transfer_to_a_public_institution_under_a_protocol_listing_the_category_m15_2() -> None:
    assert _transfer(PUBLIC, protocol=protocol()) == ("permit", "15/2", "transfer.protocol")


def test_transfer_under_a_protocol_not_listing_the_category_is_refused_m15_2() -> None:
    assert _transfer(PUBLIC, record(category="psychiatry"), protocol=protocol()) == (
        "deny",
        "15/2",
        "transfer.no_protocol",
    )


def test_transfer_under_an_unknown_protocol_is_refused_m15_2() -> None:
    assert _transfer(Recipient("public_institution", protocol="PR404"), protocol=None)[:2] == (
        "deny",
        "15/2",
    )


def test_transfer_to_a_public_institution_naming_no_protocol_is_refused_m15_2() -> None:
    # The engine must not lean on its caller loading no protocol when the request names none.
    assert _transfer(Recipient("public_institution"), protocol=protocol()) == (
        "deny",
        "15/2",
        "transfer.no_protocol",
    )


def test_transfer_naming_another_protocol_than_the_one_loaded_is_refused_m15_2() -> None:
    assert _transfer(Recipient("public_institution", protocol="PR9"), protocol=protocol())[:2] == (
        "deny",
        "15/2",
    )


def test_transfer_under_a_protocol_signed_later_is_refused_m15_2() -> None:
    later = protocol(signed_at=datetime(2026, 6, 1, tzinfo=TR))
    assert _transfer(PUBLIC, protocol=later)[:2] == ("deny", "15/2")


@pytest.mark.parametrize("kind", ["private", "foreign"])
def test_transfer_to_a_private_or_foreign_recipient_with_consent_m15_1(kind: str) -> None:
    consent = ((kind, since("2026-01-01T00:00:00+03:00")),)
    assert _transfer(Recipient(kind), transfer_consents=consent) == (
        "permit",
        "15/1",
        "transfer.consent",
    )


@pytest.mark.parametrize("kind", ["private", "foreign"])
def test_transfer_to_a_private_or_foreign_recipient_without_consent_is_refused_m15_1(
    kind: str,
) -> None:
    assert _transfer(Recipient(kind)) == ("deny", "15/1", "transfer.no_consent")


def test_consent_for_another_kind_of_recipient_does_not_count_m15_1() -> None:
    consent = (("private", since("2026-01-01T00:00:00+03:00")),)
    assert _transfer(Recipient("foreign"), transfer_consents=consent)[:2] == ("deny", "15/1")


def test_withdrawn_consent_does_not_count_m15_1() -> None:
    consent = (("private", since("2026-01-01T00:00:00+03:00", "2026-03-01T00:00:00+03:00")),)
    assert _transfer(Recipient("private"), transfer_consents=consent)[:2] == ("deny", "15/1")


def test_transfer_without_a_recipient_is_refused_m15_1() -> None:
    assert _transfer(None) == ("deny", "15/1", "transfer.no_recipient")


def test_transfer_by_an_officer_who_is_not_the_dpo_is_refused_m6_1() -> None:
    assert _transfer(PUBLIC, actor_roles=(officer("gm_officer"),), protocol=protocol())[:2] == (
        "deny",
        "6/1",
    )


def test_transfer_by_staff_is_refused_m6_1() -> None:
    f = facts(protocol=protocol())
    assert answer(request(action="transfer", recipient=PUBLIC), f) == ("deny", "6/1")


# Rule 10 — GM corrections.

GM = (officer("gm_officer"),)


def _gm_correct(**kw: Any) -> tuple[str, str, str]:
    f = lay("G1", officer_roles=GM, **kw)
    d = run(request(actor="G1", action="correct", purpose=None), f)
    return d.effect, d.basis, d.reason_key


def test_gm_officer_corrects_a_record_the_province_forwarded_m13_1() -> None:
    forwarded = correction_request(forwarded_at=t("2026-03-01T10:00:00+03:00"))
    assert _gm_correct(correction_requests=(forwarded,)) == (
        "permit",
        "13/1",
        "correction.forwarded",
    )


def test_gm_officer_cannot_correct_without_a_forwarded_request_m13_1() -> None:
    assert _gm_correct(correction_requests=(correction_request(forwarded_at=None),)) == (
        "deny",
        "13/1",
        "correction.not_forwarded",
    )


def test_request_forwarded_for_another_record_does_not_count_m13_1() -> None:
    other = correction_request("R2", forwarded_at=t("2026-03-01T10:00:00+03:00"))
    assert _gm_correct(correction_requests=(other,))[:2] == ("deny", "13/1")


def test_request_forwarded_after_the_correction_does_not_count_m13_1() -> None:
    later = correction_request(forwarded_at=t("2026-03-02T10:00:01+03:00"))
    assert _gm_correct(correction_requests=(later,))[:2] == ("deny", "13/1")


def test_province_officer_does_not_correct_m6_1() -> None:
    f = lay(
        "O1",
        officer_roles=(officer("province_officer", "06"),),
        correction_requests=(correction_request(forwarded_at=t("2026-03-01T10:00:00+03:00")),),
    )
    assert answer(request(actor="O1", action="correct"), f) == ("deny", "6/1")


# Rule 11 — the fallback.


def test_officer_reading_without_an_order_falls_to_m6_1() -> None:
    d = run(request(actor="A1"), lay("A1", officer_roles=DPO))
    assert (d.effect, d.basis, d.reason_key) == ("deny", "6/1", "fallback.no_rule")
    assert d.tried[-1] == "fallback"


def test_a_rule_that_answers_stops_the_search_and_fallback_is_not_tried_m13_1() -> None:
    forwarded = correction_request(forwarded_at=t("2026-03-01T10:00:00+03:00"))
    d = run(
        request(actor="G1", action="correct"),
        lay("G1", officer_roles=GM, correction_requests=(forwarded,)),
    )
    assert d.tried == (
        "software_gate",
        "concealment",
        "hidden_record",
        "reidentify",
        "dpo_analyze",
        "dpo_destroy",
        "dpo_transfer",
        "gm_correct",
    )
