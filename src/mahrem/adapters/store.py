"""The SQL store: generic temporal writes, lookups, and the facts snapshot for the engine.

Statements are built once (per table and shape of filter) and reused with new parameters:
building a Core statement and its cache key costs several times what SQLite takes to run it.
`facts_for` reads its whole snapshot with one UNION ALL statement (adapters/facts_sql.py).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.sql import ColumnElement, Executable

from mahrem.adapters import facts_sql, orm, orm_kts
from mahrem.adapters.audit_sql import SqlAuditTrail
from mahrem.domain.decision import Request
from mahrem.domain.facts import (
    Facts,
    Installation,
    Interval,
    OfficerRole,
    Person,
    RecordMeta,
    StaffPost,
)

TABLES: dict[str, Table] = {t.name: t for t in orm.metadata.sorted_tables}

# -- reusable statements ----------------------------------------------------------------------
# Parameters are named m_<column> (matches), p_at (the instant) and p_key (a primary key), so
# they never clash with the column names an INSERT or UPDATE sets.
_STATEMENTS: dict[tuple[Any, ...], Any] = {}


def _cached(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        stmt = _STATEMENTS[key] = build()
    return stmt


def _pk(table: Table) -> Any:
    return next(iter(table.primary_key.columns))


def _shape(match: dict[str, Any]) -> tuple[tuple[str, bool], ...]:
    """The statement shape of a filter: its columns, and which compare to None (IS NULL)."""
    return tuple((k, v is None) for k, v in match.items())


def _filter(table: Table, shape: tuple[tuple[str, bool], ...]) -> list[ColumnElement[bool]]:
    # `column == None` is `IS NULL`, as it was with the value inlined.
    return [
        table.c[k].is_(None) if none else table.c[k] == bindparam(f"m_{k}") for k, none in shape
    ]


def _params(match: dict[str, Any], **extra: Any) -> dict[str, Any]:
    params = {f"m_{k}": v for k, v in match.items() if v is not None}
    params.update(extra)
    return params


def _span(row: Any) -> Interval:
    return Interval(row.valid_from, row.valid_to)


_POLICY_SPANS = select(
    orm.policy_version.c.version, orm.policy_version.c.valid_from, orm.policy_version.c.valid_to
)


class SqlStore:
    """All reads and writes of one unit of work, over one connection and transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.audit = SqlAuditTrail(conn)

    def policy_spans(self) -> list[tuple[int, datetime, datetime | None]]:
        """(version, valid_from, valid_to) of every policy version, without their configs."""
        return [(r.version, r.valid_from, r.valid_to) for r in self.conn.execute(_POLICY_SPANS)]

    def database_name(self) -> str:
        return self.conn.engine.url.render_as_string(hide_password=True)

    def uncared_patients(
        self, installation: str, since: datetime, until: datetime, threshold: int
    ) -> int:
        """KTS/2: patients the installation read without a care relationship, up to `threshold`."""
        return orm_kts.uncared_patients(self.conn, installation, since, until, threshold)

    def incidents(
        self,
        *,
        facility: str | None = None,
        installation: str | None = None,
        without_facility: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """KTS incidents, oldest first (adapters/orm_kts.py)."""
        return orm_kts.incidents(
            self.conn,
            facility=facility,
            installation=installation,
            without_facility=without_facility,
            limit=limit,
            offset=offset,
        )

    # -- generic access -------------------------------------------------------------
    def add(self, kind: str, /, **values: Any) -> int | None:
        """Insert one row; returns the generated integer key where there is one."""
        stmt = _cached(("add", kind), lambda: insert(TABLES[kind]))
        result = self.conn.execute(stmt, values)
        keys = result.inserted_primary_key
        return keys[0] if keys else None

    def get(self, kind: str, /, key: Any) -> dict[str, Any] | None:
        def build() -> Executable:
            table = TABLES[kind]
            return select(table).where(_pk(table) == bindparam("p_key"))

        row = self.conn.execute(_cached(("get", kind), build), {"p_key": key}).mappings().first()
        return dict(row) if row else None

    def rows(self, kind: str, /, **match: Any) -> list[dict[str, Any]]:
        shape = _shape(match)

        def build() -> Executable:
            table = TABLES[kind]
            return select(table).where(*_filter(table, shape))

        stmt = _cached(("rows", kind, shape), build)
        return [dict(r) for r in self.conn.execute(stmt, _params(match)).mappings()]

    def open_rows(self, kind: str, /, at: datetime, **match: Any) -> list[dict[str, Any]]:
        """Rows of a temporal table in force at `at`."""
        shape = _shape(match)

        def build() -> Executable:
            table = TABLES[kind]
            return select(table).where(
                *_filter(table, shape),
                table.c.valid_from <= bindparam("p_at"),
                or_(table.c.valid_to.is_(None), table.c.valid_to > bindparam("p_at")),
            )

        stmt = _cached(("open_rows", kind, shape), build)
        return [dict(r) for r in self.conn.execute(stmt, _params(match, p_at=at)).mappings()]

    def end(self, kind: str, /, at: datetime, **match: Any) -> int:
        """End every interval of `kind` matching `match` that is still open at `at`."""
        shape = _shape(match)

        def build() -> Executable:
            table = TABLES[kind]
            return (
                update(table)
                .where(*_filter(table, shape), table.c.valid_to.is_(None))
                .values(valid_to=bindparam("p_at"))
            )

        stmt = _cached(("end", kind, shape), build)
        return self.conn.execute(stmt, _params(match, p_at=at)).rowcount

    def set(self, kind: str, /, key: Any, **values: Any) -> None:
        # The SET clause is made of the columns given in the parameters.
        def build() -> Executable:
            table = TABLES[kind]
            return update(table).where(_pk(table) == bindparam("p_key"))

        self.conn.execute(_cached(("set", kind), build), {"p_key": key, **values})

    def purge(self, kind: str, column: str, before: datetime) -> None:
        """Delete rows whose `column` is at or before `before` (only for transient tables)."""
        table = TABLES[kind]
        self.conn.execute(delete(table).where(table.c[column] <= before))

    def count(self, kind: str) -> int:
        return int(self.conn.execute(select(func.count()).select_from(TABLES[kind])).scalar_one())

    def exists(self, kind: str, key: Any) -> bool:
        def build() -> Executable:
            pk = _pk(TABLES[kind])
            return select(pk).where(pk == bindparam("p_key"))

        row = self.conn.execute(_cached(("exists", kind), build), {"p_key": key}).first()
        return row is not None

    # -- facts for the engine ---------------------------------------------------------
    def person(self, pid: str) -> Person | None:
        row = self.conn.execute(_PERSON, {"pid": pid}).first()
        return Person(row.id, row.birth_date, row.died_at) if row else None

    def record_meta(self, rid: str) -> RecordMeta | None:
        row = self.conn.execute(_RECORD_META, {"rid": rid}).first()
        return RecordMeta(*row) if row else None

    def staff_posts(self, pid: str, at: datetime) -> tuple[StaffPost, ...]:
        rows = self.conn.execute(_STAFF_POSTS, {"pid": pid, "at": at})
        return tuple(StaffPost(r.facility, r.role, r.specialty, r.province, _span(r)) for r in rows)

    def officer_roles(self, pid: str, at: datetime) -> tuple[OfficerRole, ...]:
        rows = self.conn.execute(_OFFICER_ROLES, {"pid": pid, "at": at})
        return tuple(OfficerRole(r.role, r.province, r.unit, _span(r)) for r in rows)

    def installation(self, iid: str, at: datetime) -> Installation | None:
        row = self.conn.execute(_INSTALLATION, {"iid": iid}).first()
        if row is None:
            return None
        statuses = self.conn.execute(_INSTALLATION_STATUSES, {"iid": iid, "at": at})
        return Installation(row.id, row.facility, tuple((s.status, _span(s)) for s in statuses))

    def facts_for(self, req: Request) -> Facts:
        """Load every fact the engine may need for this request, as known at `req.at`."""
        rows = self._snapshot(req)
        return facts_sql.facts_from(req, rows, facts_sql.record_of(rows), self.get)

    def facts_for_each(self, req: Request, records: Sequence[dict[str, Any]]) -> list[Facts]:
        """The facts of a read of each of these records of one patient (a search)."""
        return self.facts_for_search(req, records)[1]

    def facts_for_search(
        self, req: Request, records: Sequence[dict[str, Any]]
    ) -> tuple[Facts, list[Facts]]:
        """One snapshot for a search: the facts of the patient as a whole (rules 1 and 2 before
        any record is named), then each record's, adding only its own meta and preferences."""
        assert req.action == "read" and req.record is None
        rows = self._snapshot(req)
        each = [
            facts_sql.facts_from(
                dataclasses.replace(req, record=r["id"]),
                rows,
                RecordMeta(
                    r["id"],
                    r["patient"],
                    r["facility"],
                    r["author"],
                    r["created_at"],
                    r["category"],
                ),
                self.get,
            )
            for r in records
        ]
        return facts_sql.facts_from(req, rows, None, self.get), each

    def _snapshot(self, req: Request) -> dict[int, list[Any]]:
        params = {
            "actor": req.actor,
            "patient": req.patient,
            "at": req.at,
            "record": req.record or None,
            "via": req.via or None,
        }
        rows: dict[int, list[Any]] = defaultdict(list)
        for row in self.conn.execute(facts_sql.statement(req.action), params):
            rows[row.tag].append(row)
        return rows


# -- single-fact lookups, built once ---------------------------------------------------
def _at_most(column: Any) -> ColumnElement[bool]:
    return column <= bindparam("at")


def _spans(table: Table) -> tuple[Any, Any]:
    return table.c.valid_from, table.c.valid_to


_p, _d, _r = orm.person, orm.death, orm.record
_PERSON = (
    select(_p.c.id, _p.c.birth_date, _d.c.died_at)
    .outerjoin(_d, _d.c.patient == _p.c.id)
    .where(_p.c.id == bindparam("pid"))
)
_RECORD_META = select(
    _r.c.id, _r.c.patient, _r.c.facility, _r.c.author, _r.c.created_at, _r.c.category
).where(_r.c.id == bindparam("rid"))

_s, _f = orm.staff_post, orm.facility
_STAFF_POSTS = (
    select(_s.c.facility, _s.c.role, _s.c.specialty, _f.c.province, *_spans(_s))
    .join(_f, _f.c.id == _s.c.facility)
    .where(_s.c.person == bindparam("pid"), _at_most(_s.c.valid_from))
)
_o = orm.officer_role
_OFFICER_ROLES = select(_o.c.role, _o.c.province, _o.c.unit, *_spans(_o)).where(
    _o.c.person == bindparam("pid"), _at_most(_o.c.valid_from)
)

_i, _st = orm.installation, orm.installation_status
_INSTALLATION = select(_i.c.id, _i.c.facility).where(_i.c.id == bindparam("iid"))
_INSTALLATION_STATUSES = select(_st.c.status, *_spans(_st)).where(
    _st.c.installation == bindparam("iid"), _at_most(_st.c.valid_from)
)
