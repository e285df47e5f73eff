"""Group commit: many audit entries in one transaction keep one unbroken chain."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

from mahrem.adapters.db import read_only, unit_of_work
from mahrem.services import audit
from mahrem.services.app import Mahrem


def entry(i: int) -> dict[str, object]:
    return {"at": datetime(2026, 3, 2, 9, 0, i % 60, tzinfo=timezone.utc), "kind": "decision", "actor": "D1",
            "action": "read", "patient": "P1", "record": f"R{i}", "outcome": "deny", "basis": "6/3",
            "policy_version": 1, "detail": {"i": i}}


def test_a_batch_appends_in_order_and_verifies(service: Mahrem) -> None:
    with unit_of_work(service.db) as store:
        assert audit.append(store, **entry(0)) == 1
        assert audit.append_many(store, [entry(i) for i in range(1, 101)]) == list(range(2, 102))
        assert audit.append_many(store, []) == []
        assert store.get("audit_head", 1)["seq"] == 101
    report = service.verify()
    assert report.ok and report.entries == 101


def test_concurrent_writers_never_fork_the_chain(service: Mahrem) -> None:
    def writer(n: int) -> None:
        for _ in range(5):
            with unit_of_work(service.db) as store:
                audit.append_many(store, [entry(n * 100 + k) for k in range(10)])

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = service.verify()
    assert report.ok and report.entries == 200


def test_a_reader_does_not_hold_the_write_lock(sqlite_service: Mahrem) -> None:
    with read_only(sqlite_service.db) as reader:
        reader.count("audit_log")
        with unit_of_work(sqlite_service.db) as store:  # would wait 30 s if the reader held the lock
            audit.append(store, **entry(1))
    assert sqlite_service.verify().entries == 1
