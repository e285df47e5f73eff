"""Rule 2 — M12/1 court concealment orders; rule 2a — M6/2 hidden records; rule 3 — M5/6
the patient's own access."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from mahrem.domain.decision import Recipient
from mahrem.domain.facts import Facts
from tests.unit.factories import (
    NOW,
    PHYSICIAN,
    answer,
    authorization,
    check_in,
    cutoff,
    facts,
    lay,
    officer,
    order,
    record,
    request,
    run,
    since,
    t,
)

NAMED_OFFICER = officer("province_officer", province="06")


def test_patient_under_concealment_goes_on_to_read_own_record_m12_1() -> None:
    d = run(request(actor="P1"), facts("P1", concealments=(order("O1"),)))
    assert (d.effect, d.basis) == ("permit", "5/6")
    assert d.tried[:3] == ("software_gate", "concealment", "hidden_record")


def test_named_officer_reads_a_concealed_patients_record_m12_1() -> None:
    f = facts("O1", concealments=(order("O1"),), officer_roles=(NAMED_OFFICER,), staff_posts=())
    d = run(request(actor="O1", purpose="legal"), f)
    assert (d.effect, d.basis, d.reason_key) == ("permit", "12/1", "concealment.named_officer")


def test_named_officer_cannot_read_a_record_the_patient_hid_m6_2() -> None:
    f = facts(
        "O1",
        concealments=(order("O1"),),
        officer_roles=(NAMED_OFFICER,),
        staff_posts=(),
        record_hidden=(since("2026-01-01T00:00:00+03:00"),),
    )
    d = run(request(actor="O1"), f)
    assert (d.effect, d.basis, d.reason_key) == ("deny", "6/2", "preferences.record_hidden")


def test_named_officer_reads_a_record_again_once_it_is_unhidden_m12_1() -> None:
    f = facts(
        "O1",
        concealments=(order("O1"),),
        officer_roles=(NAMED_OFFICER,),
        staff_posts=(),
        record_hidden=(since("2026-01-01T00:00:00+03:00", "2026-02-01T00:00:00+03:00"),),
    )
    assert answer(request(actor="O1"), f) == ("permit", "12/1")


@pytest.mark.parametrize("action", ["correct", "destroy", "transfer", "reidentify"])
def test_named_officer_may_only_read_under_concealment_m12_1(action: str) -> None:
    f = facts("O1", concealments=(order("O1"),), officer_roles=(officer("dpo"),), staff_posts=())
    req = request(actor="O1", action=action, recipient=Recipient("private"))
    assert answer(req, f) == ("deny", "12/1")


def test_named_person_without_an_officer_role_is_refused_m12_1() -> None:
    assert answer(request(actor="K1"), lay(concealments=(order("K1"),))) == ("deny", "12/1")


def test_officer_not_named_in_the_order_is_refused_m12_1() -> None:
    f = facts("O2", concealments=(order("O1"),), officer_roles=(NAMED_OFFICER,), staff_posts=())
    assert answer(request(actor="O2"), f) == ("deny", "12/1")


def test_staff_in_current_care_are_refused_under_concealment_m12_1() -> None:
    rec = record(facility="F1", created_at=t("2026-03-02T09:30:00+03:00"))
    f = facts(
        rec=rec, concealments=(order("O1"),), episodes=(check_in(t("2026-03-02T09:00:00+03:00")),)
    )
    d = run(request(), f)
    assert (d.effect, d.basis, d.reason_key) == ("deny", "12/1", "concealment.order_active")


@pytest.mark.parametrize(
    "actor_facts",
    [
        lay("K1", relative_authorizations=(authorization(),)),
        lay("M1", parent_links=(since("2000-01-01T00:00:00+03:00"),)),
        facts("D1", family_doctor=(("D1", since("2020-01-01T00:00:00+03:00")),)),
    ],
    ids=["relative", "parent", "family_doctor"],
)
def test_nobody_else_comes_near_a_concealed_patients_data_m12_1(actor_facts: Facts) -> None:
    f = replace(actor_facts, concealments=(order("O1"),))
    assert answer(request(actor=f.actor.id), f) == ("deny", "12/1")


def test_lifted_order_no_longer_refuses_m12_1() -> None:
    lifted = t("2026-03-01T12:00:00+03:00")
    f = facts(
        concealments=(order("O1", span=since("2026-01-01T00:00:00+03:00", lifted)),),
        family_doctor=(("D1", since("2020-01-01T00:00:00+03:00")),),
    )
    assert answer(request(), f) == ("permit", "6/3-a")
    assert answer(request(at=t("2026-03-01T11:59:59+03:00")), f) == ("deny", "12/1")


def test_order_not_yet_in_force_does_not_refuse_m12_1() -> None:
    f = facts(
        concealments=(order("O1", span=since(NOW)),),
        family_doctor=(("D1", since("2020-01-01T00:00:00+03:00")),),
    )
    assert answer(request(at=t("2026-03-02T09:59:59+03:00")), f) == ("permit", "6/3-a")
    assert answer(request(at=NOW), f) == ("deny", "12/1")


def test_lifting_ends_every_order_of_the_patient_m12_1() -> None:
    lifted = t("2026-03-01T12:00:00+03:00")
    orders = (
        order("O1", span=since("2026-01-01T00:00:00+03:00", lifted)),
        order("O2", span=since("2026-02-01T00:00:00+03:00", lifted)),
    )
    f = facts(concealments=orders, family_doctor=(("D1", since("2020-01-01T00:00:00+03:00")),))
    assert answer(request(), f) == ("permit", "6/3-a")


# Rule 2a — hidden records.

HIDDEN = (since("2026-02-01T00:00:00+03:00"),)


def test_family_doctor_cannot_read_a_hidden_record_m6_2() -> None:
    f = facts(record_hidden=HIDDEN, family_doctor=(("D1", since("2020-01-01T00:00:00+03:00")),))
    d = run(request(), f)
    assert (d.effect, d.basis, d.reason_key) == ("deny", "6/2", "preferences.record_hidden")
    assert d.tried == ("software_gate", "concealment", "hidden_record")


def test_current_care_staff_cannot_read_a_hidden_record_m6_2() -> None:
    rec = record(facility="F1", created_at=t("2026-03-02T09:30:00+03:00"))
    f = facts(rec=rec, record_hidden=HIDDEN, episodes=(check_in(t("2026-03-02T09:00:00+03:00")),))
    assert answer(request(), f) == ("deny", "6/2")


def test_authorised_relative_cannot_read_a_hidden_record_m6_2() -> None:
    f = lay("K1", record_hidden=HIDDEN, relative_authorizations=(authorization(),))
    assert answer(request(actor="K1", purpose=None), f) == ("deny", "6/2")


def test_patient_reads_own_hidden_record_m5_6() -> None:
    d = run(request(actor="P1", purpose=None), facts("P1", record_hidden=HIDDEN))
    assert (d.effect, d.basis, d.reason_key, d.capacity) == (
        "permit",
        "5/6",
        "self.own_records",
        "self",
    )


def test_unhidden_record_is_readable_again_m6_2() -> None:
    f = facts(
        record_hidden=(since("2026-02-01T00:00:00+03:00", "2026-03-01T00:00:00+03:00"),),
        family_doctor=(("D1", since("2020-01-01T00:00:00+03:00")),),
    )
    assert answer(request(), f) == ("permit", "6/3-a")
    assert answer(request(at=t("2026-02-28T23:59:59+03:00")), f) == ("deny", "6/2")


def test_hiding_binds_reads_only_so_the_facility_still_corrects_m13_3() -> None:
    f = facts(
        rec=record(facility="F1", created_at=t("2026-02-10T10:00:00+03:00")),
        record_hidden=HIDDEN,
        cutoffs=(cutoff(date(2026, 1, 1)),),
    )
    assert answer(request(action="correct", purpose=None), f) == ("permit", "13/3")


# Rule 3 — self.


def test_patient_reads_own_record_through_the_portal_m5_6() -> None:
    assert answer(request(actor="P1", purpose=None), facts("P1")) == ("permit", "5/6")


def test_patient_who_is_also_a_physician_is_taken_as_self_m5_6() -> None:
    d = run(request(actor="P1"), facts("P1", staff_posts=(PHYSICIAN,)))
    assert (d.capacity, d.basis) == ("self", "5/6")


@pytest.mark.parametrize("action", ["correct", "destroy", "reidentify"])
def test_patient_has_no_other_action_on_own_record_than_reading_m6_1(action: str) -> None:
    d = run(request(actor="P1", action=action), facts("P1"))
    assert (d.effect, d.basis, d.reason_key) == ("deny", "6/1", "fallback.no_rule")
    assert d.tried[-1] == "fallback"
