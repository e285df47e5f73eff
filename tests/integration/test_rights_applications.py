"""KVKK 11 and 13 (M5/6–7): applications of every kind, their statuses and the 30-day deadline
in Istanbul calendar days; "give me my data" as a Bundle and a PDF; information notices (M5/8)."""

from __future__ import annotations

import io
import sys
import types
from typing import Any

import pytest
from pypdf import PdfReader

from mahrem.adapters.pdf_summary import render_summary
from mahrem.domain.errors import Forbidden, InputError, MahremError, NotFound
from mahrem.services import access
from mahrem.services import rights as apps
from mahrem.services.ports import Mahrem
from mahrem.services.transfers import transfer
from tests.integration.helpers import event, loaded, rows, t
from tests.worlds import tckn

# 1 March 2026, 23:30 in Istanbul (20:30 UTC): the Istanbul day is 1 March, due 31 March.
FILED = t("2026-03-01T23:30:00+03:00")


def file(
    service: Mahrem, kind: str = "information", patient: str = "P1", **kw: Any
) -> dict[str, Any]:
    return apps.file_application(service, patient, kind, "Hakkımda işlenen veriler", at=FILED, **kw)


# -- filing and every kind ------------------------------------------------------------------------
def test_a_patient_files_every_kind_of_kvkk_11_application_m5_6(service: Mahrem) -> None:
    loaded(service)
    made = [file(service, kind) for kind in apps.KINDS]
    assert [a["article"] for a in made] == [
        "KVKK 11/1-a",
        "KVKK 11/1-b",
        "KVKK 11/1-c",
        "KVKK 11/1-ç",
        "KVKK 11/1-d",
        "KVKK 11/1-e",
        "KVKK 11/1-f",
        "KVKK 11/1-g",
        "KVKK 11/1-ğ",
    ]
    assert {a["status"] for a in made} == {"received"}
    assert [
        e["action"] for e in rows(service, "audit_log") if e["action"] == "application_filed"
    ] == ["application_filed"] * 9


def test_an_unknown_kind_an_empty_subject_or_another_patients_record_is_refused_m5_7(
    service: Mahrem,
) -> None:
    loaded(service)
    with pytest.raises(InputError):
        file(service, "everything")
    with pytest.raises(InputError):
        apps.file_application(service, "P1", "information", "  ", at=FILED)
    with pytest.raises(InputError):
        file(service, "correction", record="R4")  # C1's record
    assert file(service, "correction", record="R1")["record"] == "R1"


# -- the 30-day deadline (KVKK 13/2) -----------------------------------------------------------
def test_the_answer_is_due_on_the_30th_istanbul_day_and_overdue_on_the_31st_kvkk_13_2(
    service: Mahrem,
) -> None:
    loaded(service)
    app = file(service)
    assert app["due_date"] == "2026-03-31"
    last_minute = t("2026-03-31T23:59:59+03:00")
    first_minute = t("2026-04-01T00:00:00+03:00")
    assert apps.get_application(service, "P1", app["id"], at=last_minute)["overdue"] is False
    assert apps.get_application(service, "P1", app["id"], at=last_minute)["days_left"] == 0
    assert apps.get_application(service, "P1", app["id"], at=first_minute)["overdue"] is True
    assert [a["id"] for a in apps.overdue_applications(service, "A1", at=last_minute)] == []
    assert [a["id"] for a in apps.overdue_applications(service, "A1", at=first_minute)] == [
        app["id"]
    ]


def test_the_deadline_follows_the_istanbul_day_not_utc_kvkk_13_2(service: Mahrem) -> None:
    loaded(service)
    # 21:30 UTC on 28 February is already 1 March in Istanbul.
    app = apps.file_application(service, "P1", "processed", "?", at=t("2026-02-28T21:30:00+00:00"))
    assert app["due_date"] == "2026-03-31"


def test_the_answer_period_comes_from_the_policy_kvkk_13_2(service: Mahrem) -> None:
    loaded(service)
    access.change_policy(
        service, {"application_answer_days": 10}, by="G1", at=t("2026-02-01T00:00:00+03:00")
    )
    assert file(service)["due_date"] == "2026-03-11"


def test_an_answer_after_the_due_day_is_marked_late_kvkk_13_2(service: Mahrem) -> None:
    loaded(service)
    in_time, late = file(service), file(service)
    done = apps.answer_application(
        service,
        "A1",
        in_time["id"],
        "answered",
        answer="Bilgi ektedir.",
        at=t("2026-03-31T23:00:00+03:00"),
    )
    assert (done["late"], done["overdue"]) == (False, False)
    done = apps.answer_application(
        service,
        "A1",
        late["id"],
        "answered",
        answer="Bilgi ektedir.",
        at=t("2026-04-01T00:00:00+03:00"),
    )
    assert (done["late"], done["overdue"]) == (True, False)


