"""Corrections (M13): the patient's request, the provincial directorate's review, GM's
correction (13/1), the facility's own after the cut-off date (13/3); every version kept and
linked by a FHIR Provenance; status and deadline visible to the applicant."""

from __future__ import annotations

from typing import Any

import pytest

from mahrem.domain.errors import InputError, NotFound, Refused
from mahrem.services import corrections
from mahrem.services.demo.loading import load_into
from mahrem.services.policies import ensure_policy, policy_at
from mahrem.services.ports import Mahrem
from mahrem.services.records import current_resource, validate_fhir
from tests.integration.helpers import event, rows, t
from tests.worlds import OBSERVATION, world

FIXED = {**OBSERVATION, "valueQuantity": {"value": 88, "unit": "mg/dL"}}


def loaded(service: Mahrem) -> Mahrem:
    """The base world, and R5: a result created at F1 (province 06, officer O1) on 1 February."""
    at = t("2026-01-01T00:00:00+03:00")
    with service.uow.write() as store:
        ensure_policy(store)
        load_into(store, world(), policy_at(store, at), at, keys=service.keys)
    event(
        service,
        "2026-02-01T10:00:00+03:00",
        "record_created",
        record={
            "id": "R5",
            "patient": "P1",
            "facility": "F1",
            "author": "D1",
            "category": "laboratory",
            "resource": {**OBSERVATION, "valueQuantity": {"value": 980, "unit": "mg/dL"}},
        },
    )
    return service


def filed(service: Mahrem, record: str = "R5", rid: str = "CR1") -> dict[str, Any]:
    return corrections.file_request(
        service,
        "P1",
        record,
        "Değer yanlış girilmiş",
        request_id=rid,
        at=t("2026-03-01T10:00:00+03:00"),
    )


def read(service: Mahrem, record: str = "R5") -> dict[str, Any] | None:
    with service.uow.write() as store:
        return current_resource(store, service.keys, record)


def audit_actions(service: Mahrem) -> list[tuple[str, str]]:
    return [
        (r["action"], r["outcome"])
        for r in sorted(rows(service, "audit_log"), key=lambda r: r["seq"])
    ]


# -- the whole path ---------------------------------------------------------------------------
def test_a_request_goes_from_filed_through_the_province_to_gm_and_is_corrected_m13_1(
    service: Mahrem,
) -> None:
    loaded(service)
    assert filed(service)["status"] == "filed"
    assert (
        corrections.investigate(service, "O1", "CR1", t("2026-03-02T10:00:00+03:00"))["status"]
        == "investigating"
    )
    assert (
        corrections.forward(service, "O1", "CR1", t("2026-03-03T10:00:00+03:00"))["status"]
        == "forwarded"
    )
    done = corrections.correct(
        service, "G1", "R5", FIXED, request_id="CR1", at=t("2026-03-04T10:00:00+03:00")
    )
    assert (done["version"], done["basis"], done["requests"]) == (2, "13/1", ["CR1"])
    seen = corrections.correction_status(service, "P1", "CR1", at=t("2026-03-05T10:00:00+03:00"))
    assert [h["status"] for h in seen["history"]] == [
        "filed",
        "investigating",
        "forwarded",
        "corrected",
    ]
    assert seen["status"] == "corrected" and seen["closed_at"] and not seen["overdue"]
    assert ("record_corrected", "accepted") in audit_actions(service)


def test_readers_see_the_corrected_version_and_the_history_keeps_the_earlier_one_m13_2(
    service: Mahrem,
) -> None:
    loaded(service)
    filed(service)
    corrections.forward(service, "O1", "CR1", t("2026-03-03T10:00:00+03:00"))
    corrections.correct(service, "G1", "R5", FIXED, at=t("2026-03-04T10:00:00+03:00"))
    current = read(service)
    assert (
        current is not None
        and current["valueQuantity"]["value"] == 88
        and current["meta"]["versionId"] == "2"
    )
    history = corrections.record_history(service, "P1", "R5", t("2026-03-05T10:00:00+03:00"))
    assert [v["resource"]["valueQuantity"]["value"] for v in history["versions"]] == [980, 88]
    assert [v["basis"] for v in history["versions"]] == [None, "13/1"]
    assert history["versions"][1]["correction_request"] == "CR1"


