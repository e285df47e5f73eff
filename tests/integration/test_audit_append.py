"""Group commit: many audit entries in one transaction keep one unbroken chain."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from mahrem.services import audit
from mahrem.services.ports import Mahrem


def entry(i: int) -> dict[str, object]:
    return {
        "at": datetime(2026, 3, 2, 9, 0, i % 60, tzinfo=UTC),
        "kind": "decision",
        "actor": "D1",
        "action": "read",
        "patient": "P1",
        "record": f"R{i}",
        "outcome": "deny",
        "basis": "6/3",
        "policy_version": 1,
        "detail": {"i": i},
    }


def test_a_batch_appends_in_order_and_verifies(service: Mahrem) -> None:
    with service.uow.write() as store:
        assert audit.append(store, **entry(0)) == 1
        assert audit.append_many(store, [entry(i) for i in range(1, 101)]) == list(range(2, 102))
        assert audit.append_many(store, []) == []
        assert store.get("audit_head", 1)["seq"] == 101
    report = audit.verify(service)
    assert report.ok and report.entries == 101


def test_concurrent_writers_never_fork_the_chain(service: Mahrem) -> None:
    def writer(n: int) -> None:
        for _ in range(5):
            with service.uow.write() as store:
                audit.append_many(store, [entry(n * 100 + k) for k in range(10)])

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = audit.verify(service)
    assert report.ok and report.entries == 200


def test_a_reader_does_not_hold_the_write_lock(sqlite_service: Mahrem) -> None:
    with sqlite_service.uow.read() as reader:
        reader.count("audit_log")
        with sqlite_service.uow.write() as store:  # would wait 30 s if the reader held the lock
            audit.append(store, **entry(1))
    assert audit.verify(sqlite_service).entries == 1
