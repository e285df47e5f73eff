"""SQL for the audit log: the chain head under lock, hashes by range, and filtered reads."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from mahrem.adapters import orm

_HEAD_FOR_UPDATE = select(orm.audit_head).where(orm.audit_head.c.id == 1).with_for_update()


class SqlAuditTrail:
    """The audit trail of one unit of work (the `AuditTrail` port): its reads and its append."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def head_for_update(self) -> dict[str, Any] | None:
        row = self.conn.execute(_HEAD_FOR_UPDATE).mappings().first()
        return dict(row) if row else None

    def insert(self, rows: list[dict[str, Any]]) -> None:
        self.conn.execute(orm.audit_log.insert(), rows)

    def hashes(self, first: int, last: int | None) -> list[tuple[int, str]]:
        a = orm.audit_log
        query = select(a.c.seq, a.c.hash).where(a.c.seq >= first).order_by(a.c.seq)
        if last is not None:
            query = query.where(a.c.seq <= last)
        return [(r.seq, r.hash) for r in self.conn.execute(query)]

    def entries(self, batch: int = 50000) -> Iterator[dict[str, Any]]:
        """Every entry in sequence order, streamed `batch` rows at a time."""
        a = orm.audit_log
        result = self.conn.execution_options(yield_per=batch).execute(select(a).order_by(a.c.seq))
        keys = tuple(result.keys())
        partitions = result.partitions()
        while True:
            # Each batch is fetched and turned into dicts with the cyclic garbage collector
            # paused, never while the caller holds the generator: a caller that keeps every
            # entry would otherwise have the collector traverse them all again and again.
            enabled = gc.isenabled()
            gc.disable()
            try:
                part = next(partitions, None)
                entries = (
                    iter([dict(zip(keys, row, strict=False)) for row in part]) if part else None
                )
            finally:
                if enabled:
                    gc.enable()
            if entries is None:
                return
            yield from entries

    def search(
        self,
        *,
        limit: int,
        offset: int = 0,
        since: datetime | None = None,
        until: datetime | None = None,
        **match: Any,
    ) -> list[dict[str, Any]]:
        """Entries matching every given column value, in [since, until), oldest first."""
        a, p = orm.audit_log, orm.person
        query = (
            select(a, p.c.name.label("actor_name"))
            .outerjoin(p, p.c.id == a.c.actor)
            .where(*(a.c[k] == v for k, v in match.items() if v is not None))
            .order_by(a.c.seq)
            .limit(limit)
            .offset(offset)
        )
        if since is not None:
            query = query.where(a.c.at >= since)
        if until is not None:
            query = query.where(a.c.at < until)
        return [dict(r) for r in self.conn.execute(query).mappings()]