def test_every_version_has_a_valid_provenance_linking_it_to_the_one_before_m13_1(
    service: Mahrem,
) -> None:
    loaded(service)
    filed(service)
    corrections.forward(service, "O1", "CR1", t("2026-03-03T10:00:00+03:00"))
    corrections.correct(service, "G1", "R5", FIXED, at=t("2026-03-04T10:00:00+03:00"))
    first, second = (
        v["provenance"] for v in corrections.record_history(service, "A1", "R5")["versions"]
    )
    for p in (first, second):
        validate_fhir(p, "provenance")
    assert first["activity"]["coding"][0]["code"] == "CREATE" and "entity" not in first
    assert second["target"] == [{"reference": "Observation/R5/_history/2"}]
    assert second["entity"][0] == {
        "role": "revision",
        "what": {"reference": "Observation/R5/_history/1"},
    }
    assert second["entity"][1]["what"]["identifier"]["value"] == "CR1"
    assert second["agent"][0]["who"]["identifier"]["value"] == "G1"
    assert second["reason"][0]["coding"][0]["code"] == "13/1"


def test_the_provider_pulls_the_correction_for_its_own_database_m13_2(service: Mahrem) -> None:
    loaded(service)
    filed(service)
    corrections.forward(service, "O1", "CR1", t("2026-03-03T10:00:00+03:00"))
    corrections.correct(service, "G1", "R5", FIXED, at=t("2026-03-04T10:00:00+03:00"))
    feed = corrections.provider_corrections(service, "D1", "F1", at=t("2026-03-05T10:00:00+03:00"))
    validate_fhir(feed, "feed")
    kinds = [e["resource"]["resourceType"] for e in feed["entry"]]
    assert (
        kinds == ["Observation", "Provenance"]
        and feed["entry"][0]["resource"]["valueQuantity"]["value"] == 88
    )
    later = corrections.provider_corrections(
        service, "D1", "F1", t("2026-03-04T12:00:00+03:00"), at=t("2026-03-05T10:00:00+03:00")
    )
    assert later["entry"] == []
    with pytest.raises(NotFound):
        corrections.provider_corrections(service, "D3", "F1", at=t("2026-03-05T10:00:00+03:00"))


# -- the directorate's review and its refusals ------------------------------------------------
def test_only_the_directorate_of_the_records_province_reviews_it_m13_1(service: Mahrem) -> None:
    loaded(service)
    filed(service, "R1", "CR2")  # R1 was created at F3, in İzmir (35); O1 is Ankara's (06)
    with pytest.raises(Refused) as err:
        corrections.investigate(service, "O1", "CR2", t("2026-03-02T10:00:00+03:00"))
    assert err.value.basis == "13/1"
    with pytest.raises(Refused):
        corrections.forward(service, "O1", "CR2", t("2026-03-02T10:00:00+03:00"))
    with pytest.raises(Refused):
        corrections.reject(service, "D1", "CR2", "hayır", t("2026-03-02T10:00:00+03:00"))
    assert corrections.correction_status(service, "P1", "CR2")["status"] == "filed"
    assert ("correction_investigating", "rejected") in audit_actions(service)


def test_a_rejection_gives_its_reason_to_the_applicant_and_closes_the_request_m13_1(
    service: Mahrem,
) -> None:
    loaded(service)
    filed(service)
    with pytest.raises(InputError):
        corrections.reject(service, "O1", "CR1", "  ", t("2026-03-02T10:00:00+03:00"))
    out = corrections.reject(
        service, "O1", "CR1", "Kayıt doğru; tesis teyit etti", t("2026-03-02T10:00:00+03:00")
    )
    seen = corrections.correction_status(service, "P1", "CR1", lang="en")
    assert out["status"] == seen["status"] == "rejected"
    assert (
        seen["history"][-1]["reason"] == "Kayıt doğru; tesis teyit etti"
        and "rejected" in seen["message"]
    )
    assert "by" not in seen["history"][-1]  # the applicant sees what, not which officer
    for again in (
        lambda: corrections.forward(service, "O1", "CR1", t("2026-03-03T10:00:00+03:00")),
        lambda: corrections.investigate(service, "O1", "CR1", t("2026-03-03T10:00:00+03:00")),
    ):
        with pytest.raises(InputError) as err:
            again()
        assert err.value.code in ("correction.closed", "correction.state")


