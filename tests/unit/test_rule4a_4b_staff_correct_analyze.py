"""Rule 4a — M13/3 corrections by the facility that created the record, from GM's cut-off
date; rule 4b — KTS/2 analyses by staff of the installation's facility."""

from __future__ import annotations

from datetime import date
from typing import Any

from mahrem.domain.facts import RecordMeta
from tests.unit.factories import (
    NURSE,
    answer,
    cutoff,
    facts,
    installation,
    opinion,
    post,
    record,
    request,
    run,
    since,
    t,
)

CUTOFF_DAY = date(2026, 1, 1)
AT_F1 = record(facility="F1", created_at=t("2026-02-10T10:00:00+03:00"))


def _correct(rec: RecordMeta = AT_F1, **kw: Any) -> tuple[str, str, str]:
    kw.setdefault("cutoffs", (cutoff(CUTOFF_DAY),))
    f = facts(rec=rec, **kw)
    d = run(request(action="correct", purpose=None), f)
    return d.effect, d.basis, d.reason_key


def test_correction_is_refused_while_no_cutoff_is_set_m13_3() -> None:
    assert _correct(cutoffs=()) == ("deny", "13/3", "correction.no_cutoff")


def test_cutoff_set_after_the_request_does_not_count_m13_3() -> None:
    assert _correct(cutoffs=(cutoff(CUTOFF_DAY, span=since("2026-03-02T10:00:01+03:00")),)) == (
        "deny",
        "13/3",
        "correction.no_cutoff",
    )


def test_facility_corrects_a_record_created_after_the_cutoff_day_m13_3() -> None:
    assert _correct() == ("permit", "13/3", "correction.facility")


def test_facility_corrects_a_record_created_on_the_cutoff_day_itself_m13_3() -> None:
    assert _correct(record(facility="F1", created_at=t("2026-01-01T15:00:00+03:00")))[:2] == (
        "permit",
        "13/3",
    )


def test_first_minute_of_the_cutoff_day_in_istanbul_is_on_the_cutoff_day_m13_3() -> None:
    # 1 January 2026 00:00 Istanbul is 31 December 2025 21:00 UTC.
    assert _correct(record(facility="F1", created_at=t("2025-12-31T21:00:00Z")))[:2] == (
        "permit",
        "13/3",
    )


def test_last_second_before_the_cutoff_day_in_istanbul_is_before_it_m13_3() -> None:
    assert _correct(record(facility="F1", created_at=t("2025-12-31T20:59:59Z"))) == (
        "deny",
        "13/3",
        "correction.before_cutoff",
    )


def test_record_created_before_the_cutoff_day_is_left_to_the_general_directorate_m13_3() -> None:
    assert _correct(record(facility="F1", created_at=t("2025-06-01T10:00:00+03:00")))[:2] == (
        "deny",
        "13/3",
    )


def test_staff_of_another_facility_cannot_correct_m13_3() -> None:
    assert _correct(staff_posts=(post(facility="F2"),)) == (
        "deny",
        "13/3",
        "correction.not_record_facility",
    )


def test_any_staff_of_the_record_facility_corrects_not_only_physicians_m13_3() -> None:
    assert _correct(actor="N1", staff_posts=(NURSE,))[:2] == ("permit", "13/3")


def test_latest_cutoff_in_force_is_the_one_used_m13_3() -> None:
    moved = t("2026-02-01T00:00:00+03:00")
    history = (
        cutoff(date(2025, 1, 1), span=since("2024-06-01T00:00:00+03:00", moved)),
        cutoff(date(2026, 3, 1), span=since(moved)),
    )
    assert _correct(cutoffs=history)[:2] == ("deny", "13/3")


# Rule 4b — analyses.


def test_staff_of_the_installations_facility_analyse_with_an_opinion_kts_2() -> None:
    f = facts("N1", staff_posts=(NURSE,), installation=installation(), opinions=(opinion(),))
    d = run(request(actor="N1", action="analyze", record=None, purpose="planning", via="S1"), f)
    assert (d.effect, d.basis, d.reason_key, d.capacity) == (
        "permit",
        "KTS/2",
        "kts.analysis_with_opinion",
        "staff",
    )


def test_staff_of_another_facility_cannot_analyse_even_with_an_opinion_m6_1() -> None:
    f = facts(
        staff_posts=(post(facility="F2"),), installation=installation(), opinions=(opinion(),)
    )
    d = run(request(action="analyze", record=None, purpose="planning", via="S1"), f)
    assert (d.effect, d.basis, d.reason_key) == ("deny", "6/1", "fallback.no_rule")


def test_staff_without_an_opinion_are_refused_by_the_gate_kts_2() -> None:
    f = facts(installation=installation())
    assert answer(request(action="analyze", record=None, purpose="planning", via="S1"), f) == (
        "deny",
        "KTS/2",
    )


def test_staff_have_no_rule_for_destroying_records_m6_1() -> None:
    assert answer(request(action="destroy", purpose=None), facts()) == ("deny", "6/1")
