"""M18/2 breach register: the 72-hour deadline to notify the Board, affected patients from the
audit log, the Board's form draft and the patients' notice; only a dpo manages it."""

from __future__ import annotations

from typing import Any

import pytest

from mahrem.domain.errors import Forbidden, InputError, NotFound
from mahrem.services import access
from mahrem.services import rights as breaches
from mahrem.services.ports import Mahrem
from tests.integration.helpers import event, loaded, read, rows, t

DETECTED = t("2026-03-02T15:00:00+03:00")


def world(service: Mahrem) -> Mahrem:
    """D1 reads P1's R1 and C1's R4 through S1 during check-ins; D3 reads nothing; D1's read of
    R2 outside any window is refused (nothing disclosed)."""
    loaded(service)
    event(service, "2026-03-02T09:00:00+03:00", "check_in", id="E1", patient="P1", facility="F1")
    event(service, "2026-03-02T09:00:00+03:00", "check_in", id="E2", patient="C1", facility="F1")
    assert read(service, "2026-03-02T10:00:00+03:00", via="S1")[0] == "permit"
    assert (
        read(service, "2026-03-02T10:05:00+03:00", record="R4", patient="C1", via="S1")[0]
        == "permit"
    )
    event(service, "2026-03-02T09:00:00+03:00", "check_in", id="E3", patient="M1", facility="F3")
    return service


def record(service: Mahrem, **kw: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "detected_at": DETECTED,
        "description": "D1'in parolası ele geçirildi.",
        "categories": ["laboratory"],
        "at": DETECTED,
        **kw,
    }
    return breaches.record_breach(service, "A1", **values)


# -- the register -------------------------------------------------------------------------------
def test_a_breach_is_recorded_with_what_whose_and_the_measures_m18_2(service: Mahrem) -> None:
    world(service)
    b = record(
        service,
        measures=["Hesap kilitlendi."],
        source="Kimlik avı",
        occurred_from=t("2026-03-02T09:30:00+03:00"),
    )
    assert (b["status"], b["source"], b["categories"]) == ("open", "Kimlik avı", ["laboratory"])
    assert [m["text"] for m in b["measures"]] == ["Hesap kilitlendi."]
    b = breaches.add_measure(
        service, "A1", b["id"], "Parola sıfırlandı.", at=t("2026-03-02T16:00:00+03:00")
    )
    assert [m["text"] for m in b["measures"]] == ["Hesap kilitlendi.", "Parola sıfırlandı."]
    actions = [e["action"] for e in rows(service, "audit_log") if e["action"].startswith("breach_")]
    assert actions == ["breach_recorded", "breach_measure_added"]


def test_bad_breach_input_is_refused_m18_2(service: Mahrem) -> None:
    world(service)
    for kw in (
        {"description": " "},
        {"categories": []},
        {"categories": ["secrets"]},
        {"detected_at": t("2026-03-03T15:00:00+03:00")},
    ):
        with pytest.raises(InputError):
            record(service, **kw)
    with pytest.raises(NotFound):
        breaches.get_breach(service, "A1", 42, at=DETECTED)


def test_only_a_data_protection_officer_manages_the_register_m18_2(service: Mahrem) -> None:
    world(service)
    b = record(service)
    calls = [
        lambda who: breaches.record_breach(
            service, who, detected_at=DETECTED, description="x", categories=["general"], at=DETECTED
        ),
        lambda who: breaches.add_measure(service, who, b["id"], "x", at=DETECTED),
        lambda who: breaches.find_affected(service, who, b["id"], actor="D1", at=DETECTED),
        lambda who: breaches.notify_board(service, who, b["id"], at=DETECTED),
        lambda who: breaches.get_breach(service, who, b["id"], at=DETECTED),
        lambda who: breaches.list_breaches(service, who, at=DETECTED),
        lambda who: breaches.board_draft(service, who, b["id"], at=DETECTED),
        lambda who: breaches.close_breach(service, who, b["id"], at=DETECTED),
    ]
    for who in ("G1", "D1", "P1"):
        for call in calls:
            with pytest.raises(Forbidden):
                call(who)
    refused = [
        e
        for e in rows(service, "audit_log")
        if e["outcome"] == "rejected" and e["action"].startswith("breach_")
    ]
    assert len(refused) == 3 * len(calls) and {e["reason"] for e in refused} == {"breach.forbidden"}
    assert breaches.get_breach(service, "A1", b["id"], at=DETECTED)["measures"] == []


