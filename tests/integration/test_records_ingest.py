"""Hospital software pushes FHIR R4 (C1): validated, all or nothing, idempotent on the sender's
resource id, stored under Mahrem's own ids, patients linked by TC kimlik no, categories from the
codes, only from registered software."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mahrem.domain.errors import InputError, Refused
from mahrem.services import records
from mahrem.services.ports import Mahrem
from mahrem.services.records import CATEGORY_SYSTEM, TCKN_SYSTEM
from tests.integration.helpers import event, loaded, rows, t
from tests.worlds import tckn

AT = t("2026-03-02T10:00:00+03:00")


def patient(local_id: str = "hbys-42", number: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": local_id,
        "birthDate": "1990-02-03",
        "name": [{"family": "Kaya", "given": ["Elif"]}],
        "telecom": [{"system": "phone", "value": "+905551112233"}],
        "identifier": [{"system": TCKN_SYSTEM, "value": number or tckn(500)}],
        **extra,
    }


def condition(
    cid: str,
    code: str,
    subject: str = "Patient/hbys-42",
    system: str = "http://hl7.org/fhir/sid/icd-10",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": cid,
        "subject": {"reference": subject},
        "code": {"coding": [{"system": system, "code": code}]},
        **extra,
    }


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": f"urn:uuid:{r['id']}",
                "resource": r,
                "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"},
            }
            for r in resources
        ],
    }


def push(service: Mahrem, body: Any, installation: str = "S1") -> list[tuple[str, str]]:
    """(the sender's id, outcome) of each entry."""
    return [
        (e.local_id or e.id, e.outcome)
        for e in records.push(service, installation, "D1", body, at=AT).entries
    ]


def rid(service: Mahrem, local: str, installation: str = "S1") -> str:
    """Mahrem's id of the record the installation sent as `local`."""
    [link] = rows(service, "record_link", installation=installation, local_id=local)
    return str(link["record"])


def sent_as(service: Mahrem) -> dict[str, str]:
    """Mahrem's record id → the id the sender gave it."""
    return {r["record"]: r["local_id"] for r in rows(service, "record_link")}


def test_a_transaction_registers_the_patient_and_stores_its_records(service: Mahrem) -> None:
    loaded(service)
    out = push(service, bundle(patient(), condition("c1", "J45"), condition("c2", "F32.1")))
    assert out == [("hbys-42", "registered"), ("c1", "created"), ("c2", "created")]
    person = rows(service, "person", tckn=tckn(500))[0]
    assert (person["name"], str(person["birth_date"]), person["phone"]) == (
        "Elif Kaya",
        "1990-02-03",
        "+905551112233",
    )
    names = sent_as(service)
    stored = {names[r["id"]]: r for r in rows(service, "record", patient=person["id"])}
    # The resources name no clinician: the acting user D1 is not their author (issue 19).
    assert {k: (r["facility"], r["author"], r["category"]) for k, r in stored.items()} == {
        "c1": ("F1", None, "general"),
        "c2": ("F1", None, "psychiatry"),
    }


def test_the_stored_record_names_the_person_mahrem_knows(service: Mahrem) -> None:
    loaded(service)
    push(service, bundle(patient(), condition("c1", "J45")))
    person = rows(service, "person", tckn=tckn(500))[0]["id"]
    view = records.read_record(service, person, rid(service, "c1"), at=AT)
    assert view.resource["subject"] == {"reference": f"Patient/{person}"}


def test_pushing_the_same_resources_again_changes_nothing(service: Mahrem) -> None:
    loaded(service)
    body = bundle(patient(), condition("c1", "J45"))
    push(service, body)
    before = len(rows(service, "audit_log"))
    assert push(service, copy.deepcopy(body)) == [("hbys-42", "unchanged"), ("c1", "unchanged")]
    assert len(rows(service, "record_link", local_id="c1")) == 1
    assert len(rows(service, "audit_log")) == before


def test_the_same_id_with_other_content_is_refused_as_a_correction_m13(service: Mahrem) -> None:
    loaded(service)
    push(service, bundle(patient(), condition("c1", "J45")))
    with pytest.raises(Refused) as err:
        push(service, bundle(patient(), condition("c1", "J46")))
    assert (err.value.code, err.value.basis) == ("record.correction_needed", "13")


def test_a_transaction_is_all_or_nothing(service: Mahrem) -> None:
    loaded(service)
    bad = condition("c2", "J45", subject="Patient/unknown-here")
    with pytest.raises(InputError) as err:
        push(service, bundle(patient(), condition("c1", "J45"), bad))
    assert (
        err.value.code == "patient.unresolved"
        and err.value.field == "body.entry[2].resource.subject"
    )
    assert rows(service, "record_link") == [] and rows(service, "person", tckn=tckn(500)) == []


def test_a_later_push_refers_to_the_patient_by_its_local_id_or_tc_kimlik_no(
    service: Mahrem,
) -> None:
    loaded(service)
    push(service, patient())
    assert push(service, condition("c1", "J45")) == [("c1", "created")]
    by_tckn = condition("c2", "J45", subject=f"Patient?identifier={TCKN_SYSTEM}|{tckn(500)}")
    assert push(service, by_tckn) == [("c2", "created")]


def test_local_ids_are_per_facility(service: Mahrem) -> None:
    loaded(
        service,
        software=[
            {
                "id": "S1",
                "vendor": "Örnek",
                "product": "HBYS",
                "version": "1",
                "status": "registered",
                "facility": "F1",
                "administrator": "A1",
            },
            {
                "id": "S3",
                "vendor": "Başka",
                "product": "HBYS",
                "version": "2",
                "status": "registered",
                "facility": "F3",
                "administrator": "A1",
            },
        ],
    )
    push(service, patient())
    with pytest.raises(InputError):
        push(service, condition("c1", "J45"), installation="S3")


def test_an_existing_person_is_linked_not_duplicated(service: Mahrem) -> None:
    loaded(service)
    out = push(service, patient(number=tckn(1)))  # P1's TC kimlik no
    assert out == [("hbys-42", "linked")]
    assert push(service, condition("c1", "J45")) == [("c1", "created")]
    assert rows(service, "record", id=rid(service, "c1"))[0]["patient"] == "P1"


def test_the_sender_may_name_the_category_but_a_restricted_code_wins(service: Mahrem) -> None:
    loaded(service)
    tagged = condition("c1", "J45", meta={"tag": [{"system": CATEGORY_SYSTEM, "code": "imaging"}]})
    hiv = condition("c2", "B20", meta={"tag": [{"system": CATEGORY_SYSTEM, "code": "general"}]})
    push(service, bundle(patient(), tagged, hiv))
    names = sent_as(service)
    assert {names[r["id"]]: r["category"] for r in rows(service, "record") if r["id"] in names} == {
        "c1": "imaging",
        "c2": "hiv",
    }


def test_the_record_time_is_its_own_date_when_given_and_not_in_the_future(service: Mahrem) -> None:
    loaded(service)
    past = condition("c1", "J45", recordedDate="2020-05-01T10:00:00+03:00")
    future = condition("c2", "J45", recordedDate="2030-05-01T10:00:00+03:00")
    push(service, bundle(patient(), past, future))
    names = sent_as(service)
    created = {names[r["id"]]: r["created_at"] for r in rows(service, "record") if r["id"] in names}
    assert created == {"c1": t("2020-05-01T10:00:00+03:00"), "c2": AT}


def test_invalid_fhir_is_refused_naming_the_entry(service: Mahrem) -> None:
    loaded(service)
    with pytest.raises(InputError) as err:
        push(
            service, bundle(patient(), {"resourceType": "Condition", "id": "c1", "subject": "nope"})
        )
    assert err.value.code == "fhir.invalid" and err.value.field == "body.entry[1].resource"


def test_a_patient_needs_a_valid_tc_kimlik_no(service: Mahrem) -> None:
    loaded(service)
    with pytest.raises(InputError) as err:
        push(service, patient(number="12345678901"))
    assert err.value.code == "tckn.invalid"
    with pytest.raises(InputError) as missing:
        push(service, {**patient(), "identifier": []})
    assert missing.value.code == "patient.no_tckn"


def test_directory_resources_are_acknowledged_not_stored(service: Mahrem) -> None:
    loaded(service)
    org = {"resourceType": "Organization", "id": "org1", "name": "Hastane"}
    assert push(service, org) == [("org1", "ignored")]


def test_software_that_is_not_registered_cannot_write_kts_3(service: Mahrem) -> None:
    loaded(service)
    assert (
        event(service, "2026-03-01T10:00:00+03:00", "software_suspended", software="S1")[0]
        == "accepted"
    )
    with pytest.raises(Refused) as refused:
        push(service, patient())
    assert refused.value.basis == "KTS/3"
    with pytest.raises(Refused):
        push(service, patient(), installation="NOPE")


def test_every_stored_resource_is_audited_with_its_installation(service: Mahrem) -> None:
    loaded(service)
    push(service, bundle(patient(), condition("c1", "J45")))
    entries = [
        (e["action"], e["via"], e["actor"], e["record"])
        for e in rows(service, "audit_log", kind="event")
    ]
    assert entries == [
        ("patient_registered", "S1", "D1", None),
        ("record_created", "S1", "D1", rid(service, "c1")),
    ]


def test_a_refused_push_is_audited_and_leaves_an_incident_naming_the_administrator_kts_3(
    service: Mahrem,
) -> None:
    loaded(service)
    event(service, "2026-03-01T10:00:00+03:00", "software_suspended", software="S1")
    with pytest.raises(Refused):
        push(service, patient())
    [incident] = rows(service, "kts_incident")
    assert (
        incident["installation"],
        incident["facility"],
        incident["administrator"],
        incident["basis"],
    ) == ("S1", "F1", "A1", "KTS/3")
    assert [
        (e["action"], e["outcome"], e["basis"]) for e in rows(service, "audit_log", via="S1")
    ] == [("fhir_push", "rejected", "KTS/3")]
