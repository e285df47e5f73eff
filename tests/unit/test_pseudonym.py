"""Kimliksizleştirme (M4/1-ı) of the central feed (M7/1): the keyed pseudonym, and a FHIR
resource stripped of direct identifiers with its quasi-identifiers reduced."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.tr import tckimlik

from mahrem.domain.errors import InputError
from mahrem.domain.pseudonym import (
    KEPT_BYTES,
    Reduction,
    Subject,
    encode_pseudonym,
    is_pseudonym,
    key_name,
    keyed_pseudonym,
    pseudonym_version,
    pseudonymise,
    scrub_text,
    validate_receiver,
)

KEY, OTHER_KEY = b"k" * 32, b"o" * 32
TCKN = "78485924142"
SUBJECT = Subject("P1", "PSN1-" + "A" * 32, "İlkay Işıkoğlu", TCKN, "+905321234567")

tckns = st.integers(min_value=100_000_000, max_value=999_999_999).map(
    lambda n: f"{n}" + tckimlik.calc_check_digits(f"{n}")
)


def test_the_same_patient_always_gets_the_same_pseudonym_under_one_key_m4_1_i() -> None:
    assert keyed_pseudonym(KEY, TCKN, 1) == keyed_pseudonym(KEY, TCKN, 1)


def test_another_key_gives_another_pseudonym_m4_1_i() -> None:
    assert keyed_pseudonym(KEY, TCKN, 1) != keyed_pseudonym(OTHER_KEY, TCKN, 1)


def test_a_pseudonym_is_not_a_plain_hash_of_the_tckn_m4_1_i() -> None:
    plain = encode_pseudonym(1, hashlib.sha256(TCKN.encode()).digest())
    tagged = encode_pseudonym(1, hashlib.sha256(("tckn:" + TCKN).encode()).digest())
    assert keyed_pseudonym(KEY, TCKN, 1) not in (plain, tagged)


def test_a_pseudonym_keeps_160_bits_and_names_its_key_version() -> None:
    value = keyed_pseudonym(KEY, TCKN, 7)
    body = value.split("-", 1)[1]
    assert KEPT_BYTES * 8 >= 128
    assert len(body) == 32 and len(base64.b32decode(body)) == KEPT_BYTES
    assert value.startswith("PSN7-") and pseudonym_version(value) == 7


@given(tckns)
def test_a_pseudonym_can_never_be_taken_for_a_tckn(tckn: str) -> None:
    value = keyed_pseudonym(KEY, tckn, 1)
    assert is_pseudonym(value) and not tckimlik.is_valid(value) and not value.isdigit()
    assert not is_pseudonym(tckn)


def test_a_tckn_is_refused_where_a_pseudonym_is_expected() -> None:
    with pytest.raises(InputError) as err:
        pseudonym_version(TCKN)
    assert err.value.code == "pseudonym.invalid"


def test_receiver_names_are_safe_key_names() -> None:
    assert key_name("esaglik", 2) == "pseudonym-esaglik-v2"
    with pytest.raises(InputError):
        validate_receiver("../vault")


def _strip(resource: dict[str, object], reduction: Reduction | None = None) -> str:
    return json.dumps(pseudonymise(resource, SUBJECT, reduction or Reduction()), ensure_ascii=False)


def test_names_identifiers_and_contact_points_are_removed_everywhere_m7_1() -> None:
    out = _strip(
        {
            "resourceType": "Patient",
            "name": [{"family": "Işıkoğlu", "given": ["İlkay"]}],
            "identifier": [{"system": "urn:oid:2.16.840.1.113883.3.9901", "value": TCKN}],
            "telecom": [{"system": "phone", "value": "+905321234567"}],
            "contact": [{"name": {"text": "Gülsüm Karadağ"}}],
            "active": True,
        }
    )
    assert json.loads(out) == {"resourceType": "Patient", "active": True}


def test_a_reference_to_the_patient_becomes_the_pseudonym_m7_1() -> None:
    out = json.loads(
        _strip(
            {
                "resourceType": "Observation",
                "status": "final",
                "code": {"text": "Glukoz"},
                "subject": {"reference": "Patient/P1", "display": "İlkay Işıkoğlu"},
            }
        )
    )
    assert out["subject"] == {"reference": f"Patient/{SUBJECT.pseudonym}"}


def test_references_to_other_people_and_display_names_are_removed_m7_1() -> None:
    out = json.loads(
        _strip(
            {
                "resourceType": "Observation",
                "status": "final",
                "code": {"text": "Glukoz"},
                "performer": [
                    {"reference": "Practitioner/D1", "display": "Dr. Ali Çelik"},
                    {"reference": "RelatedPerson/R9"},
                ],
            }
        )
    )
    assert out["performer"] == [{"reference": "Practitioner/D1"}]


def test_the_birth_date_is_reduced_to_the_year_and_an_address_to_its_province_m7_1() -> None:
    resource = {
        "resourceType": "Patient",
        "birthDate": "1984-07-19",
        "address": [
            {"line": ["Atatürk Blv. 12"], "district": "Çankaya", "city": "Ankara", "country": "TR"}
        ],
    }
    assert json.loads(_strip(resource)) == {
        "resourceType": "Patient",
        "birthDate": "1984",
        "address": [{"city": "Ankara", "country": "TR"}],
    }
    assert json.loads(_strip(resource, Reduction(birth_date="remove", address="remove"))) == {
        "resourceType": "Patient"
    }


def test_an_unknown_reduction_is_refused() -> None:
    with pytest.raises(InputError):
        Reduction(birth_date="month")


def test_free_text_loses_names_numbers_and_phones_in_any_case_and_format_m7_1() -> None:
    text = (
        f"Hasta İLKAY IŞIKOĞLU / ilkay ışıkoğlu ({TCKN[:3]} {TCKN[3:6]} {TCKN[6:]}) "
        "0532 123 45 67, "
        "eşi 10000000146, e-posta ilkay@example.com"
    )
    scrubbed = scrub_text(text, SUBJECT.pattern())
    for secret in (
        "İLKAY",
        "IŞIKOĞLU",
        "ilkay",
        "ışıkoğlu",
        "485",
        "123 45 67",
        "10000000146",
        "example.com",
    ):
        assert secret not in scrubbed
    assert scrubbed.startswith("Hasta *** *** / *** ***")


def test_words_that_only_contain_a_name_are_left_alone() -> None:
    assert scrub_text("Işıkoğluları", SUBJECT.pattern()) == "Işıkoğluları"


def test_narrative_is_removed_and_a_text_attachment_is_starred_m7_1() -> None:
    data = base64.b64encode(f"Epikriz: İlkay Işıkoğlu {TCKN}".encode()).decode()
    out = json.loads(
        _strip(
            {
                "resourceType": "DocumentReference",
                "status": "current",
                "text": {"status": "generated", "div": "<div>İlkay Işıkoğlu</div>"},
                "content": [
                    {"attachment": {"contentType": "text/plain", "data": data}},
                    {"attachment": {"contentType": "application/pdf", "data": data}},
                ],
            }
        )
    )
    assert "text" not in out
    assert (
        base64.b64decode(out["content"][0]["attachment"]["data"]).decode() == "Epikriz: *** *** ***"
    )
    assert out["content"][1]["attachment"] == {"contentType": "application/pdf"}


def test_an_id_that_carries_an_identifier_is_dropped_m7_1() -> None:
    assert "id" not in json.loads(_strip({"resourceType": "Patient", "id": TCKN}))
    assert json.loads(_strip({"resourceType": "Patient", "id": "abc-1"}))["id"] == "abc-1"