def test_a_forwarded_request_is_rejected_by_gm_not_by_the_province_m13_1(service: Mahrem) -> None:
    loaded(service)
    filed(service)
    corrections.forward(service, "O1", "CR1", t("2026-03-03T10:00:00+03:00"))
    with pytest.raises(Refused):
        corrections.reject(service, "O1", "CR1", "geri alındı", t("2026-03-04T10:00:00+03:00"))
    with pytest.raises(InputError):
        corrections.investigate(service, "O1", "CR1", t("2026-03-04T10:00:00+03:00"))
    assert (
        corrections.reject(service, "G1", "CR1", "Hata yok", t("2026-03-04T10:00:00+03:00"))[
            "status"
        ]
        == "rejected"
    )
    with pytest.raises(InputError):
        corrections.correct(
            service, "G1", "R5", FIXED, request_id="CR1", at=t("2026-03-05T10:00:00+03:00")
        )


def test_gm_cannot_correct_without_a_forwarded_request_and_the_refusal_is_audited_m13_1(
    service: Mahrem,
) -> None:
    loaded(service)
    filed(service)
    with pytest.raises(Refused) as err:
        corrections.correct(service, "G1", "R5", FIXED, at=t("2026-03-04T10:00:00+03:00"))
    assert err.value.basis == "13/1"
    assert read(service)["valueQuantity"]["value"] == 980  # type: ignore[index]
    assert (
        rows(service, "record_version", record="R5")[0]["version"] == 1
        and len(rows(service, "record_version", record="R5")) == 1
    )
    assert ("correct", "deny") in audit_actions(service)


def test_a_correction_keeps_the_resource_type_m13_1(service: Mahrem) -> None:
    loaded(service)
    filed(service)
    corrections.forward(service, "O1", "CR1", t("2026-03-03T10:00:00+03:00"))
    with pytest.raises(InputError) as err:
        corrections.correct(
            service,
            "G1",
            "R5",
            {
                "resourceType": "Immunization",
                "status": "completed",
                "vaccineCode": {"text": "x"},
                "patient": {"reference": "Patient/P1"},
                "occurrenceDateTime": "2026-01-01",
            },
            at=t("2026-03-04T10:00:00+03:00"),
        )
    assert err.value.code == "correction.resource_type"


def test_a_patient_files_only_for_their_own_records_m13_1(service: Mahrem) -> None:
    loaded(service)
    with pytest.raises(InputError):
        corrections.file_request(
            service,
            "P1",
            "R4",
            "çocuğumun değil",
            request_id="CR9",
            at=t("2026-03-01T10:00:00+03:00"),
        )


# -- the facility after the cut-off date (M13/3) -------------------------------------------------
def test_after_the_cut_off_the_facility_corrects_directly_and_closes_open_requests_m13_3(
    service: Mahrem,
) -> None:
    loaded(service)
    event(service, "2026-01-20T09:00:00+03:00", "correction_cutoff_set", date="2026-01-15", by="G1")
    filed(service)
    done = corrections.correct(service, "D1", "R5", FIXED, at=t("2026-03-02T10:00:00+03:00"))
    assert (done["basis"], done["requests"]) == ("13/3", ["CR1"])
    assert corrections.correction_status(service, "P1", "CR1")["status"] == "corrected"
    assert read(service)["valueQuantity"]["value"] == 88  # type: ignore[index]


def test_the_facility_cannot_correct_before_the_cut_off_or_another_facilitys_record_m13_3(
    service: Mahrem,
) -> None:
    loaded(service)
    with pytest.raises(Refused) as err:
        corrections.correct(service, "D1", "R5", FIXED, at=t("2026-01-10T10:00:00+03:00"))
    assert err.value.basis == "13/3"  # no cut-off set yet
    event(service, "2026-01-20T09:00:00+03:00", "correction_cutoff_set", date="2026-01-15", by="G1")
    for actor, record in (("D3", "R1"), ("D3", "R5")):  # R1 predates the cut-off; R5 is F1's
        with pytest.raises(Refused) as err:
            corrections.correct(service, actor, record, FIXED, at=t("2026-03-02T10:00:00+03:00"))
        assert err.value.basis == "13/3"
    assert len(rows(service, "record_version", record="R5")) == 1


def test_a_corrected_category_changes_what_the_engine_sees_m13_1(service: Mahrem) -> None:
    loaded(service)
    event(service, "2026-01-20T09:00:00+03:00", "correction_cutoff_set", date="2026-01-15", by="G1")
    corrections.correct(
        service, "D1", "R5", FIXED, category="general", at=t("2026-03-02T10:00:00+03:00")
    )
    assert rows(service, "record", id="R5")[0]["category"] == "general"
    history = corrections.record_history(service, "P1", "R5")
    assert [v["category"] for v in history["versions"]] == ["laboratory", "general"]


