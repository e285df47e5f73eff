"""Retention and destruction (M14, M11/2): what is due, when, by which method; anonymisation."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from mahrem.domain import retention
from mahrem.domain.errors import InputError
from mahrem.domain.policy import RETENTION_RULES, Policy
from mahrem.domain.retention import Holding

POLICY = Policy(
    retention_rules={
        "laboratory": {"years": 10, "method": "anonymise"},
        "psychiatry": {"years": 5, "method": "destroy"},
        "prescription": {"years": 2, "method": "delete"},
    }
)


def t(value: str) -> datetime:
    return datetime.fromisoformat(value)


def lab(
    record: str = "R1",
    patient: str = "P1",
    created: str = "2010-03-05T15:00:00+03:00",
    died: str | None = None,
    category: str = "laboratory",
) -> Holding:
    return Holding(record, patient, category, t(created), t(died) if died else None)


def test_a_record_is_due_from_the_first_minute_of_its_anniversary_in_istanbul_m14_1() -> None:
    h = lab()
    assert retention.due([h], POLICY, t("2020-03-04T23:59:59+03:00")) == []
    [item] = retention.due([h], POLICY, t("2020-03-05T00:00:00+03:00"))
    assert (item.record, item.method, item.reason) == ("R1", "anonymise", "retention.category")
    assert item.due_at == t("2020-03-05T00:00:00+03:00")


def test_each_category_has_its_own_period_and_method_m14_1() -> None:
    at = t("2016-01-01T00:00:00+03:00")
    items = retention.due(
        [lab("L"), lab("Y", category="psychiatry"), lab("E", category="prescription")], POLICY, at
    )
    assert [(i.record, i.method) for i in items] == [("E", "delete"), ("Y", "destroy")]


def test_a_category_without_a_rule_is_kept_m14_1() -> None:
    assert retention.due([lab(category="imaging")], POLICY, t("2099-01-01T00:00:00+03:00")) == []


def test_a_record_created_after_the_run_time_is_never_due_m14_1() -> None:
    assert (
        retention.due(
            [lab(created="2030-01-01T10:00:00+03:00")], POLICY, t("2029-01-01T00:00:00+03:00")
        )
        == []
    )


def test_a_deceased_patients_record_is_kept_twenty_years_after_the_death_m11_2() -> None:
    h = lab(died="2012-07-10T22:30:00+00:00")  # 11 July 2012 in Istanbul
    assert retention.due([h], POLICY, t("2032-07-10T23:59:00+03:00")) == []
    [item] = retention.due([h], POLICY, t("2032-07-11T00:00:00+03:00"))
    assert item.reason == "retention.after_death" and item.due_at == t("2032-07-11T00:00:00+03:00")


def test_a_death_long_ago_does_not_shorten_the_categorys_period_m11_2() -> None:
    h = lab(created="2010-03-05T15:00:00+03:00", died="1985-01-01T10:00:00+03:00")
    assert retention.due([h], POLICY, t("2020-03-04T12:00:00+03:00")) == []
    assert (
        retention.due([h], POLICY, t("2020-03-05T00:00:00+03:00"))[0].reason == "retention.category"
    )


def test_due_items_come_by_patient_then_record_m14_1() -> None:
    items = retention.due(
        [lab("R9", "P2"), lab("R2", "P1"), lab("R1", "P2")], POLICY, t("2030-01-01T00:00:00+03:00")
    )
    assert [(i.patient, i.record) for i in items] == [("P1", "R2"), ("P2", "R1"), ("P2", "R9")]


@pytest.mark.parametrize(
    "rule, field",
    [
        ({"years": -1, "method": "destroy"}, "retention_rules.laboratory.years"),
        ({"years": "ten", "method": "destroy"}, "retention_rules.laboratory.years"),
        ({"years": True, "method": "destroy"}, "retention_rules.laboratory.years"),
        ({"years": 10, "method": "shred"}, "retention_rules.laboratory.method"),
    ],
)
def test_a_bad_retention_rule_is_refused_naming_its_field_m14_1(
    rule: dict[str, object], field: str
) -> None:
    with pytest.raises(InputError) as err:
        retention.rules(Policy(retention_rules={"laboratory": rule}))
    assert err.value.field == field


def test_the_default_policy_names_a_valid_rule_for_every_category_m14_1() -> None:
    from mahrem.domain.categories import CATEGORIES

    rules = retention.rules(Policy())
    assert set(rules) == set(CATEGORIES) == set(RETENTION_RULES)
    assert {r.method for r in rules.values()} <= set(retention.METHODS)
    assert all(r.years >= 20 for r in rules.values())


def test_a_destruction_record_is_kept_at_least_three_years_m14_1() -> None:
    done = t("2026-02-28T10:00:00+03:00")
    assert retention.keep_until(done) == t("2029-03-01T00:00:00+03:00")
    assert retention.keep_until(done) - done >= timedelta(days=3 * 365)


def test_a_destruction_request_is_answered_within_thirty_days_m14_1() -> None:
    assert retention.request_answer_due(t("2026-03-01T23:30:00+03:00"), Policy()) == t(
        "2026-04-01T00:00:00+03:00"
    )


def test_the_kept_after_death_bar_is_the_engines_m11_2() -> None:
    from mahrem.domain.rules.officers import dpo_destroy  # the same day arithmetic as rule 10

    assert dpo_destroy.__doc__ and "20" in dpo_destroy.__doc__
    assert retention.kept_after_death_until(t("2004-02-29T12:00:00+02:00"), Policy()) == t(
        "2024-02-29T00:00:00+03:00"
    )


# -- anonymisation ---------------------------------------------------------------------------
OBSERVATION = {
    "resourceType": "Observation",
    "id": "R1",
    "status": "final",
    "meta": {"source": "hbys"},
    "text": {"status": "generated", "div": "<div>Ayşe Yılmaz glukoz</div>"},
    "identifier": [{"system": "urn:tckn", "value": "76639561632"}],
    "category": [
        {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "laboratory",
                }
            ],
            "text": "Lab: Ayşe",
        }
    ],
    "code": {
        "coding": [{"system": "http://loinc.org", "code": "2345-7", "display": "Glucose"}],
        "text": "Ayşe'nin açlık şekeri",
    },
    "subject": {"reference": "Patient/P1", "display": "Ayşe Yılmaz"},
    "performer": [{"reference": "Practitioner/D1"}],
    "effectiveDateTime": "2026-03-02T08:40:00+03:00",
    "issued": "2026-03-02T11:00:00+03:00",
    "valueQuantity": {
        "value": 98,
        "unit": "mg/dL",
        "system": "http://unitsofmeasure.org",
        "code": "mg/dL",
    },
    "note": [{"text": "Hasta 0555 123 45 67 numaradan arandı"}],
    "extension": [{"url": "urn:x", "valueString": "Ayşe"}],
    "referenceRange": [{"low": {"value": 70}, "high": {"value": 100}}],
}


def test_anonymising_removes_identifiers_references_and_free_text_m14_1() -> None:
    out = retention.anonymise(OBSERVATION)
    text = json.dumps(out, ensure_ascii=False)
    for secret in ("Ayşe", "76639561632", "Patient/P1", "D1", "0555", "hbys", '"R1"', "Glucose"):
        assert secret not in text, secret
    assert set(out) == {
        "resourceType",
        "status",
        "category",
        "code",
        "effectiveDateTime",
        "issued",
        "valueQuantity",
        "referenceRange",
    }


def test_anonymising_keeps_codes_and_values_and_cuts_dates_to_the_year_m14_1() -> None:
    out = retention.anonymise(OBSERVATION)
    assert out["code"] == {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]}
    assert out["valueQuantity"]["value"] == 98
    assert (out["effectiveDateTime"], out["issued"]) == ("2026", "2026")
    assert out["referenceRange"] == [{"low": {"value": 70}, "high": {"value": 100}}]


def test_anonymising_leaves_the_original_untouched_m14_1() -> None:
    before = json.dumps(OBSERVATION, sort_keys=True)
    retention.anonymise(OBSERVATION)
    assert json.dumps(OBSERVATION, sort_keys=True) == before
    assert retention.year_of(t("2025-12-31T23:30:00+00:00")) == 2026


@pytest.mark.parametrize(
    "last, due",
    [
        ("2026-01-15T10:00:00+03:00", "2026-07-15T00:00:00+03:00"),
        ("2026-07-15T10:00:00+03:00", "2027-01-15T00:00:00+03:00"),
        ("2026-08-31T10:00:00+03:00", "2027-03-01T00:00:00+03:00"),
    ],
)
def test_the_next_periodic_run_is_due_six_months_after_the_last_m14_1(last: str, due: str) -> None:
    assert retention.next_run_due(t(last)) == t(due)
