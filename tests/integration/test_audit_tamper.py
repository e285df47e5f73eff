"""Tamper evidence (C5): the stored log is changed directly in the database, on SQLite and
PostgreSQL, and `verify` names the entry; checkpoints catch a rewritten chain."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Connection, text

from mahrem.services import audit
from mahrem.services.audit import chain_hash
from mahrem.services.ports import Mahrem
from tests.integration.helpers import event, loaded, read, rows


def with_log(service: Mahrem, entries: int = 6) -> Mahrem:
    loaded(service)
    event(service, "2026-03-02T09:00:00+03:00", "check_in", id="E1", patient="P1", facility="F1")
    for i in range(entries - 1):
        read(service, f"2026-03-02T09:{10 + i:02d}:00+03:00", via="S1")
    return service


@contextmanager
def as_attacker(service: Mahrem) -> Iterator[Connection]:
    """A database owner who switches the append-only triggers off."""
    with service.uow.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        yield conn


def first_problem(service: Mahrem) -> tuple[str, int | None]:
    report = audit.verify(service)
    assert not report.ok
    return report.problems[0].kind, report.problems[0].seq


def test_a_clean_log_verifies(service: Mahrem) -> None:
    with_log(service)
    assert audit.seal(service) is not None
    read(service, "2026-03-02T10:00:00+03:00")
    report = audit.verify(service)
    assert report.ok and report.entries == 7


def test_a_changed_field_is_named(service: Mahrem) -> None:
    with_log(service)
    with as_attacker(service) as conn:
        conn.execute(text("UPDATE audit_log SET outcome = 'deny' WHERE seq = 3"))
    assert first_problem(service) == ("changed", 3)


def test_a_removed_entry_is_named(service: Mahrem) -> None:
    with_log(service)
    with as_attacker(service) as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 4"))
    assert first_problem(service) == ("removed", 4)


def test_a_removed_entry_is_named_even_after_renumbering(service: Mahrem) -> None:
    with_log(service)
    with as_attacker(service) as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 4"))
        conn.execute(text("UPDATE audit_log SET seq = seq + 1000 WHERE seq > 4"))
        conn.execute(text("UPDATE audit_log SET seq = seq - 1001 WHERE seq > 1000"))
    assert first_problem(service) == ("removed", 4)


def test_an_inserted_entry_is_named(service: Mahrem) -> None:
    with_log(service)
    entries = {r["seq"]: r for r in rows(service, "audit_log")}
    forged = {**entries[2], "actor": "D4", "seq": 3, "prev_hash": entries[2]["hash"]}
    forged["hash"] = chain_hash(forged["prev_hash"], forged)
    with as_attacker(service) as conn:
        conn.execute(text("UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 3"))
        conn.execute(text("UPDATE audit_log SET seq = seq - 999 WHERE seq > 1000"))
        columns = ", ".join(forged)
        conn.execute(
            text(
                f"INSERT INTO audit_log ({columns}) VALUES ({', '.join(':' + c for c in forged)})"
            ),
            {**forged, "detail": json.dumps(forged["detail"])},
        )
    assert first_problem(service) == ("inserted", 3)


def test_two_swapped_entries_are_named(service: Mahrem) -> None:
    with_log(service)
    with as_attacker(service) as conn:
        conn.execute(text("UPDATE audit_log SET seq = 1000 WHERE seq = 3"))
        conn.execute(text("UPDATE audit_log SET seq = 3 WHERE seq = 4"))
        conn.execute(text("UPDATE audit_log SET seq = 4 WHERE seq = 1000"))
    assert first_problem(service) == ("reordered", 3)


def test_a_rewritten_chain_is_caught_by_the_signed_checkpoint(service: Mahrem) -> None:
    with_log(service)
    audit.seal(service)
    entries = sorted(rows(service, "audit_log"), key=lambda r: r["seq"])
    prev = entries[1]["prev_hash"]
    with as_attacker(service) as conn:
        for i, entry in enumerate(entries[1:], start=2):
            entry = {**entry, "outcome": "deny"} if i == 2 else entry
            digest = chain_hash(prev, entry)
            conn.execute(
                text("UPDATE audit_log SET outcome = :o, prev_hash = :p, hash = :h WHERE seq = :s"),
                {"o": entry["outcome"], "p": prev, "h": digest, "s": i},
            )
            prev = digest
    report = audit.verify(service)
    assert [p.kind for p in report.problems] == ["changed"]
    assert "checkpoint 1" in report.problems[0].message


def test_the_audit_log_is_append_only_for_the_application_role_on_postgresql(
    pg_url: str, tmp_path: object
) -> None:
    from sqlalchemy import create_engine

    from mahrem.adapters.db import grant_app_role
    from mahrem.bootstrap import build

    service = build(pg_url, key_dir=str(tmp_path))
    with_log(service, entries=2)
    with service.uow.engine.begin() as conn:
        conn.execute(text("DROP ROLE IF EXISTS mahrem_app_test"))
        conn.execute(text("CREATE ROLE mahrem_app_test LOGIN"))
    grant_app_role(service.uow.engine, "mahrem_app_test")
    app_url = pg_url.replace("postgres@", "mahrem_app_test@")
    app_engine = create_engine(app_url)
    with app_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == 2
        for statement in (
            "UPDATE audit_log SET basis = NULL",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ):
            with pytest.raises(Exception, match="permission denied"):
                conn.execute(text(statement))
            conn.rollback()
    # The application role still appends: a decision through it is written.
    app_service = build(app_url, migrate=False, key_dir=str(tmp_path))
    read(app_service, "2026-03-02T11:00:00+03:00")
    assert audit.verify(app_service).ok
    app_engine.dispose()
    app_service.uow.engine.dispose()
    service.uow.engine.dispose()
