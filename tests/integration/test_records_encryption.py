"""Record content encrypted at rest under a per-patient data key (M14, crypto-shredding): the
database never holds it in clear, and destroying the key makes every copy unreadable."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from mahrem.adapters.crypto import SealError
from mahrem.bootstrap import build
from mahrem.services import access, lifecycle
from mahrem.services.demo.loading import load_into
from mahrem.services.policies import ensure_policy, policy_at
from mahrem.services.ports import Mahrem
from mahrem.services.records import current_resource, key_name, seal_plaintext
from tests.integration.helpers import event, rows, t, without_version
from tests.worlds import OBSERVATION, world

MARKER = "Zeynep-Gizli-Tanı-7731"


def secret_record(rid: str = "R9", patient: str = "P1") -> dict[str, Any]:
    return {
        "id": rid,
        "patient": patient,
        "facility": "F1",
        "author": "D1",
        "category": "general",
        "resource": {**OBSERVATION, "note": [{"text": MARKER}]},
    }


def loaded(service: Mahrem) -> Mahrem:
    at = t("2026-01-01T00:00:00+03:00")
    with service.uow.write() as store:
        ensure_policy(store)
        load_into(store, world(), policy_at(store, at), at, keys=service.keys)
    return service


def read(service: Mahrem, record: str) -> dict[str, Any] | None:
    """The record's content as stored, without the version metadata set on reading."""
    with service.uow.write() as store:
        return without_version(current_resource(store, service.keys, record))


def test_a_new_record_is_stored_only_as_ciphertext_m14_1(service: Mahrem) -> None:
    loaded(service)
    assert event(
        service, "2026-02-01T10:00:00+03:00", "record_created", record=secret_record()
    ) == ("accepted", None)
    [row] = rows(service, "record", id="R9")
    [version] = rows(service, "record_version", record="R9")
    assert row["resource"] == {} and version["version"] == 1 and version["key_version"] == 1
    assert MARKER.encode() not in version["ciphertext"]
    assert read(service, "R9") == secret_record()["resource"]


def test_world_records_are_encrypted_when_loaded_with_the_key_store_m14_1(service: Mahrem) -> None:
    loaded(service)
    assert all(r["resource"] == {} for r in rows(service, "record"))
    assert read(service, "R1") == OBSERVATION


def test_the_sqlite_file_never_holds_the_content_in_clear_m14_1(
    sqlite_service: Mahrem, tmp_path: Path
) -> None:
    loaded(sqlite_service)
    event(sqlite_service, "2026-02-01T10:00:00+03:00", "record_created", record=secret_record())
    sqlite_service.uow.engine.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("mahrem.db*"))
    assert MARKER.encode() not in raw and b"Zeynep" not in raw
    assert read(sqlite_service, "R9") is not None


def test_a_ciphertext_moved_to_another_record_does_not_open_m14_1(service: Mahrem) -> None:
    loaded(service)
    [r1] = rows(service, "record_version", record="R1")
    [r2] = rows(service, "record_version", record="R2")
    with service.uow.write() as store:
        store.set("record_version", r2["id"], ciphertext=r1["ciphertext"])
    with pytest.raises(SealError):
        read(service, "R2")


def test_a_record_written_in_clear_is_sealed_and_its_column_cleared_m14_1(service: Mahrem) -> None:
    at = t("2026-01-01T00:00:00+03:00")
    with service.uow.write() as store:  # a caller without the key store (or a pre-0006 database)
        ensure_policy(store)
        load_into(store, world(), policy_at(store, at), at)
    assert rows(service, "record", id="R1")[0]["resource"] == OBSERVATION
    assert read(service, "R1") == OBSERVATION
    with service.uow.write() as store:
        sealed = [seal_plaintext(store, service.keys, r["id"]) for r in store.rows("record")]
        again = [seal_plaintext(store, service.keys, r["id"]) for r in store.rows("record")]
    assert sealed == [True, True, True] and again == [False, False, False]
    assert all(r["resource"] == {} for r in rows(service, "record"))
    assert read(service, "R2") is not None


def _copy_sqlite(url: str, to: Path) -> str:
    src = sqlite3.connect(url.removeprefix("sqlite:///"))
    dst = sqlite3.connect(to)
    src.backup(dst)
    src.close()
    dst.close()
    return f"sqlite:///{to}"


def test_a_destroyed_record_is_unreadable_even_from_a_copy_taken_before_m14_1(
    sqlite_service: Mahrem, sqlite_url: str, tmp_path: Path
) -> None:
    loaded(sqlite_service)
    event(
        sqlite_service,
        "2026-02-01T10:00:00+03:00",
        "record_created",
        record=secret_record("R9", "C1"),
    )
    backup_url = _copy_sqlite(sqlite_url, tmp_path / "backup.db")
    lifecycle.destroy_patient_data(
        sqlite_service, "C1", "destroy", "A1", t("2026-03-01T10:00:00+03:00")
    )
    assert read(sqlite_service, "R9") is None
    backup = build(backup_url, key_dir=str(tmp_path / "keys"))  # the current key store
    try:
        with backup.uow.write() as store:
            assert store.get("record_disposal", "R9") is None  # the copy knows nothing of it
            assert current_resource(store, backup.keys, "R9") is None
            version = store.rows("record_version", record="R9")[0]
            assert version["ciphertext"] is not None
            assert (
                backup.keys.unseal(
                    key_name("C1", version["key_version"]), version["ciphertext"], b"any"
                )
                is None
            )
            assert not backup.keys.has_data_key(key_name("C1", 1))
        assert read(backup, "R1") == OBSERVATION  # another patient's key is untouched
    finally:
        backup.uow.engine.dispose()


def test_destroying_some_records_re_encrypts_the_others_under_a_new_key_m14_1(
    service: Mahrem,
) -> None:
    loaded(service)
    event(service, "2026-02-01T10:00:00+03:00", "record_created", record=secret_record())
    access.change_policy(
        service,
        {"retention_rules": {"general": {"years": 0, "method": "destroy"}}},
        "G1",
        t("2026-02-01T11:00:00+03:00"),
    )
    lifecycle.run(service, "A1", t("2026-03-01T10:00:00+03:00"))
    assert read(service, "R9") is None
    assert read(service, "R1") == OBSERVATION and read(service, "R2") is not None
    keys = {r["version"]: r for r in rows(service, "data_key", patient="P1")}
    assert keys[1]["shredded_at"] is not None and keys[2]["retired_at"] is None
    assert {
        v["key_version"] for v in rows(service, "record_version") if v["record"] in ("R1", "R2")
    } == {2}
    assert not service.keys.has_data_key(key_name("P1", 1)) and service.keys.has_data_key(
        key_name("P1", 2)
    )
    [nine] = rows(service, "record_version", record="R9")
    assert nine["ciphertext"] is None


def test_a_record_added_after_a_destruction_uses_the_new_key_m14_1(service: Mahrem) -> None:
    loaded(service)
    lifecycle.destroy_patient_data(service, "P1", "destroy", "A1", t("2026-03-01T10:00:00+03:00"))
    event(service, "2026-03-02T10:00:00+03:00", "record_created", record=secret_record())
    [version] = rows(service, "record_version", record="R9")
    assert version["key_version"] == 2
    assert json.dumps(read(service, "R9"), ensure_ascii=False).count(MARKER) == 1
