"""Use cases receive ports, so they run on fakes: no database, no key directory, a fixed clock.
These tests hold the use cases to their transactions and their audit, not to SQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

import pytest

from mahrem.domain.errors import Forbidden
from mahrem.services import access, accounts, audit
from mahrem.services.ports import KeyStore, Mahrem, Signer, SmsGateway, Store, UnitOfWork

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class FakeStore:
    """Rows in dicts, as much of the Store port as these use cases touch."""

    def __init__(self, tables: dict[str, list[dict[str, Any]]]) -> None:
        self.tables = tables

    def rows(self, kind: str, /, **match: Any) -> list[dict[str, Any]]:
        return [
            r for r in self.tables.get(kind, []) if all(r.get(k) == v for k, v in match.items())
        ]

    def open_rows(self, kind: str, /, at: datetime, **match: Any) -> list[dict[str, Any]]:
        return [
            r
            for r in self.rows(kind, **match)
            if r["valid_from"] <= at and (r["valid_to"] is None or at < r["valid_to"])
        ]

    def get(self, kind: str, /, key: Any) -> dict[str, Any] | None:
        return next((r for r in self.tables.get(kind, []) if r["id"] == key), None)


class FakeUnitOfWork:
    """Counts transactions and how each ended."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.ended: list[str] = []

    @contextmanager
    def _transaction(self, kind: str) -> Iterator[Store]:
        try:
            yield cast(Store, self.store)
        except BaseException:
            self.ended.append(f"{kind}:rolled back")
            raise
        self.ended.append(f"{kind}:committed")

    def write(self) -> Any:
        return self._transaction("write")

    def read(self) -> Any:
        return self._transaction("read")

    def has_data(self) -> bool:
        return bool(self.store.tables)

    def dispose(self) -> None:
        pass


def ports(uow: FakeUnitOfWork) -> Mahrem:
    return Mahrem(
        uow=cast(UnitOfWork, uow),
        keys=cast(KeyStore, None),
        sms=cast(SmsGateway, None),
        signer=cast(Signer, None),
        clock=lambda: NOW,
    )


def test_a_policy_change_by_someone_not_gm_is_refused_and_rolled_back_m6_4() -> None:
    uow = FakeUnitOfWork(FakeStore({"officer_role": []}))
    with pytest.raises(Forbidden) as refused:
        access.change_policy(ports(uow), {"copy_distinct_patients": 3}, by="D1")
    assert refused.value.code == "policy.forbidden"
    assert uow.ended == ["write:rolled back"]


def test_an_audit_search_by_an_officer_who_is_not_a_dpo_is_refused_rule_10() -> None:
    role = {"person": "O1", "role": "province_officer", "valid_from": NOW, "valid_to": None}
    uow = FakeUnitOfWork(FakeStore({"officer_role": [role]}))
    with pytest.raises(Forbidden) as refused:
        audit.search_log(ports(uow), "O1", {})
    assert refused.value.code == "audit.forbidden"
    assert uow.ended == ["read:rolled back"]


def test_the_outbox_reads_in_one_read_only_transaction_with_the_injected_clock() -> None:
    sms = [
        {"id": 1, "phone": "+90555", "created_at": NOW, "expires_at": NOW},  # expired at NOW
        {"id": 2, "phone": "+90555", "created_at": NOW, "expires_at": NOW.replace(hour=10)},
    ]
    uow = FakeUnitOfWork(FakeStore({"sms_outbox": sms}))
    assert [r["id"] for r in accounts.outbox(ports(uow), "+90555")] == [2]
    assert uow.ended == ["read:committed"]
