"""FHIR search never pretends (issue 17): the parameters Mahrem applies, with FHIR's token forms
and date prefixes, and a clear refusal naming anything it would not apply."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mahrem.domain.fhir_search import MAX_COUNT, UnsupportedSearch, parse, sort_key

UPDATED = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
OBS = {
    "resourceType": "Observation",
    "id": "o1",
    "status": "final",
    "category": [
        {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "laboratory",
                }
            ]
        }
    ],
    "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
    "effectiveDateTime": "2026-03-01T10:00:00+03:00",
    "identifier": [{"system": "urn:lab", "value": "L-1"}],
}


def matches(query: str, resource: dict[str, object] = OBS, kind: str = "Observation") -> bool:
    items = [tuple(p.split("=", 1)) for p in query.split("&")]
    return parse(kind, items).matches(resource, UPDATED)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("code=2345-7", True),
        ("code=http://loinc.org|2345-7", True),
        ("code=http://snomed.info/sct|2345-7", False),
        ("code=|2345-7", False),  # no system: only codes sent without one
        ("code=http://loinc.org|", True),
        ("code=1111-1,2345-7", True),  # a comma is OR
        ("code=1111-1&status=final", False),  # repeated parameters are AND
        ("code:not=2345-7", False),
        ("category=laboratory", True),
        ("status=final", True),
        ("status=preliminary", False),
        ("identifier=urn:lab|L-1", True),
        ("_id=o1", True),
        ("_id=o2", False),
    ],
)
def test_token_parameters_match_codes_systems_and_identifiers(query: str, expected: bool) -> None:
    assert matches(query) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("date=2026-03-01", True),  # Istanbul's day holds 10:00 +03:00
        ("date=2026-03", True),
        ("date=2026", True),
        ("date=2026-03-02", False),
        ("date=ge2026-03-01", True),
        ("date=gt2026-03-01", False),
        ("date=gt2026-02-28", True),
        ("date=lt2026-03-01", False),
        ("date=le2026-03-01", True),
        ("date=ne2026-03-01", False),
        ("date=sa2026-02-28", True),
        ("date=eb2026-03-02", True),
        ("date=ge2026-03-01T07:00:00Z", True),
        ("date=ge2026-03-01T07:00:01Z", False),
        ("_lastUpdated=ge2026-03-02", True),
        ("_lastUpdated=lt2026-03-02", False),
    ],
)
def test_date_parameters_follow_the_fhir_prefixes_over_ranges(query: str, expected: bool) -> None:
    assert matches(query) is expected


def test_a_period_matches_every_day_it_covers() -> None:
    encounter = {
        "resourceType": "Encounter",
        "period": {"start": "2026-03-01", "end": "2026-03-03"},
    }
    assert matches("date=ge2026-03-02", encounter, "Encounter")
    assert matches("date=le2026-03-02", encounter, "Encounter")
    assert not matches("date=gt2026-03-03", encounter, "Encounter")
    assert matches(
        "date=gt2026-03-01",
        {"resourceType": "Encounter", "period": {"start": "2026-03-01"}},
        "Encounter",
    )


@pytest.mark.parametrize(
    "query",
    [
        "pateint=P1",
        "_include=Observation:subject",
        "_summary=count",
        "onset-date=2020",
        "code:text=x",
        "date=ap2026",
        "date=yesterday",
        "_sort=status",
        "_count=-1",
    ],
)
def test_what_mahrem_does_not_apply_is_refused_naming_it(query: str) -> None:
    name = query.split("=", 1)[0]
    with pytest.raises(UnsupportedSearch) as refused:
        parse("Observation", [tuple(query.split("=", 1))])  # type: ignore[list-item]
    assert refused.value.field == name


def test_lenient_handling_ignores_and_reports_what_it_does_not_apply() -> None:
    search = parse("Observation", [("pateint", "P1"), ("code", "2345-7")], lenient=True)
    assert search.ignored == ("pateint",) and search.matches(OBS, UPDATED)


def test_count_is_capped_the_patient_is_set_apart_and_sort_reads_the_date() -> None:
    search = parse(
        "Observation",
        [("_count", "5000"), ("subject", "Patient/P1"), ("_sort", "-date"), ("purpose", "care")],
    )
    assert search.count == MAX_COUNT and search.patient == {"subject": "Patient/P1"}
    assert sort_key(search, OBS, UPDATED) == datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
    assert parse("Observation", [("_count", "0")]).count == 0
    with pytest.raises(UnsupportedSearch):
        parse("Condition", [("_sort", "date")])  # a Condition has no `date` parameter