# -- the 72 hours --------------------------------------------------------------------------------
def test_the_board_deadline_is_the_72nd_hour_after_detection_m18_2(service: Mahrem) -> None:
    world(service)
    b = record(service)
    assert t(b["board_deadline"]) == t("2026-03-05T15:00:00+03:00")
    before = breaches.get_breach(service, "A1", b["id"], at=t("2026-03-05T14:59:59+03:00"))
    at_72 = breaches.get_breach(service, "A1", b["id"], at=t("2026-03-05T15:00:00+03:00"))
    assert (before["overdue"], at_72["overdue"]) == (False, True)
    assert before["hours_left"] == 0.0 and at_72["hours_left"] == 0.0
    assert [
        x["id"]
        for x in breaches.list_breaches(
            service, "A1", overdue=True, at=t("2026-03-05T15:00:00+03:00")
        )
    ] == [b["id"]]
    assert (
        breaches.list_breaches(service, "A1", overdue=True, at=t("2026-03-05T14:00:00+03:00")) == []
    )


def test_the_72_hours_come_from_the_policy_m18_2(service: Mahrem) -> None:
    world(service)
    access.change_policy(
        service, {"breach_notification_hours": 24}, by="G1", at=t("2026-03-01T00:00:00+03:00")
    )
    assert t(record(service)["board_deadline"]) == t("2026-03-03T15:00:00+03:00")


def test_a_notification_within_72_hours_needs_no_reason_m18_2(service: Mahrem) -> None:
    world(service)
    b = record(service)
    done = breaches.notify_board(service, "A1", b["id"], at=t("2026-03-05T14:59:00+03:00"))
    assert (done["status"], done["late"], done["overdue"], done["hours_left"]) == (
        "notified",
        False,
        False,
        None,
    )
    with pytest.raises(InputError):
        breaches.notify_board(service, "A1", b["id"], at=t("2026-03-05T15:30:00+03:00"))


def test_a_notification_at_the_72nd_hour_must_say_why_it_is_late_m18_2(service: Mahrem) -> None:
    world(service)
    b = record(service)
    with pytest.raises(InputError) as err:
        breaches.notify_board(service, "A1", b["id"], at=t("2026-03-05T15:00:00+03:00"))
    assert err.value.code == "breach.delay_reason_missing"
    done = breaches.notify_board(
        service,
        "A1",
        b["id"],
        delay_reason="Adli inceleme bekleniyordu.",
        at=t("2026-03-05T15:00:00+03:00"),
    )
    assert (done["late"], done["delay_reason"]) == (True, "Adli inceleme bekleniyordu.")


def test_a_breach_closes_only_after_the_board_was_notified_m18_2(service: Mahrem) -> None:
    world(service)
    b = record(service)
    with pytest.raises(InputError):
        breaches.close_breach(service, "A1", b["id"], at=t("2026-03-03T10:00:00+03:00"))
    breaches.notify_board(service, "A1", b["id"], at=t("2026-03-03T10:00:00+03:00"))
    closed = breaches.close_breach(service, "A1", b["id"], at=t("2026-03-04T10:00:00+03:00"))
    assert closed["status"] == "closed"
    with pytest.raises(InputError):
        breaches.add_measure(service, "A1", b["id"], "geç", at=t("2026-03-04T11:00:00+03:00"))
    assert [
        x["status"] for x in breaches.list_breaches(service, "A1", status="closed", at=DETECTED)
    ] == ["closed"]


