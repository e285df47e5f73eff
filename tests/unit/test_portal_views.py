"""The portal's pure helpers: a FHIR resource in words (not JSON) and the access timeline's
geometry (one column per Istanbul day, refused reads stacked over permitted ones)."""

from __future__ import annotations

from datetime import date

from mahrem.entrypoints.web import charts
from mahrem.entrypoints.web.fhir_view import readable
from mahrem.entrypoints.web.i18n import gettext


def test_an_observation_reads_as_a_test_its_result_and_its_range() -> None:
    title, lines = readable(
        {
            "resourceType": "Observation",
            "status": "final",
            "code": {
                "coding": [{"system": "http://loinc.org", "code": "2345-7", "display": "Glukoz"}]
            },
            "valueQuantity": {"value": 98, "unit": "mg/dL"},
            "referenceRange": [{"low": {"value": 70}, "high": {"value": 100}}],
        },
        gettext("tr"),
    )
    assert title == "Glukoz"
    assert dict(lines) == {
        "Result": "98 mg/dL",
        "Reference range": "70 – 100",
        "Status": "Kesin",
        "Codes": "LOINC 2345-7",
    }


def test_a_condition_reads_as_its_diagnosis_with_the_icd_code() -> None:
    title, lines = readable(
        {
            "resourceType": "Condition",
            "code": {
                "coding": [
                    {
                        "system": "http://hl7.org/fhir/sid/icd-10",
                        "code": "F32.1",
                        "display": "Orta depresif epizod",
                    }
                ]
            },
        }
    )
    assert title == "Orta depresif epizod" and ("Codes", "ICD-10 F32.1") in lines


def test_the_timeline_counts_each_istanbul_day_and_stacks_refusals_on_permits() -> None:
    entries = [
        {"at": "2026-03-01T20:59:00+00:00", "decision": "permit"},  # 23:59 in Istanbul: 1 March
        {"at": "2026-03-01T21:00:00+00:00", "decision": "deny"},  # 00:00 in Istanbul: 2 March
        {"at": "2026-03-02T08:00:00+03:00", "decision": "permit"},
    ]
    chart = charts.timeline(entries, date(2026, 3, 1), date(2026, 3, 3))
    bars = {b.day: b for b in chart["bars"]}
    assert [(bars[d].permits, bars[d].denies) for d in sorted(bars)] == [(1, 0), (1, 1), (0, 0)]
    two = bars[date(2026, 3, 2)]
    assert two.y_deny + two.h_deny == two.y_permit and two.y_permit + two.h_permit == chart["base"]
    assert (chart["total_permit"], chart["total_deny"]) == (2, 1)


def test_the_timeline_keeps_at_most_92_days() -> None:
    chart = charts.timeline([], date(2025, 1, 1), date(2026, 1, 1))
    assert len(chart["bars"]) == 92 and chart["bars"][-1].day == date(2026, 1, 1)