# -- statuses ---------------------------------------------------------------------------------
def test_an_application_goes_from_received_to_review_to_answered_with_its_history_kvkk_13(
    service: Mahrem,
) -> None:
    loaded(service)
    app = file(service)
    reviewed = apps.start_review(service, "A1", app["id"], at=t("2026-03-02T10:00:00+03:00"))
    assert reviewed["status"] == "in_review"
    with pytest.raises(InputError):
        apps.start_review(service, "A1", app["id"], at=t("2026-03-02T11:00:00+03:00"))
    done = apps.answer_application(
        service,
        "G1",
        app["id"],
        "answered",
        answer="Verileriniz işlenmektedir.",
        at=t("2026-03-03T10:00:00+03:00"),
    )
    assert [h["status"] for h in done["history"]] == ["received", "in_review", "answered"]
    assert (done["answered_by"], done["answer"]) == ("G1", "Verileriniz işlenmektedir.")
    seen = apps.get_application(service, "P1", app["id"], at=t("2026-03-04T10:00:00+03:00"))
    assert seen["status_text"] == "Cevaplandı" and seen["days_left"] is None
    with pytest.raises(InputError):
        apps.answer_application(
            service, "A1", app["id"], "granted", at=t("2026-03-05T10:00:00+03:00")
        )


def test_a_rejection_states_its_reason_kvkk_13_3(service: Mahrem) -> None:
    loaded(service)
    app = file(service, "compensation")
    with pytest.raises(InputError):
        apps.answer_application(
            service, "A1", app["id"], "rejected", at=t("2026-03-02T10:00:00+03:00")
        )
    done = apps.answer_application(
        service,
        "A1",
        app["id"],
        "rejected",
        reason="Zarar belgelenmedi.",
        at=t("2026-03-02T10:00:00+03:00"),
    )
    assert (done["status"], done["reason"]) == ("rejected", "Zarar belgelenmedi.")
    log = [e for e in rows(service, "audit_log") if e["action"] == "application_rejected"]
    assert log[0]["reason"] == "Zarar belgelenmedi." and log[0]["basis"] == "KVKK 11/1-ğ"


def test_an_answer_needs_a_text_and_a_known_status_kvkk_13(service: Mahrem) -> None:
    loaded(service)
    app = file(service)
    for status, kw in (("answered", {}), ("done", {"answer": "x"}), ("received", {"answer": "x"})):
        with pytest.raises(InputError):
            apps.answer_application(service, "A1", app["id"], status, at=FILED, **kw)


def test_a_correction_application_is_granted_kvkk_11_1_d(service: Mahrem) -> None:
    loaded(service)
    app = file(service, "correction", record="R1")
    done = apps.answer_application(
        service,
        "A1",
        app["id"],
        "granted",
        answer="Düzeltme talebi iletildi.",
        at=t("2026-03-02T10:00:00+03:00"),
    )
    assert done["status"] == "granted"


def test_only_the_dpo_or_gm_answers_kvkk_13(service: Mahrem) -> None:
    loaded(service)
    app = file(service)
    for who in ("P1", "D1", "O1"):
        with pytest.raises(Forbidden):
            apps.start_review(service, who, app["id"], at=t("2026-03-02T10:00:00+03:00"))
        with pytest.raises(Forbidden):
            apps.answer_application(
                service, who, app["id"], "answered", answer="x", at=t("2026-03-02T10:00:00+03:00")
            )
    with pytest.raises(Forbidden):
        apps.overdue_applications(service, "D1", at=FILED)


def test_a_patient_sees_only_their_own_applications_kvkk_13(service: Mahrem) -> None:
    loaded(service)
    mine = file(service)
    file(service, patient="M1")
    with pytest.raises(NotFound) as err:
        apps.get_application(service, "M1", mine["id"], at=FILED)
    assert err.value.code == "application.unknown"
    with pytest.raises(NotFound):
        apps.get_application(service, "P1", 999, at=FILED)
    assert [a["id"] for a in apps.list_applications(service, "P1", at=FILED)] == [mine["id"]]
    with pytest.raises(Forbidden):
        apps.list_applications(service, "P1", patient="M1", at=FILED)
    assert len(apps.list_applications(service, "A1", at=FILED)) == 2
    assert len(apps.list_applications(service, "A1", patient="M1", at=FILED)) == 1
    assert len(apps.list_applications(service, "A1", limit=1, offset=1, at=FILED)) == 1