# -- affected patients from the audit log ------------------------------------------------------
def test_the_affected_patients_are_those_whose_records_the_actor_was_given_m18_2(
    service: Mahrem,
) -> None:
    world(service)
    assert read(service, "2026-03-02T11:00:00+03:00", actor="D3", record="R1")[0] == "deny"
    b = record(service)
    found = breaches.find_affected(service, "A1", b["id"], actor="D1", at=DETECTED)
    assert (found["affected_patients"], found["affected_records"]) == (["C1", "P1"], 2)
    none = breaches.find_affected(service, "A1", record(service)["id"], actor="D3", at=DETECTED)
    assert none["affected_patients"] == []  # a refused read disclosed nothing


def test_affected_patients_by_installation_time_window_and_records_m18_2(service: Mahrem) -> None:
    world(service)
    b = record(service)
    window = breaches.find_affected(
        service,
        "A1",
        b["id"],
        via="S1",
        since=t("2026-03-02T10:01:00+03:00"),
        until=t("2026-03-02T11:00:00+03:00"),
        at=DETECTED,
    )
    assert window["affected_patients"] == ["C1"]
    again = breaches.find_affected(service, "A1", b["id"], records=["R1"], at=DETECTED)
    assert again["affected_patients"] == ["C1", "P1"]
    assert len(rows(service, "breach_patient", breach=b["id"])) == 2
    twice = breaches.find_affected(service, "A1", b["id"], records=["R1"], at=DETECTED)
    assert (
        len(rows(service, "breach_patient", breach=b["id"])) == 2 and twice["affected_records"] == 2
    )
    assert len(twice["scope"]) == 3
    with pytest.raises(InputError):
        breaches.find_affected(service, "A1", b["id"], at=DETECTED)


# -- what is sent ------------------------------------------------------------------------------
def test_the_board_draft_fills_the_notification_form_m18_2(service: Mahrem) -> None:
    world(service)
    b = record(
        service, measures=["Hesap kilitlendi."], occurred_from=t("2026-03-02T09:30:00+03:00")
    )
    breaches.find_affected(service, "A1", b["id"], actor="D1", at=DETECTED)
    draft = breaches.board_draft(service, "A1", b["id"], at=t("2026-03-03T10:00:00+03:00"))
    fields = {f["field"]: f["value"] for f in draft["fields"]}
    assert fields["notice_type"] == "İlk bildirim"
    assert fields["persons"] == 2 and fields["records"] == 2
    assert (
        fields["detected_at"] == "02.03.2026 15:00" and fields["breach_start"] == "02.03.2026 09:30"
    )
    assert (
        "laboratuvar sonuçları" in fields["categories"]
        and "Hesap kilitlendi." in fields["measures"]
    )
    assert fields["contact"].startswith("Kişi A1")
    assert {f["label_tr"] for f in draft["fields"]} >= {"Etkilenen kişi sayısı", "Gecikme nedeni"}
    late = breaches.board_draft(service, "A1", b["id"], at=t("2026-03-06T10:00:00+03:00"))
    assert (
        late["overdue"]
        and {f["field"]: f["value"] for f in late["fields"]}["delay_reason"]
        == "GECİKME NEDENİ YAZILMALI"
    )


def test_the_patient_notice_is_in_turkish_and_english_m18_2(service: Mahrem) -> None:
    world(service)
    b = record(service, measures=["Hesap kilitlendi."])
    breaches.find_affected(service, "A1", b["id"], actor="D1", at=DETECTED)
    notice = breaches.patient_notice(service, "A1", b["id"], "P1", at=DETECTED)
    assert notice["tr"].startswith("Sayın Kişi P1") and "02.03.2026 15:00" in notice["tr"]
    assert "laboratuvar sonuçları (1 kayıt)" in notice["tr"]
    assert (
        notice["en"].startswith("Dear Kişi P1") and "laboratory results (1 records)" in notice["en"]
    )
    with pytest.raises(NotFound):
        breaches.patient_notice(service, "A1", b["id"], "M1", at=DETECTED)
    done = breaches.patients_notified(service, "A1", b["id"], at=t("2026-03-03T10:00:00+03:00"))
    assert done["patients_notified"] == 2
