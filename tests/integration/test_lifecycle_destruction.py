"""Destruction and retention (M14, M11/2): periodic runs by the data protection officer that
delete, destroy (crypto-shredding) or anonymise what is due, destruction records kept three
years, dry runs, interrupted runs resumed, and the data subject's request."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mahrem.domain.errors import Forbidden, InputError, Refused
from mahrem.services import access, lifecycle
from mahrem.services.demo.loading import load_into
from mahrem.services.policies import ensure_policy, policy_at
from mahrem.services.ports import Mahrem
from mahrem.services.records import current_resource, key_name
from tests.integration.helpers import event, rows, t, without_version
from tests.worlds import OBSERVATION, world

RULES = {
    "retention_rules": {
        "laboratory": {"years": 1, "method": "anonymise"},
        "psychiatry": {"years": 1, "method": "destroy"},
        "general": {"years": 1, "method": "delete"},
    }
}
RUN_AT = "2027-06-01T10:00:00+03:00"  # every base-world record is more than a year old


def loaded(service: Mahrem, rules: dict[str, Any] | None = RULES) -> Mahrem:
    at = t("2026-01-01T00:00:00+03:00")
    with service.uow.write() as store:
        ensure_policy(store)
        load_into(store, world(), policy_at(store, at), at, keys=service.keys)
    if rules is not None:
        access.change_policy(service, rules, "G1", t("2026-01-01T01:00:00+03:00"))
    return service


def read(service: Mahrem, record: str) -> dict[str, Any] | None:
    """The record's content as stored, without the version metadata set on reading."""
    with service.uow.write() as store:
        return without_version(current_resource(store, service.keys, record))


def add(
    service: Mahrem, rid: str, patient: str, category: str, at: str = "2026-02-01T10:00:00+03:00"
) -> None:
    event(
        service,
        at,
        "record_created",
        record={
            "id": rid,
            "patient": patient,
            "facility": "F1",
            "author": "D1",
            "category": category,
            "resource": {
                **OBSERVATION,
                "subject": {"reference": f"Patient/{patient}", "display": "Kişi"},
            },
        },
    )


def test_a_dry_run_shows_what_is_due_and_changes_nothing_m14_1(service: Mahrem) -> None:
    loaded(service)
    before = len(rows(service, "audit_log"))
    plan = lifecycle.run(service, "A1", t(RUN_AT), dry_run=True)
    assert plan["dry_run"] and plan["run"] is None and plan["due"] == 3
    assert {(i["record"], i["method"], i["decision"]) for i in plan["items"]} == {
        ("R1", "anonymise", "permit"),
        ("R2", "destroy", "permit"),
        ("R4", "anonymise", "permit"),
    }
    assert plan["counts"] == {"deleted": 0, "destroyed": 1, "anonymised": 2, "refused": 0}
    assert rows(service, "record_disposal") == [] and rows(service, "lifecycle_run") == []
    assert read(service, "R1") == OBSERVATION
    assert len(rows(service, "audit_log")) == before + 1  # the dry run itself


def test_nothing_is_due_before_the_retention_period_ends_m14_1(service: Mahrem) -> None:
    loaded(service)
    result = lifecycle.run(service, "A1", t("2026-06-01T10:00:00+03:00"))
    assert result["due"] == 0 and result["counts"]["destroyed"] == 0
    [run] = rows(service, "lifecycle_run")
    assert run["finished_at"] is not None and run["due"] == 0  # the run is recorded even when empty


def test_a_run_applies_each_categorys_method_m14_1(service: Mahrem) -> None:
    loaded(service)
    add(service, "R6", "P1", "general")
    result = lifecycle.run(service, "A1", t(RUN_AT))
    assert result["counts"] == {"deleted": 1, "destroyed": 1, "anonymised": 2, "refused": 0}
    assert {r["record"]: r["method"] for r in rows(service, "record_disposal")} == {
        "R1": "anonymised",
        "R2": "destroyed",
        "R4": "anonymised",
        "R6": "deleted",
    }
    assert all(read(service, r) is None for r in ("R1", "R2", "R4", "R6"))


def test_a_deleted_record_is_out_of_every_users_reach_but_not_shredded_m14_1(
    service: Mahrem,
) -> None:
    loaded(service, {"retention_rules": {"general": {"years": 1, "method": "delete"}}})
    add(service, "R6", "P1", "general")
    lifecycle.run(service, "A1", t(RUN_AT))
    assert read(service, "R6") is None and read(service, "R1") == OBSERVATION
    [version] = rows(service, "record_version", record="R6")
    assert version["ciphertext"] is not None and service.keys.has_data_key(
        key_name("P1", version["key_version"])
    )
    [record] = rows(service, "destruction_record")
    assert (record["method"], record["key_shredded"]) == ("delete", False)


