"""Rule 2 — M12/1 court concealment orders; rule 2a — M6/2 hidden records; rule 3 — M5/6
the patient's own access."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from mahrem.domain.decision import Recipient
from mahrem.domain.engine import patient_gate
from mahrem.domain.facts import Facts
from tests.unit.factories import (
    NOW,
    NURSE,
    PHYSICIAN,
    POLICY,
    admission,
    answer,
    authorization,
    check_in,
    cutoff,
    facts,
    lay,
    officer,
    order,
    person,
    post,
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


# Rule 2's care path — M12 with M6/1: the episode under way keeps its records.

CHECKED_IN = t("2026-03-02T09:00:00+03:00")
EPISODE_RECORD = record(facility="F1", author="D1", created_at=t("2026-03-02T09:30:00+03:00"))


def _concealed_in_care(**kw: object) -> Facts:
    kw.setdefault("rec", EPISODE_RECORD)
    kw.setdefault("episodes", (check_in(CHECKED_IN),))
    return facts(concealments=(order("O1"),), **kw)  # type: ignore[arg-type]


def test_staff_in_current_care_read_the_episodes_record_under_concealment_m12_m6_1() -> None:
    d = run(request(), _concealed_in_care())
    assert (d.effect, d.basis, d.reason_key) == ("permit", "6/1", "staff.current_care")
    assert d.tried[:4] == ("software_gate", "concealment", "hidden_record", "staff_read")


def test_a_nurse_of_the_facility_reads_the_episodes_record_under_concealment_m12_m6_1() -> None:
    assert answer(request(actor="N1"), _concealed_in_care(staff_posts=(NURSE,))) == (
        "permit",
        "6/1",
    )


def test_the_care_path_still_needs_a_care_purpose_m12_m6_1() -> None:
    d = run(request(purpose="insurance"), _concealed_in_care())
    assert (d.effect, d.basis, d.reason_key) == ("deny", "6/1", "staff.purpose_not_care")


def test_the_care_path_ends_at_the_check_ins_24th_hour_m12_m6_1() -> None:
    last = t("2026-03-03T08:59:59+03:00")
    end = t("2026-03-03T09:00:00+03:00")
    assert answer(request(at=last), _concealed_in_care()) == ("permit", "6/1")
    assert answer(request(at=end), _concealed_in_care()) == ("deny", "12/1")


def test_the_care_path_ends_at_discharge_m12_m6_1() -> None:
    discharged = t("2026-03-02T11:00:00+03:00")
    episode = admission(CHECKED_IN, discharged=discharged)
    assert answer(request(), _concealed_in_care(episodes=(episode,))) == ("permit", "6/1")
    assert answer(request(at=discharged), _concealed_in_care(episodes=(episode,))) == (
        "deny",
        "12/1",
    )


def test_a_record_made_before_the_episode_stays_concealed_m12_1() -> None:
    older = record(facility="F1", created_at=t("2026-03-02T08:59:59+03:00"))
    d = run(request(), _concealed_in_care(rec=older))
    assert (d.effect, d.basis, d.reason_key) == ("deny", "12/1", "concealment.order_active")


def test_another_facilitys_record_stays_concealed_from_the_care_team_m12_1() -> None:
    assert answer(
        request(),
        _concealed_in_care(rec=record(facility="F3", created_at=EPISODE_RECORD.created_at)),
    ) == ("deny", "12/1")


def test_a_post_at_two_facilities_opens_only_the_episodes_facility_m12_m6_1() -> None:
    posts = (post("F1"), post("F2"))
    at_f2 = record(facility="F2", created_at=EPISODE_RECORD.created_at)
    episode_f2 = (check_in(CHECKED_IN, facility="F2"),)
    assert answer(
        request(), _concealed_in_care(staff_posts=posts, rec=at_f2, episodes=episode_f2)
    ) == ("permit", "6/1")
    assert answer(request(), _concealed_in_care(staff_posts=posts, episodes=episode_f2)) == (
        "deny",
        "12/1",
    )


def test_staff_of_another_facility_are_refused_under_concealment_m12_1() -> None:
    assert answer(request(), _concealed_in_care(staff_posts=(post("F3"),))) == ("deny", "12/1")


def test_an_officer_who_is_also_staff_takes_the_care_path_only_as_staff_m12_1() -> None:
    f = _concealed_in_care(officer_roles=(officer("province_officer", "06"),))
    assert answer(request(), f) == ("deny", "12/1")
    assert answer(request(capacity="staff"), f) == ("permit", "6/1")


def test_the_care_path_corrects_the_episodes_record_by_rule_4a_m12_m13_3() -> None:
    f = _concealed_in_care(cutoffs=(cutoff(date(2026, 1, 1)),))
    assert answer(request(action="correct", purpose=None), f) == ("permit", "13/3")


@pytest.mark.parametrize("action", ["export", "analyze", "destroy", "transfer"])
def test_the_care_path_is_for_reading_and_correcting_only_m12_1(action: str) -> None:
    req = request(action=action, recipient=Recipient("private"))
    assert answer(req, _concealed_in_care())[0] == "deny"


def test_a_record_the_patient_hid_stays_hidden_from_the_care_path_m6_2() -> None:
    d = run(request(), _concealed_in_care(record_hidden=(since(CHECKED_IN),)))
    assert (d.effect, d.basis) == ("deny", "6/2")


def test_the_care_path_holds_for_the_patient_as_a_whole_while_the_episode_is_open_m12() -> None:
    whole = request(record=None)
    assert patient_gate(whole, _concealed_in_care(rec=None), POLICY) is None
    after = request(record=None, at=t("2026-03-03T09:00:00+03:00"))
    verdict = patient_gate(after, _concealed_in_care(rec=None), POLICY)
    assert verdict is not None and verdict.basis == "12/1"


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


YOUNG = person("P1", born=date(2016, 3, 3))  # 9 at NOW, under the discernment age
LINKED = (since("2016-03-03T00:00:00+03:00"),)


def test_a_young_childs_hiding_does_not_bind_its_parent_m8_1() -> None:
    d = run(
        request(actor="M1", purpose=None),
        lay("M1", YOUNG, record_hidden=HIDDEN, parent_links=LINKED),
    )
    assert (d.effect, d.basis, d.capacity) == ("permit", "8/1", "parent")


def test_a_childs_hiding_binds_its_parent_from_the_15th_birthday_in_istanbul_m8_1() -> None:
    child = person("P1", born=date(2011, 3, 2))
    f = lay("M1", child, record_hidden=HIDDEN, parent_links=LINKED)
    assert answer(request(actor="M1", at=t("2026-03-01T23:59:00+03:00")), f) == ("permit", "8/1")
    assert answer(request(actor="M1", at=t("2026-03-02T00:00:00+03:00")), f) == ("deny", "6/2")


def test_a_deceased_young_childs_hiding_binds_its_parent_and_heirs_m11_1() -> None:
    dead = person("P1", born=date(2016, 3, 3), died_at=t("2026-02-20T10:00:00+03:00"))
    f = lay("M1", dead, record_hidden=HIDDEN, parent_links=LINKED)
    assert answer(request(actor="M1"), f) == ("deny", "6/2")
    heir = replace(f, heir_of_patient=(t("2026-02-25T10:00:00+03:00"),))
    assert answer(request(actor="M1"), heir) == ("deny", "6/2")


def test_a_young_childs_hiding_still_binds_the_parent_in_another_capacity_m6_2() -> None:
    f = facts(
        "M1",
        YOUNG,
        record_hidden=HIDDEN,
        parent_links=LINKED,
        family_doctor=(("M1", since("2020-01-01T00:00:00+03:00")),),
    )
    assert answer(request(actor="M1"), f) == ("deny", "6/2")


def test_a_young_childs_hiding_binds_everyone_but_its_parents_m6_2() -> None:
    f = lay("K1", YOUNG, record_hidden=HIDDEN, relative_authorizations=(authorization(),))
    assert answer(request(actor="K1", capacity="parent"), f) == ("deny", "6/2")


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