# -- deletion (11/1-e) through the lifecycle service -------------------------------------------
def test_granting_a_deletion_destroys_through_the_lifecycle_service_kvkk_11_1_e(
    service: Mahrem, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded(service)
    calls: list[tuple[Any, ...]] = []
    fake = types.ModuleType("mahrem.services.lifecycle")

    def destroy_patient_data(
        m: Mahrem,
        patient: str,
        method: str,
        by: str,
        at: Any = None,
        *,
        reason: str = "",
        request: str | None = None,
    ) -> dict[str, Any]:
        calls.append((patient, method, by, at, reason, request))
        return {"records": 2}

    fake.destroy_patient_data = destroy_patient_data  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mahrem.services.lifecycle", fake)
    app = file(service, "deletion")
    at = t("2026-03-05T10:00:00+03:00")
    done = apps.answer_application(
        service, "A1", app["id"], "granted", answer="Silindi.", method="destroy", at=at
    )
    assert calls == [
        (
            "P1",
            "destroy",
            "A1",
            at,
            f"KVKK 11/1-e application {app['id']}",
            f"application/{app['id']}",
        )
    ]
    assert done["outcome"] == {"method": "destroy", "result": {"records": 2}}


def test_a_deletion_stays_open_when_destruction_is_refused_or_missing_kvkk_11_1_e(
    service: Mahrem, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mahrem.domain.errors import Refused

    loaded(service)
    app = file(service, "deletion")
    fake = types.ModuleType("mahrem.services.lifecycle")

    def refuse(*args: Any, **kw: Any) -> None:
        raise Refused("destroy.retention_after_death", "kept 20 years", basis="11/2")

    fake.destroy_patient_data = refuse  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mahrem.services.lifecycle", fake)
    with pytest.raises(Refused):
        apps.answer_application(
            service, "A1", app["id"], "granted", at=t("2026-03-05T10:00:00+03:00")
        )
    monkeypatch.setitem(
        sys.modules, "mahrem.services.lifecycle", types.ModuleType("mahrem.services.lifecycle")
    )
    with pytest.raises(MahremError) as err:
        apps.answer_application(
            service, "A1", app["id"], "granted", at=t("2026-03-05T10:00:00+03:00")
        )
    assert err.value.code == "lifecycle.missing"
    with pytest.raises(InputError):
        apps.answer_application(
            service, "A1", app["id"], "granted", method="shred", at=t("2026-03-05T10:00:00+03:00")
        )
    assert apps.get_application(service, "P1", app["id"], at=FILED)["status"] == "received"
    rejected = apps.answer_application(
        service,
        "A1",
        app["id"],
        "rejected",
        reason="Saklama süresi dolmadı.",
        at=t("2026-03-06T10:00:00+03:00"),
    )
    assert rejected["status"] == "rejected"


def test_a_granted_deletion_leaves_nothing_to_read_in_my_data_kvkk_11_1_e(service: Mahrem) -> None:
    loaded(service)
    deletion, info = file(service, "deletion"), file(service, "information")
    done = apps.answer_application(
        service,
        "A1",
        deletion["id"],
        "granted",
        answer="Silindi.",
        method="delete",
        at=t("2026-03-05T10:00:00+03:00"),
    )
    assert sorted(done["outcome"]["result"]["records"]) == ["R1", "R2"]
    bundle = apps.my_data(service, "P1", info["id"], at=t("2026-03-06T10:00:00+03:00"))
    assert [e["fullUrl"] for e in bundle["entry"]] == ["urn:mahrem:patient:P1"]


# -- give me my data ---------------------------------------------------------------------------
def test_my_data_is_a_bundle_of_the_patients_records_read_as_the_patient_m5_6(
    service: Mahrem,
) -> None:
    loaded(service)
    app = file(service)
    bundle = apps.my_data(service, "P1", app["id"], at=t("2026-03-02T10:00:00+03:00"))
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert urls == ["urn:mahrem:patient:P1", "urn:mahrem:record:R1", "urn:mahrem:record:R2"]
    assert bundle["entry"][0]["resource"]["identifier"][0]["value"] == tckn(1)
    reads = [
        (e["actor"], e["record"], e["outcome"], e["basis"])
        for e in rows(service, "audit_log")
        if e["action"] == "read"
    ]
    assert reads == [("P1", "R1", "permit", "5/6"), ("P1", "R2", "permit", "5/6")]


def test_nobody_else_gets_a_patients_data_through_an_application_m5_6(service: Mahrem) -> None:
    loaded(service)
    app = file(service)
    for who in ("M1", "A1", "D1"):
        with pytest.raises(NotFound):
            apps.my_data(service, who, app["id"], at=FILED)
    other = file(service, "compensation")
    with pytest.raises(InputError):
        apps.my_data(service, "P1", other["id"], at=FILED)


def test_the_pdf_summary_holds_the_patients_data_in_turkish_m5_6(service: Mahrem) -> None:
    loaded(service)
    event(
        service,
        "2026-02-01T09:00:00+03:00",
        "protocol_signed",
        id="PR1",
        institution="SGK",
        categories=["laboratory"],
    )
    transfer(
        service,
        "A1",
        "P1",
        {"kind": "public", "name": "Sosyal Güvenlik Kurumu", "protocol": "PR1"},
        at=t("2026-02-10T10:00:00+03:00"),
    )
    app = file(service, "recipients")
    pdf = apps.my_data_pdf(
        service, "P1", app["id"], render_summary, at=t("2026-03-02T10:00:00+03:00")
    )
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for expected in (
        "Kişisel Sağlık Verilerim",
        "Kişi P1",
        tckn(1),
        "01.05.1980",
        "İzmir EAH",
        "Glucose",
        "Laboratuvar",
        "Ruh sağlığı",
        "Sosyal Güvenlik Kurumu",
        "15/2",
        "Kayıtlarınız (2)",
    ):
        assert expected in text, expected
    assert [
        e["action"]
        for e in rows(service, "audit_log")
        if e["action"] == "application_summary_printed"
    ]


# -- information notices (M5/8) --------------------------------------------------------------------
def publish(service: Mahrem, n: int, at: str) -> dict[str, Any]:
    return apps.publish_notice(
        service,
        "A1",
        title_tr=f"Aydınlatma Metni {n}",
        title_en=f"Information notice {n}",
        body_tr=f"Sürüm {n}: verileriniz işlenir.",
        body_en=f"Version {n}: your data are processed.",
        at=t(at),
    )


def test_notices_are_versioned_and_the_version_each_patient_saw_is_recorded_m5_8(
    service: Mahrem,
) -> None:
    loaded(service)
    assert publish(service, 1, "2026-02-01T10:00:00+03:00")["version"] == 1
    assert publish(service, 2, "2026-03-01T10:00:00+03:00")["version"] == 2
    assert apps.get_notice(service, at=t("2026-02-15T10:00:00+03:00"))["version"] == 1
    assert apps.get_notice(service, at=t("2026-03-15T10:00:00+03:00"))["body_en"].startswith(
        "Version 2"
    )
    assert [n["version"] for n in apps.list_notices(service)] == [2, 1]
    first = apps.record_notice_seen(service, "P1", 1, at=t("2026-02-10T10:00:00+03:00"))
    again = apps.record_notice_seen(service, "P1", 1, at=t("2026-02-11T10:00:00+03:00"))
    assert first == again and first["seen_at"].startswith("2026-02-10")
    apps.record_notice_seen(service, "P1", 2, at=t("2026-03-02T10:00:00+03:00"))
    apps.record_notice_seen(service, "M1", 2, at=t("2026-03-03T10:00:00+03:00"))
    assert [v["version"] for v in apps.notice_views(service, "P1", at=FILED)] == [1, 2]
    assert [v["patient"] for v in apps.notice_views(service, "A1", version=2, at=FILED)] == [
        "P1",
        "M1",
    ]
    with pytest.raises(Forbidden):
        apps.notice_views(service, "P1", patient="M1", at=FILED)


def test_a_notice_cannot_be_seen_before_it_exists_nor_published_by_others_m5_8(
    service: Mahrem,
) -> None:
    loaded(service)
    publish(service, 1, "2026-02-01T10:00:00+03:00")
    with pytest.raises(NotFound):
        apps.record_notice_seen(service, "P1", 1, at=t("2026-01-31T10:00:00+03:00"))
    with pytest.raises(NotFound):
        apps.record_notice_seen(service, "P1", 7, at=FILED)
    with pytest.raises(NotFound):
        apps.get_notice(service, 7)
    with pytest.raises(Forbidden):
        apps.publish_notice(
            service, "D1", title_tr="x", title_en="x", body_tr="x", body_en="x", at=FILED
        )
    with pytest.raises(InputError):
        apps.publish_notice(
            service, "A1", title_tr="x", title_en="", body_tr="x", body_en="x", at=FILED
        )