def test_a_destroyed_record_is_shredded_with_its_patients_old_key_m14_1(service: Mahrem) -> None:
    loaded(service, {"retention_rules": {"psychiatry": {"years": 1, "method": "destroy"}}})
    lifecycle.run(service, "A1", t(RUN_AT))
    assert read(service, "R2") is None and read(service, "R1") == OBSERVATION
    assert all(v["ciphertext"] is None for v in rows(service, "record_version", record="R2"))
    assert not service.keys.has_data_key(key_name("P1", 1))
    [record] = rows(service, "destruction_record")
    assert (record["record"], record["method"], record["basis"], record["key_shredded"]) == (
        "R2",
        "destroy",
        "14/1",
        True,
    )


def test_an_anonymised_record_keeps_a_copy_linked_to_no_one_m14_1(service: Mahrem) -> None:
    loaded(service, {"retention_rules": {"laboratory": {"years": 1, "method": "anonymise"}}})
    add(service, "R6", "P1", "laboratory", "2026-02-01T10:00:00+03:00")
    lifecycle.run(service, "A1", t(RUN_AT))
    copies = rows(service, "anonymised_record")
    assert len(copies) == 3 and {c["year"] for c in copies} == {2025, 2026}
    text = json.dumps(copies, default=str, ensure_ascii=False)
    for trace in ("P1", "C1", "R1", "R4", "R6", "Kişi"):
        assert trace not in text
    assert all(c["resource"]["code"]["coding"][0]["code"] == "2345-7" for c in copies)
    assert read(service, "R6") is None


def test_every_disposal_has_a_destruction_record_kept_three_years_m14_1(service: Mahrem) -> None:
    loaded(service)
    result = lifecycle.run(service, "A1", t(RUN_AT))
    records = lifecycle.destruction_records(service, "A1")
    assert {r["record"] for r in records} == {"R1", "R2", "R4"}
    for r in records:
        assert (r["run"], r["by"], r["basis"], r["reason"]) == (
            result["run"],
            "A1",
            "14/1",
            "retention.category",
        )
        assert t(r["done_at"]) == t(RUN_AT)
        assert t(r["keep_until"]) >= t("2030-06-01T10:00:00+03:00")
        assert r["due_at"] is not None
    assert len(lifecycle.destruction_records(service, "A1", limit=2)) == 2
    assert len(lifecycle.destruction_records(service, "A1", offset=2)) == 1
    assert [r["record"] for r in lifecycle.destruction_records(service, "A1", patient="C1")] == [
        "R4"
    ]
    [run] = lifecycle.runs(service, "A1")
    assert run["finished_at"] is not None and run["counts"]["anonymised"] == 2
    actions = [r["action"] for r in rows(service, "audit_log")]
    assert (
        actions.count("destroy") == 3
        and "record_anonymised" in actions
        and "lifecycle_run" in actions
    )


def test_only_the_data_protection_officer_runs_or_reads_destruction_m14_1(service: Mahrem) -> None:
    loaded(service)
    for who in ("G1", "D1", "P1"):
        with pytest.raises(Forbidden):
            lifecycle.run(service, who, t(RUN_AT))
        with pytest.raises(Forbidden):
            lifecycle.destruction_records(service, who)
        with pytest.raises(Forbidden):
            lifecycle.destroy_patient_data(service, "P1", "destroy", who, t(RUN_AT))
    assert rows(service, "record_disposal") == []


def test_a_run_twice_disposes_of_nothing_twice_m14_1(service: Mahrem) -> None:
    loaded(service)
    lifecycle.run(service, "A1", t(RUN_AT))
    again = lifecycle.run(service, "A1", t("2027-06-02T10:00:00+03:00"))
    assert again["due"] == 0 and len(rows(service, "destruction_record")) == 3


# -- M11/2: the deceased ----------------------------------------------------------------------
def test_a_deceased_patients_data_are_kept_twenty_years_after_the_death_m11_2(
    service: Mahrem,
) -> None:
    loaded(service)
    event(service, "2026-05-10T10:00:00+03:00", "death", patient="P1")
    result = lifecycle.run(service, "A1", t(RUN_AT))
    assert {r["record"] for r in rows(service, "record_disposal")} == {"R4"}  # C1's, not P1's
    assert result["due"] == 1
    assert read(service, "R1") == OBSERVATION
    plan = lifecycle.run(service, "A1", t("2046-05-09T23:59:00+03:00"), dry_run=True)
    assert plan["due"] == 0
    plan = lifecycle.run(service, "A1", t("2046-05-10T00:00:00+03:00"), dry_run=True)
    assert {i["record"] for i in plan["items"]} == {"R1", "R2"}


