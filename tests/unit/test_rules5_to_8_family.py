"""Rules 5–8 — parents (M8), relatives (M9), lawyers (M10) and heirs (M11/1)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from mahrem.domain.facts import Person, RecordMeta
from tests.unit.factories import (
    LAB_RESULT,
    NOW,
    TR,
    answer,
    authorization,
    custody,
    lay,
    person,
    power,
    record,
    request,
    run,
    since,
    t,
)

CHILD = person("P1", born=date(2011, 6, 15))
LINKED = (since("2011-06-15T00:00:00+03:00"),)


def _parent(rec: RecordMeta = LAB_RESULT, at: datetime = NOW, **kw: Any) -> tuple[str, str, str]:
    kw.setdefault("parent_links", LINKED)
    d = run(request(actor="M1", purpose=None, at=at), lay("M1", CHILD, rec, **kw))
    return d.effect, d.basis, d.reason_key


# Rule 5 — parents.


def test_parent_reads_a_minor_childs_record_m8_1() -> None:
    assert _parent() == ("permit", "8/1", "parent.custody")


def test_parent_link_that_has_ended_gives_no_access_m8_1() -> None:
    ended = (since("2011-06-15T00:00:00+03:00", "2020-01-01T00:00:00+03:00"),)
    d = run(request(actor="M1", capacity="parent"), lay("M1", CHILD, parent_links=ended))
    assert (d.effect, d.basis, d.reason_key) == ("deny", "8/1", "parent.no_link")


def test_parent_reads_until_the_last_second_before_the_18th_birthday_in_istanbul_m8_1() -> None:
    # 15 June 2029 00:00 Istanbul is 14 June 2029 21:00 UTC.
    assert _parent(at=t("2029-06-14T20:59:59Z"))[:2] == ("permit", "8/1")


def test_child_is_18_from_the_first_minute_of_the_birthday_in_istanbul_m8_1() -> None:
    assert _parent(at=t("2029-06-14T21:00:00Z")) == ("deny", "8/1", "parent.child_adult")


def test_child_born_on_29_february_comes_of_age_on_1_march_in_a_common_year_m8_1() -> None:
    leapling = person("P1", born=date(2008, 2, 29))
    f = lay("M1", leapling, parent_links=LINKED)
    assert answer(request(actor="M1", at=t("2026-02-28T23:59:59+03:00")), f) == ("permit", "8/1")
    assert answer(request(actor="M1", at=t("2026-02-28T21:00:00Z")), f) == ("deny", "8/1")


def test_child_who_restricted_parental_access_is_closed_to_the_parent_m8_1() -> None:
    restricted = (since("2027-01-01T00:00:00+03:00"),)
    assert _parent(parental_restrictions=restricted, at=t("2027-02-01T10:00:00+03:00")) == (
        "deny",
        "8/1",
        "parent.restricted_by_child",
    )


def test_child_who_restricted_parents_may_grant_this_parent_m8_1() -> None:
    restricted = (since("2027-01-01T00:00:00+03:00"),)
    granted = (since("2027-01-10T00:00:00+03:00"),)
    assert _parent(
        parental_restrictions=restricted, parental_grants=granted, at=t("2027-02-01T10:00:00+03:00")
    )[:2] == ("permit", "8/1")


def test_lifted_parental_restriction_opens_again_m8_1() -> None:
    restricted = (since("2027-01-01T00:00:00+03:00", "2027-01-20T00:00:00+03:00"),)
    assert _parent(parental_restrictions=restricted, at=t("2027-02-01T10:00:00+03:00"))[:2] == (
        "permit",
        "8/1",
    )


def test_parent_without_custody_sees_unrestricted_data_m8_2() -> None:
    assert _parent(custody=(custody("M2"),)) == ("permit", "8/2", "parent.no_custody")


@pytest.mark.parametrize(
    "category", ["psychiatry", "sexual_health", "hiv", "genetics", "substance_use", "reproductive"]
)
def test_parent_without_custody_is_refused_restricted_categories_m8_2(category: str) -> None:
    assert _parent(record(category=category), custody=(custody("M2"),)) == (
        "deny",
        "8/2",
        "parent.no_custody_restricted",
    )


def test_parent_with_custody_sees_restricted_categories_m8_1() -> None:
    assert _parent(record(category="psychiatry"), custody=(custody("M1"),))[:2] == ("permit", "8/1")


def test_adulthood_is_answered_before_custody_m8_1() -> None:
    assert _parent(custody=(custody("M2"),), at=t("2030-01-01T10:00:00+03:00"))[:2] == (
        "deny",
        "8/1",
    )


def test_restriction_is_answered_before_custody_m8_1() -> None:
    assert _parent(
        custody=(custody("M2"),),
        parental_restrictions=(since("2027-01-01T00:00:00+03:00"),),
        at=t("2027-02-01T10:00:00+03:00"),
    )[:2] == ("deny", "8/1")


def test_parent_has_no_rule_for_other_actions_m6_1() -> None:
    f = lay("M1", CHILD, parent_links=LINKED)
    assert answer(request(actor="M1", action="correct"), f) == ("deny", "6/1")


# Rule 6 — relatives.


def _relative(
    rec: RecordMeta = LAB_RESULT, patient: Person | None = None, at: datetime = NOW, **kw: Any
) -> tuple[str, str]:
    f = lay("K1", patient or person("P1"), rec, **kw)
    return answer(request(actor="K1", purpose=None, at=at), f)


def test_authorised_relative_reads_any_unrestricted_category_when_none_is_named_m9_1() -> None:
    assert _relative(relative_authorizations=(authorization(),)) == ("permit", "9/1")


def test_authorisation_without_categories_does_not_cover_restricted_ones_m9_1() -> None:
    assert _relative(record(category="hiv"), relative_authorizations=(authorization(),)) == (
        "deny",
        "9/1",
    )


def test_restricted_category_must_be_named_to_be_covered_m9_1() -> None:
    named = authorization(categories=("laboratory", "hiv"))
    assert _relative(record(category="hiv"), relative_authorizations=(named,)) == ("permit", "9/1")


def test_category_not_named_is_not_covered_m9_1() -> None:
    named = authorization(categories=("imaging",))
    assert _relative(relative_authorizations=(named,)) == ("deny", "9/1")


def test_authorisation_holds_through_its_until_day_in_istanbul_m9_1() -> None:
    auth = authorization(until=date(2026, 3, 2))
    assert _relative(relative_authorizations=(auth,), at=t("2026-03-02T20:59:59Z")) == (
        "permit",
        "9/1",
    )
    assert _relative(relative_authorizations=(auth,), at=t("2026-03-02T21:00:00Z")) == (
        "deny",
        "9/1",
    )


def test_revoked_authorisation_opens_nothing_m9_1() -> None:
    revoked = authorization(span=since("2025-01-01T00:00:00+03:00", "2026-03-01T00:00:00+03:00"))
    assert _relative(relative_authorizations=(revoked,)) == ("deny", "9/1")


def test_authorisation_ends_with_the_patients_death_m9_1() -> None:
    dead = person("P1", died_at=t("2026-03-01T08:00:00+03:00"))
    assert _relative(patient=dead, relative_authorizations=(authorization(),)) == ("deny", "9/1")
    assert _relative(
        patient=dead, relative_authorizations=(authorization(),), at=t("2026-03-01T07:59:59+03:00")
    ) == ("permit", "9/1")


def test_replacing_authorisation_is_the_one_in_force_m9_1() -> None:
    replaced = t("2026-02-01T00:00:00+03:00")
    history = (
        authorization(
            categories=("laboratory",), span=since("2025-01-01T00:00:00+03:00", replaced)
        ),
        authorization(categories=("imaging",), span=since(replaced)),
    )
    assert _relative(relative_authorizations=history) == ("deny", "9/1")


# Rule 7 — lawyers.


def _lawyer(patient: Person | None = None, at: datetime = NOW, **kw: Any) -> tuple[str, str]:
    f = lay("L1", patient or person("P1"), **kw)
    return answer(request(actor="L1", purpose="legal", at=at), f)


def test_lawyer_with_a_special_power_and_the_consent_clause_reads_m10_1() -> None:
    assert _lawyer(powers_of_attorney=(power(),)) == ("permit", "10/1")


def test_lawyer_with_a_general_power_is_refused_m10_1() -> None:
    assert _lawyer(powers_of_attorney=(power(kind="general"),)) == ("deny", "10/1")


def test_lawyer_with_a_special_power_without_the_consent_clause_is_refused_m10_1() -> None:
    assert _lawyer(powers_of_attorney=(power(consent=False),)) == ("deny", "10/1")


def test_power_holds_through_its_valid_until_day_in_istanbul_m10_1() -> None:
    p = power(valid_until=date(2026, 3, 2))
    assert _lawyer(powers_of_attorney=(p,), at=t("2026-03-02T20:59:59Z")) == ("permit", "10/1")
    assert _lawyer(powers_of_attorney=(p,), at=t("2026-03-02T21:00:00Z")) == ("deny", "10/1")


def test_revoked_power_is_refused_m10_1() -> None:
    p = power(span=since("2025-01-01T00:00:00+03:00", "2026-03-01T00:00:00+03:00"))
    assert _lawyer(powers_of_attorney=(p,)) == ("deny", "10/1")


def test_lawyer_of_a_deceased_client_is_refused_m10_1() -> None:
    dead = person("P1", died_at=t("2026-03-01T08:00:00+03:00"))
    assert _lawyer(dead, powers_of_attorney=(power(),)) == ("deny", "10/1")


def test_one_valid_power_among_invalid_ones_is_enough_m10_1() -> None:
    assert _lawyer(powers_of_attorney=(power(kind="general"), power(consent=False), power())) == (
        "permit",
        "10/1",
    )


# Rule 8 — heirs.

DIED = datetime(2026, 1, 10, 8, 0, tzinfo=TR)


def test_heir_named_in_the_certificate_reads_the_deceaseds_record_m11_1() -> None:
    f = lay("H1", person("P1", died_at=DIED), heir_of_patient=(datetime(2026, 2, 1, tzinfo=TR),))
    d = run(request(actor="H1", purpose=None), f)
    assert (d.effect, d.basis, d.reason_key, d.capacity) == (
        "permit",
        "11/1",
        "heir.certificate",
        "heir",
    )


def test_heir_reads_only_from_the_certificate_on_m11_1() -> None:
    issued = t("2026-03-02T10:00:01+03:00")
    f = lay("H1", person("P1", died_at=DIED), heir_of_patient=(issued,))
    assert answer(request(actor="H1", capacity="heir"), f) == ("deny", "11/1")


def test_person_not_named_as_heir_is_refused_m11_1() -> None:
    f = lay("K1", person("P1", died_at=DIED))
    d = run(request(actor="K1", capacity="heir"), f)
    assert (d.effect, d.basis, d.reason_key) == ("deny", "11/1", "heir.not_named")
