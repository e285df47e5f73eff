"""The store on SQLite and PostgreSQL: facts keep their history, so past decisions replay;
refused events write only the attempt; bad input changes nothing."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from mahrem.adapters.db import upgrade
from mahrem.domain.errors import InputError
from mahrem.services import demo, events
from mahrem.services.policies import change_policy
from mahrem.services.ports import Mahrem
from tests.integration.helpers import event, loaded, read, rows, t
from tests.worlds import world


def test_a_past_decision_replays_after_the_fact_changed_m6_2(service: Mahrem) -> None:
    loaded(service)
    event(
        service,
        "2026-03-02T09:00:00+03:00",
        "family_doctor_registered",
        patient="P1",
        physician="D2",
    )
    event(service, "2026-03-02T10:00:00+03:00", "record_hidden", patient="P1", record="R1")
    event(service, "2026-03-02T11:00:00+03:00", "record_unhidden", patient="P1", record="R1")
    assert read(service, "2026-03-02T12:00:00+03:00", actor="D2") == ("permit", "6/3-a")
    # Asked again about 10:30 after the unhide was recorded: the hiding was in force then.
    assert read(service, "2026-03-02T10:30:00+03:00", actor="D2") == ("deny", "6/2")
    hidden = rows(service, "preference", patient="P1", kind="record_hidden")
    assert [(r["valid_from"], r["valid_to"]) for r in hidden] == [
        (t("2026-03-02T10:00:00+03:00"), t("2026-03-02T11:00:00+03:00"))
    ]


def test_a_new_family_doctor_ends_the_previous_registration_m6_3_a(service: Mahrem) -> None:
    loaded(service)
    event(
        service,
        "2026-03-01T09:00:00+03:00",
        "family_doctor_registered",
        patient="P1",
        physician="D2",
    )
    event(
        service,
        "2026-03-05T09:00:00+03:00",
        "family_doctor_registered",
        patient="P1",
        physician="D1",
    )
    assert read(service, "2026-03-06T09:00:00+03:00", actor="D2") == ("deny", "6/3")
    assert read(service, "2026-03-06T09:00:00+03:00", actor="D1") == ("permit", "6/3-a")
    assert read(service, "2026-03-03T09:00:00+03:00", actor="D2") == ("permit", "6/3-a")
    assert len(rows(service, "family_doctor", patient="P1")) == 2


def test_a_refused_event_writes_only_its_audit_entry_m8_1(service: Mahrem) -> None:
    loaded(service)  # C1 was born 2011-06-15: 15 on 2026-06-15
    assert event(
        service, "2026-06-14T23:59:00+03:00", "parental_access_restricted", child="C1"
    ) == ("rejected", "8/1")
    assert rows(service, "preference", patient="C1", kind="parental_restriction") == []
    entry = rows(service, "audit_log", action="parental_access_restricted")
    assert [(e["outcome"], e["basis"]) for e in entry] == [("rejected", "8/1")]
    assert event(
        service, "2026-06-15T00:00:00+03:00", "parental_access_restricted", child="C1"
    ) == ("accepted", None)
    assert len(rows(service, "preference", patient="C1", kind="parental_restriction")) == 1


def test_bad_input_changes_nothing(service: Mahrem) -> None:
    loaded(service)
    before = len(rows(service, "audit_log"))
    with pytest.raises(InputError) as err:
        event(
            service, "2026-03-01T09:00:00+03:00", "check_in", id="E1", patient="P1", facility="F9"
        )
    assert err.value.code == "facility.unknown" and err.value.field == "event.facility"
    assert rows(service, "episode") == [] and len(rows(service, "audit_log")) == before


def test_a_world_with_one_bad_record_loads_nothing(service: Mahrem) -> None:
    w = world()
    w["records"][-1]["resource"] = {"resourceType": "Observation"}
    with pytest.raises(InputError) as err:
        demo.load_world(service, w, t("2026-01-01T00:00:00+03:00"))
    assert err.value.code == "fhir.invalid"
    assert rows(service, "person") == [] and rows(service, "record") == []


def test_an_invalid_tckn_is_refused_naming_the_field(service: Mahrem) -> None:
    w = world()
    w["people"][2]["tckn"] = "10000000000"
    with pytest.raises(InputError) as err:
        demo.load_world(service, w, t("2026-01-01T00:00:00+03:00"))
    assert err.value.code == "tckn.invalid" and err.value.field == "world.people[2].tckn"


def test_a_time_without_offset_is_refused(service: Mahrem) -> None:
    loaded(service)
    from datetime import datetime

    with pytest.raises(InputError) as err:
        events.apply_event(
            service, {"type": "history_locked", "patient": "P1"}, datetime(2026, 3, 1, 9, 0)
        )
    assert err.value.code == "time.naive"


def test_every_decision_is_audited_in_a_hash_chain(service: Mahrem) -> None:
    loaded(service)
    read(service, "2026-03-02T09:00:00+03:00")
    event(service, "2026-03-02T09:01:00+03:00", "check_in", id="E1", patient="P1", facility="F1")
    read(service, "2026-03-02T09:02:00+03:00")
    log = sorted(rows(service, "audit_log"), key=lambda r: r["seq"])
    assert [(e["kind"], e["outcome"], e["basis"]) for e in log] == [
        ("decision", "deny", "6/3"),
        ("event", "accepted", None),
        ("decision", "permit", "6/3-c"),
    ]
    assert log[0]["prev_hash"] == "0" * 64
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(log))
    assert log[2]["policy_version"] == 1 and log[2]["actor"] == "D1" and log[2]["via"] is None


def test_the_audit_log_refuses_update_and_delete(service: Mahrem) -> None:
    loaded(service)
    read(service, "2026-03-02T09:00:00+03:00")
    for statement in ("UPDATE audit_log SET basis = '5/6'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), service.uow.engine.begin() as conn:
            conn.execute(text(statement))
    assert len(rows(service, "audit_log")) == 1


def test_a_failure_mid_request_leaves_neither_change_nor_audit(
    service: Mahrem, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded(service)
    import mahrem.services.events.applying as applying

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(applying, "append", broken)
    with pytest.raises(RuntimeError):
        event(
            service, "2026-03-02T09:00:00+03:00", "check_in", id="E1", patient="P1", facility="F1"
        )
    monkeypatch.undo()
    assert rows(service, "episode") == [] and rows(service, "audit_log") == []


def test_decisions_name_the_policy_version_in_force(service: Mahrem) -> None:
    loaded(service)
    event(service, "2026-03-02T09:00:00+03:00", "check_in", id="E1", patient="P1", facility="F1")
    with service.uow.write() as store:
        change_policy(store, {"check_in_window": 3600}, by="G1", at=t("2026-03-02T09:30:00+03:00"))
    assert read(service, "2026-03-02T09:20:00+03:00") == ("permit", "6/3-c")
    assert read(service, "2026-03-02T10:20:00+03:00") == ("deny", "6/3")
    versions = [
        e["policy_version"]
        for e in sorted(rows(service, "audit_log", kind="decision"), key=lambda r: r["seq"])
    ]
    assert versions == [1, 2]


def test_migrations_run_twice_without_change(db_url: str) -> None:
    from mahrem.adapters.db import make_engine

    engine = make_engine(db_url)
    upgrade(engine)
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0018"
    engine.dispose()


def test_the_migrated_schema_is_the_one_the_code_declares(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from mahrem.adapters.db import make_engine
    from mahrem.adapters.orm import metadata

    engine = make_engine(db_url)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert [d for d in diff if d[0] != "remove_table" or d[1].name != "alembic_version"] == []