def test_the_engine_refuses_a_request_to_destroy_a_recently_deceased_patients_data_m11_2(
    service: Mahrem,
) -> None:
    loaded(service, None)
    event(service, "2026-05-10T10:00:00+03:00", "death", patient="P1")
    with pytest.raises(Refused) as err:
        lifecycle.destroy_patient_data(
            service, "P1", "destroy", "A1", t("2030-01-01T10:00:00+03:00")
        )
    assert err.value.basis == "11/2"
    assert read(service, "R1") == OBSERVATION and rows(service, "destruction_record") == []
    denials = [r for r in rows(service, "audit_log") if r["action"] == "destroy"]
    assert denials and denials[0]["outcome"] == "deny" and denials[0]["basis"] == "11/2"
    done = lifecycle.destroy_patient_data(
        service, "P1", "destroy", "A1", t("2046-05-10T00:00:00+03:00")
    )
    assert sorted(done["records"]) == ["R1", "R2"]


def test_a_patient_under_a_concealment_order_is_refused_and_counted_m12_1(service: Mahrem) -> None:
    loaded(service)
    event(
        service,
        "2026-03-01T10:00:00+03:00",
        "concealment_order",
        patient="C1",
        court="Ankara 1. Aile",
        need_to_know=["O1"],
    )
    result = lifecycle.run(service, "A1", t(RUN_AT))
    assert result["counts"]["refused"] == 1 and result["refused"] == [
        {"record": "R4", "basis": "12/1", "reason": "concealment.order_active"}
    ]
    assert read(service, "R4") == OBSERVATION


# -- interrupted runs --------------------------------------------------------------------------
def many(service: Mahrem, n: int = 7) -> None:
    for i in range(n):
        add(service, f"RX{i}", "P1" if i % 2 else "C1", "psychiatry")


def test_an_interrupted_run_is_run_again_without_loss_or_duplication_m14_1(service: Mahrem) -> None:
    loaded(service)
    many(service)
    calls: list[tuple[int, int]] = []

    def stop_after_first_batch(done: int, total: int) -> None:
        calls.append((done, total))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        lifecycle.run(service, "A1", t(RUN_AT), progress=stop_after_first_batch, batch_size=2)
    first = len(rows(service, "destruction_record"))
    assert 0 < first < 10 and calls[0][1] == 10
    [unfinished] = rows(service, "lifecycle_run")
    assert unfinished["finished_at"] is None
    result = lifecycle.run(service, "A1", t(RUN_AT))
    assert result["due"] == 10 - first
    records = rows(service, "destruction_record")
    assert len(records) == 10 and len({r["record"] for r in records}) == 10
    assert all(read(service, r["record"]) is None for r in records)
    assert len(rows(service, "anonymised_record")) == 2  # R1 and R4 (laboratory), each once
    assert all(
        r["shredded_at"] is not None
        for r in rows(service, "data_key")
        if r["retired_at"] is not None
    )


