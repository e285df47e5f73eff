"""Rule 1 — the KTS letter: registered software only (KTS/3), no export (KTS/2), analysis only
with the provincial directorate's written opinion (KTS/2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from tests.unit.factories import (
    NOW,
    TR,
    answer,
    check_in,
    facts,
    installation,
    officer,
    opinion,
    record,
    request,
    run,
    since,
    t,
)


def test_unknown_installation_is_refused_not_an_input_error_kts_3() -> None:
    d = run(request(via="S404"), facts(installation=None))
    assert (d.effect, d.basis, d.reason_key) == ("deny", "KTS/3", "kts.installation_unknown")


@pytest.mark.parametrize("status", ["unregistered", "suspended", "revoked", "passive", "deleted"])
def test_software_not_registered_is_refused_whatever_its_status_kts_3(status: str) -> None:
    f = facts(installation=installation(status=status))
    d = run(request(via="S1"), f)
    assert (d.effect, d.basis, d.reason_key) == ("deny", "KTS/3", "kts.installation_not_registered")


def test_registered_software_lets_the_request_go_on_to_the_staff_rules_kts_3() -> None:
    rec = record(facility="F1", created_at=t("2026-03-02T09:30:00+03:00"))
    f = facts(
        rec=rec, installation=installation(), episodes=(check_in(t("2026-03-02T09:00:00+03:00")),)
    )
    assert answer(request(via="S1"), f) == ("permit", "6/1")


def test_registration_is_judged_at_the_request_time_kts_3() -> None:
    suspended_from = t("2026-03-02T09:00:00+03:00")
    inst = installation()
    inst = type(inst)(
        inst.id,
        inst.facility,
        (
            ("registered", since("2025-01-01T00:00:00+03:00", suspended_from)),
            ("suspended", since(suspended_from)),
        ),
    )
    f = facts(installation=inst)
    assert answer(request(via="S1", at=suspended_from), f) == ("deny", "KTS/3")
    before = answer(request(via="S1", at=t("2026-03-02T08:59:59+03:00")), f)
    assert before[1] != "KTS/3"


def test_export_through_registered_software_is_banned_kts_2() -> None:
    f = facts(installation=installation())
    d = run(request(action="export", via="S1"), f)
    assert (d.effect, d.basis, d.reason_key) == ("deny", "KTS/2", "kts.export_banned")


def test_export_without_software_is_banned_too_kts_2() -> None:
    assert answer(request(action="export", via=None), facts()) == ("deny", "KTS/2")


def test_export_by_the_patient_is_banned_kts_2() -> None:
    assert answer(request(actor="P1", action="export"), facts("P1")) == ("deny", "KTS/2")


def test_unknown_software_is_refused_before_the_export_ban_kts_3() -> None:
    assert answer(request(action="export", via="S404"), facts(installation=None)) == (
        "deny",
        "KTS/3",
    )


def _analysis(**kw: Any) -> tuple[str, str]:
    f = facts(
        installation=installation(),
        opinions=(opinion(**kw),),
        officer_roles=(officer("dpo"),),
        staff_posts=(),
    )
    return answer(
        request(actor="A1", action="analyze", record=None, purpose="planning", via="S1"), f
    )


def test_analysis_with_an_opinion_in_force_goes_on_to_the_dpo_kts_2() -> None:
    assert _analysis() == ("permit", "KTS/2")


def test_analysis_without_software_is_refused_even_with_an_opinion_kts_2() -> None:
    f = facts(
        installation=None, opinions=(opinion(),), officer_roles=(officer("dpo"),), staff_posts=()
    )
    d = run(request(actor="A1", action="analyze", record=None, purpose="planning", via=None), f)
    assert (d.effect, d.basis, d.reason_key) == ("deny", "KTS/2", "kts.no_written_opinion")


def test_analysis_without_via_is_refused_even_if_the_facts_hold_an_installation_kts_2() -> None:
    # The engine must not rely on its caller to load no installation for a portal request.
    f = facts(
        installation=installation(),
        opinions=(opinion(),),
        officer_roles=(officer("dpo"),),
        staff_posts=(),
    )
    d = run(request(actor="A1", action="analyze", record=None, purpose="planning", via=None), f)
    assert (d.effect, d.basis, d.reason_key) == ("deny", "KTS/2", "kts.no_written_opinion")


def test_analysis_without_any_opinion_is_refused_kts_2() -> None:
    f = facts(installation=installation(), officer_roles=(officer("dpo"),), staff_posts=())
    d = run(request(actor="A1", action="analyze", record=None, purpose="planning", via="S1"), f)
    assert (d.effect, d.basis, d.reason_key) == ("deny", "KTS/2", "kts.no_written_opinion")


def test_opinion_for_another_installation_does_not_open_analysis_kts_2() -> None:
    assert _analysis(installation_id="S2") == ("deny", "KTS/2")


def test_opinion_for_another_facility_does_not_open_analysis_kts_2() -> None:
    assert _analysis(facility="F2") == ("deny", "KTS/2")


def test_opinion_for_another_purpose_does_not_open_analysis_kts_2() -> None:
    assert _analysis(purpose="financing") == ("deny", "KTS/2")


def test_opinion_not_yet_issued_does_not_open_analysis_kts_2() -> None:
    assert _analysis(issued_at=NOW) == ("permit", "KTS/2")
    assert _analysis(issued_at=datetime(2026, 3, 2, 10, 0, 1, tzinfo=TR)) == ("deny", "KTS/2")


def _analysis_at(at: datetime, **kw: Any) -> tuple[str, str]:
    f = facts(
        installation=installation(),
        opinions=(opinion(**kw),),
        officer_roles=(officer("dpo"),),
        staff_posts=(),
    )
    return answer(
        request(actor="A1", action="analyze", record=None, purpose="planning", via="S1", at=at), f
    )


def test_opinion_holds_until_the_last_minute_of_its_valid_until_day_in_istanbul_kts_2() -> None:
    # 31 March 2026, 23:59 Istanbul is 20:59 UTC.
    assert _analysis_at(t("2026-03-31T20:59:00Z"), valid_until=date(2026, 3, 31)) == (
        "permit",
        "KTS/2",
    )
    assert _analysis_at(t("2026-03-31T20:59:59Z"), valid_until=date(2026, 3, 31)) == (
        "permit",
        "KTS/2",
    )


def test_opinion_has_expired_at_midnight_after_its_valid_until_day_in_istanbul_kts_2() -> None:
    # 1 April 2026, 00:00 Istanbul is 31 March 21:00 UTC: still 31 March in UTC, yet expired.
    assert _analysis_at(t("2026-03-31T21:00:00Z"), valid_until=date(2026, 3, 31)) == (
        "deny",
        "KTS/2",
    )
    assert _analysis_at(t("2026-04-01T00:00:00+03:00"), valid_until=date(2026, 3, 31)) == (
        "deny",
        "KTS/2",
    )


def test_revoked_opinion_stops_analysis_from_its_revocation_kts_2() -> None:
    revoked = t("2026-03-02T09:00:00+03:00")
    assert _analysis_at(revoked, revoked_at=revoked) == ("deny", "KTS/2")
    assert _analysis_at(t("2026-03-02T08:59:59+03:00"), revoked_at=revoked) == ("permit", "KTS/2")


def test_one_fitting_opinion_among_others_is_enough_kts_2() -> None:
    f = facts(
        installation=installation(),
        opinions=(opinion(purpose="financing"), opinion(facility="F2"), opinion()),
        officer_roles=(officer("dpo"),),
        staff_posts=(),
    )
    assert answer(
        request(actor="A1", action="analyze", record=None, purpose="planning", via="S1"), f
    ) == ("permit", "KTS/2")


def test_software_gate_is_tried_first_and_answers_for_the_patient_too_kts_3() -> None:
    d = run(request(actor="P1", via="S1"), facts("P1", installation=installation(status="revoked")))
    assert (d.effect, d.basis) == ("deny", "KTS/3")
    assert d.tried == ("software_gate",)