# -- deadlines and who sees what -------------------------------------------------------------
def test_the_answer_is_due_thirty_days_after_filing_and_flagged_overdue_after_kvkk_13_2(
    service: Mahrem,
) -> None:
    loaded(service)
    filed(service)  # 1 March 2026, 10:00 Istanbul
    seen = corrections.correction_status(service, "P1", "CR1", at=t("2026-03-31T23:59:00+03:00"))
    assert seen["answer_due"] == "2026-04-01T00:00:00+03:00" and not seen["overdue"]
    assert corrections.correction_status(service, "P1", "CR1", at=t("2026-04-01T00:00:00+03:00"))[
        "overdue"
    ]
    corrections.reject(service, "O1", "CR1", "geç yanıt", t("2026-04-03T10:00:00+03:00"))
    late = corrections.correction_status(service, "P1", "CR1", at=t("2026-05-01T10:00:00+03:00"))
    assert late["overdue"] and late["closed_at"] is not None


def test_a_request_answered_in_time_is_never_overdue_kvkk_13_2(service: Mahrem) -> None:
    loaded(service)
    filed(service)
    corrections.reject(service, "O1", "CR1", "doğru", t("2026-03-20T10:00:00+03:00"))
    assert not corrections.correction_status(
        service, "P1", "CR1", at=t("2027-01-01T10:00:00+03:00")
    )["overdue"]


def test_only_the_applicant_and_the_officers_concerned_see_a_request_m13_1(service: Mahrem) -> None:
    loaded(service)
    filed(service)
    for viewer in ("P1", "O1", "G1", "A1"):
        assert corrections.correction_status(service, viewer, "CR1")["id"] == "CR1"
    for viewer in ("D1", "D3", "K1"):
        with pytest.raises(NotFound):
            corrections.correction_status(service, viewer, "CR1")
    assert [r["id"] for r in corrections.corrections_of(service, "P1", "P1")] == ["CR1"]
    assert corrections.corrections_of(service, "D1", "P1") == []
    assert corrections.correction_status(service, "O1", "CR1")["history"][0]["by"] == "P1"


def test_the_history_is_for_the_patient_and_the_auditor_only_m13_1(service: Mahrem) -> None:
    loaded(service)
    assert len(corrections.record_history(service, "P1", "R5")["versions"]) == 1
    assert len(corrections.record_history(service, "A1", "R5")["versions"]) == 1
    for viewer in ("D1", "O1"):
        with pytest.raises(NotFound):
            corrections.record_history(service, viewer, "R5")
    assert ("record_history_viewed", "accepted") in audit_actions(service)


def test_an_unknown_request_is_not_found_m13_1(service: Mahrem) -> None:
    loaded(service)
    with pytest.raises(NotFound):
        corrections.investigate(service, "O1", "CR404", t("2026-03-02T10:00:00+03:00"))
    with pytest.raises(NotFound):
        corrections.correct(service, "G1", "R404", FIXED, at=t("2026-03-02T10:00:00+03:00"))


def test_the_recipient_of_a_transfer_is_told_of_a_later_correction_kvkk_11_1_f(
    service: Mahrem,
) -> None:
    from mahrem.services import transfers

    loaded(service)
    event(
        service,
        "2026-02-02T09:00:00+03:00",
        "transfer_consent_given",
        patient="P1",
        recipient_kind="private",
    )
    sent = transfers.transfer(
        service,
        "A1",
        transfers.Selection(records=("R5",)),
        {"kind": "private", "name": "Özel Sigorta A.Ş."},
        at=t("2026-02-03T10:00:00+03:00"),
    )
    assert sent.status == "packaged"
    assert transfers.recipient_notices(service, "A1") == []
    filed(service)
    corrections.forward(service, "O1", "CR1", t("2026-03-03T10:00:00+03:00"))
    corrections.correct(service, "G1", "R5", FIXED, at=t("2026-03-04T10:00:00+03:00"))
    [notice] = transfers.recipient_notices(service, "A1")
    assert (notice["transfer"], notice["record"], notice["change"]) == (sent.id, "R5", "corrected")
    assert notice["recipient"] == {"kind": "private", "name": "Özel Sigorta A.Ş.", "country": None}