def test_a_crash_between_commit_and_shredding_is_finished_by_the_next_run_m14_1(
    service: Mahrem, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded(service, {"retention_rules": {"psychiatry": {"years": 1, "method": "destroy"}}})
    real = service.keys.shred

    def crash(name: str) -> bool:
        raise OSError("power cut")

    monkeypatch.setattr(service.keys, "shred", crash)
    with pytest.raises(OSError):
        lifecycle.run(service, "A1", t(RUN_AT))
    assert read(service, "R2") is None and service.keys.has_data_key(key_name("P1", 1))
    [pending] = [r for r in rows(service, "data_key", patient="P1") if r["retired_at"] is not None]
    assert pending["shredded_at"] is None
    monkeypatch.setattr(service.keys, "shred", real)
    again = lifecycle.run(service, "A1", t(RUN_AT))
    assert again["due"] == 0 and not service.keys.has_data_key(key_name("P1", 1))
    assert len(rows(service, "destruction_record")) == 1


def test_progress_counts_every_due_record_once_m14_1(service: Mahrem) -> None:
    loaded(service)
    many(service, 4)
    seen: list[tuple[int, int]] = []
    lifecycle.run(service, "A1", t(RUN_AT), progress=lambda d, n: seen.append((d, n)), batch_size=3)
    assert seen[-1] == (7, 7) and [d for d, _ in seen] == sorted(d for d, _ in seen)


# -- the data subject's request ----------------------------------------------------------------
def test_a_patients_data_are_destroyed_on_request_and_a_second_request_finds_nothing_m14_1(
    service: Mahrem,
) -> None:
    loaded(service, None)
    done = lifecycle.destroy_patient_data(
        service, "P1", "destroy", "A1", t("2026-03-01T10:00:00+03:00"), request="AP1"
    )
    assert sorted(done["records"]) == ["R1", "R2"] and len(done["destruction_records"]) == 2
    assert read(service, "R1") is None and read(service, "R4") == OBSERVATION
    again = lifecycle.destroy_patient_data(
        service, "P1", "destroy", "A1", t("2026-03-02T10:00:00+03:00")
    )
    assert again["records"] == []
    records = rows(service, "destruction_record")
    assert {(r["request"], r["reason"], r["run"]) for r in records} == {
        ("AP1", "request.data_subject", None)
    }


def test_a_deleted_record_can_later_be_destroyed_but_not_the_other_way_m14_1(
    service: Mahrem,
) -> None:
    loaded(service, None)
    lifecycle.destroy_patient_data(service, "C1", "delete", "A1", t("2026-03-01T10:00:00+03:00"))
    assert rows(service, "record_disposal", record="R4")[0]["method"] == "deleted"
    up = lifecycle.destroy_patient_data(
        service, "C1", "destroy", "A1", t("2026-03-02T10:00:00+03:00")
    )
    assert (
        up["records"] == ["R4"]
        and rows(service, "record_disposal", record="R4")[0]["method"] == "destroyed"
    )
    down = lifecycle.destroy_patient_data(
        service, "C1", "delete", "A1", t("2026-03-03T10:00:00+03:00")
    )
    assert (
        down["records"] == []
        and rows(service, "record_disposal", record="R4")[0]["method"] == "destroyed"
    )


def test_a_destruction_request_with_an_unknown_method_or_patient_is_refused_m14_1(
    service: Mahrem,
) -> None:
    loaded(service, None)
    with pytest.raises(InputError):
        lifecycle.destroy_patient_data(service, "P1", "burn", "A1", t("2026-03-01T10:00:00+03:00"))
    with pytest.raises(InputError):
        lifecycle.destroy_patient_data(
            service, "P404", "destroy", "A1", t("2026-03-01T10:00:00+03:00")
        )


def test_a_disposed_records_history_shows_the_versions_but_no_content_m14_1(
    service: Mahrem,
) -> None:
    from mahrem.services import corrections

    loaded(service, None)
    lifecycle.destroy_patient_data(service, "C1", "delete", "A1", t("2026-03-01T10:00:00+03:00"))
    history = corrections.record_history(service, "C1", "R4", t("2026-03-02T10:00:00+03:00"))
    assert history["disposed"] == "deleted" and [v["resource"] for v in history["versions"]] == [
        None
    ]
    assert history["versions"][0]["provenance"]["resourceType"] == "Provenance"


def test_a_run_more_than_six_months_after_the_last_is_flagged_m14_1(service: Mahrem) -> None:
    loaded(service, None)
    first = lifecycle.run(service, "A1", t("2026-03-01T10:00:00+03:00"))
    assert (first["last_run_at"], first["interval_exceeded"]) == (None, False)
    in_time = lifecycle.run(service, "A1", t("2026-08-31T23:59:00+03:00"), dry_run=True)
    assert in_time["last_run_at"] is not None and not in_time["interval_exceeded"]
    late = lifecycle.run(service, "A1", t("2026-09-01T00:00:00+03:00"))
    assert late["interval_exceeded"]


def test_a_malformed_retention_rule_is_refused_when_the_policy_changes_m14(service: Mahrem) -> None:
    from mahrem.domain.errors import InputError
    from tests.integration.helpers import loaded

    loaded(service)
    with pytest.raises(InputError) as refused:
        access.change_policy(
            service, {"retention_rules": {"general": {"years": -1, "method": "destroy"}}}, by="G1"
        )
    assert refused.value.code == "retention.invalid"


def test_an_overdue_periodic_destruction_is_flagged_for_the_dpo_board_art_11(
    service: Mahrem,
) -> None:
    """At most six months between runs: records due and no run ever is overdue; after a run,
    the next is due six months later and overdue from then."""
    loaded(service)
    before = lifecycle.schedule(service, "A1", at=t(RUN_AT))
    assert before["overdue"] and before["last_run_at"] is None and before["records_due"] > 0
    lifecycle.run(service, "A1", t(RUN_AT))
    after = lifecycle.schedule(service, "A1", at=t("2027-06-02T10:00:00+03:00"))
    assert (after["overdue"], after["records_due"]) == (False, 0)
    assert after["next_run_due"] == t("2027-12-01T00:00:00+03:00").isoformat()
    late = lifecycle.schedule(service, "A1", at=t("2027-12-01T00:00:00+03:00"))
    assert late["overdue"]
    with pytest.raises(Forbidden):
        lifecycle.schedule(service, "D1", at=t(RUN_AT))
