"""The SQL store: generic temporal writes, lookups, and the facts snapshot for the engine.

Statements are built once (per table and shape of filter) and reused with new parameters:
building a Core statement and its cache key costs several times what SQLite takes to run it.
`facts_for` reads its whole snapshot with one UNION ALL statement rather than a query per
fact: each round trip through SQLAlchemy's execute path costs about 50 µs of Python, while
SQLite answers each branch in a few µs (benches/decide.py measures the difference).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    Integer,
    String,
    Table,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.sql import ColumnElement, Executable

from mahrem.adapters import orm, orm_kts
from mahrem.adapters.audit_sql import SqlAuditTrail
from mahrem.domain.decision import Request
from mahrem.domain.facts import (
    Appointment,
    ConcealmentOrder,
    CorrectionCutoff,
    CorrectionRequest,
    CustodyDecision,
    Episode,
    Facts,
    Installation,
    Interval,
    OfficerRole,
    Person,
    PowerOfAttorney,
    Protocol,
    RecordMeta,
    ReidentificationAuthorization,
    RelativeAuthorization,
    StaffPost,
    Unit,
    WrittenOpinion,
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
        record = next((RecordMeta(r.s1, r.s2, r.s3, r.s4, r.t1, r.s5) for r in rows[_RECORD]), None)
        return self._facts(req, rows, record)

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
            self._facts(
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
            )
            for r in records
        ]
        return self._facts(req, rows, None), each

    def _snapshot(self, req: Request) -> dict[int, list[Any]]:
        params = {
            "actor": req.actor,
            "patient": req.patient,
            "at": req.at,
            "record": req.record or None,
            "via": req.via or None,
        }
        rows: dict[int, list[Any]] = defaultdict(list)
        for row in self.conn.execute(_facts_statement(req.action), params):
            rows[row.tag].append(row)
        return rows

    def _facts(self, req: Request, rows: dict[int, list[Any]], record: RecordMeta | None) -> Facts:
        at, actor, record_id = req.at, req.actor, req.record
        actor_p = next((Person(r.s1, r.d1, r.t1) for r in rows[_ACTOR]), None)
        patient_p = next((Person(r.s1, r.d1, r.t1) for r in rows[_PATIENT]), None)
        assert actor_p is not None and patient_p is not None
        installation = next(
            (
                Installation(r.s1, r.s2, tuple((s.s1, _slot_span(s)) for s in rows[_STATUS]))
                for r in rows[_INSTALLATION_ROW]
            ),
            None,
        )
        officer_roles = tuple(OfficerRole(r.s1, r.s2, r.s3, _slot_span(r)) for r in rows[_OFFICER])
        prefs = rows[_PREFERENCE]  # s1 kind, s2 record, s3 person, s4 detail
        kw: dict[str, Any] = {}
        if req.action == "read":
            kw.update(_care_facts(rows, at))
        if req.action == "analyze" and installation is not None:
            kw["opinions"] = tuple(
                WrittenOpinion(r.s1, r.s2, r.s3, r.s4, r.t1, r.d1, r.t2) for r in rows[_OPINION]
            )
        if req.action == "correct":
            kw["episodes"] = _care_facts(rows, at)["episodes"]
        if req.action == "correct" and record_id:
            kw["cutoffs"] = tuple(CorrectionCutoff(r.d1, _slot_span(r)) for r in rows[_CUTOFF])
            kw["correction_requests"] = tuple(
                CorrectionRequest(r.s1, r.s2, r.t1) for r in rows[_CORRECTION]
            )
        if req.action == "reidentify":
            kw.update(self._ministry_facts(rows, officer_roles))
        if req.action == "transfer" and req.recipient and req.recipient.protocol:
            row = self.get("protocol", req.recipient.protocol)
            if row is not None and row["signed_at"] <= at:
                kw["protocol"] = Protocol(row["id"], tuple(row["categories"]), row["signed_at"])
        return Facts(
            actor=actor_p,
            patient=patient_p,
            record=record,
            staff_posts=tuple(
                StaffPost(r.s1, r.s2, r.s3, r.s4, _slot_span(r)) for r in rows[_STAFF]
            ),
            officer_roles=officer_roles,
            installation=installation,
            concealments=tuple(
                ConcealmentOrder(tuple(r.j1), _slot_span(r)) for r in rows[_CONCEALMENT]
            ),
            record_hidden=tuple(
                _slot_span(p) for p in prefs if p.s1 == "record_hidden" and p.s2 == record_id
            ),
            enabiz_account=_kind(prefs, "enabiz_account"),
            history_locks=_kind(prefs, "history_locked"),
            parental_restrictions=_kind(prefs, "parental_restriction"),
            parental_grants=tuple(
                _slot_span(p) for p in prefs if p.s1 == "parental_grant" and p.s3 == actor
            ),
            transfer_consents=tuple(
                (p.s4, _slot_span(p)) for p in prefs if p.s1 == "transfer_consent"
            ),
            parent_links=tuple(_slot_span(r) for r in rows[_PARENT]),
            custody=tuple(CustodyDecision(r.s1, _slot_span(r)) for r in rows[_CUSTODY]),
            relative_authorizations=tuple(
                RelativeAuthorization(tuple(r.j1 or ()), r.d1, _slot_span(r))
                for r in rows[_RELATIVE]
            ),
            powers_of_attorney=tuple(
                PowerOfAttorney(r.s1, r.s2, r.b1, r.d1, _slot_span(r)) for r in rows[_ATTORNEY]
            ),
            heir_of_patient=tuple(r.t1 for r in rows[_HEIR]),
            **kw,
        )

    def _ministry_facts(
        self, rows: dict[int, list[Any]], officer_roles: tuple[OfficerRole, ...]
    ) -> dict[str, Any]:
        auths = tuple(
            ReidentificationAuthorization(r.s1, _slot_span(r)) for r in rows[_REIDENTIFICATION]
        )
        unit = None
        roles = [r for r in officer_roles if r.role == "ministry_user" and r.unit]
        if roles:
            row = self.get("unit", roles[0].unit)
            if row is not None:
                unit = Unit(row["id"], tuple(row["duties"]))
        return {"reidentification_authorizations": auths, "unit": unit}


def _care_facts(rows: dict[int, list[Any]], at: datetime) -> dict[str, Any]:
    episodes, appointments = [], []
    for r in rows[_EPISODE]:  # s1 id, s2 kind, s3 facility, s4 physician, d1 day, t1 start, t2 end
        if r.s2 == "appointment":
            appointments.append(Appointment(r.s1, r.s4, r.s3, r.d1, r.t2))
        else:
            span = Interval(r.t1, r.t2 if r.t2 and r.t2 <= at else None)
            episodes.append(Episode(r.s1, r.s2, r.s3, span))
    return {
        "episodes": tuple(episodes),
        "appointments": tuple(appointments),
        "family_doctor": tuple((r.s1, _slot_span(r)) for r in rows[_FAMILY_DOCTOR]),
        "code_grants": tuple(_slot_span(r) for r in rows[_CODE_GRANT]),
    }


def _slot_span(row: Any) -> Interval:
    return Interval(row.t1, row.t2)


def _kind(prefs: list[Any], kind: str) -> tuple[Interval, ...]:
    return tuple(_slot_span(p) for p in prefs if p.s1 == kind)


# -- the facts snapshot's statements, built once -------------------------------------------
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


# -- the facts snapshot: one UNION ALL of tagged branches ----------------------------------
# Each branch is one of the queries facts_for used to run, with the same filter (so the same
# plan and row order), tagged with a number. All select the same typed slots: s1-s5 strings,
# d1 a date, t1-t2 UTC times (valid_from and valid_to where the table is temporal), j1 JSON,
# b1 a boolean; a slot a branch does not use is NULL cast to the slot's type, so each slot has
# one type in every branch (PostgreSQL requires it) and one result processing.
# Parameters: actor, patient, at, record, via; a NULL record or via matches nothing.
_SLOT_TYPES: tuple[tuple[str, Any], ...] = (
    ("s1", String()),
    ("s2", String()),
    ("s3", String()),
    ("s4", String()),
    ("s5", String()),
    ("d1", Date()),
    ("t1", orm.UtcDateTime()),
    ("t2", orm.UtcDateTime()),
    ("j1", JSON()),
    ("b1", Boolean()),
)
(
    _ACTOR,
    _PATIENT,
    _RECORD,
    _INSTALLATION_ROW,
    _STATUS,
    _PREFERENCE,
    _STAFF,
    _OFFICER,
    _CONCEALMENT,
    _PARENT,
    _CUSTODY,
    _RELATIVE,
    _ATTORNEY,
    _HEIR,
    _EPISODE,
    _FAMILY_DOCTOR,
    _CODE_GRANT,
    _OPINION,
    _CUTOFF,
    _CORRECTION,
    _REIDENTIFICATION,
) = range(21)


def _branch(tag: int, source: Any, *where: Any, **slots: Any) -> Any:
    columns = [literal_column(str(tag), Integer()).label("tag")]
    for name, type_ in _SLOT_TYPES:
        value = slots.pop(name, None)
        columns.append((cast(null(), type_) if value is None else value).label(name))
    assert not slots, slots
    return select(*columns).select_from(source).where(*where)


def _temporal_branch(tag: int, table: Table, *where: Any, **slots: Any) -> Any:
    vf, vt = _spans(table)
    return _branch(tag, table, *where, vf <= bindparam("at"), t1=vf, t2=vt, **slots)


def _base_branches() -> list[Any]:
    """What every action needs: who, the record, the software, preferences and relationships."""
    p, d, r, i, st = orm.person, orm.death, orm.record, orm.installation, orm.installation_status
    pr, s, f, o = orm.preference, orm.staff_post, orm.facility, orm.officer_role
    co, pl, cu = orm.concealment_order, orm.parent_link, orm.custody
    ra, pa, ih = orm.relative_authorization, orm.power_of_attorney, orm.inheritance_heir
    actor, patient = bindparam("actor"), bindparam("patient")
    person = p.outerjoin(d, d.c.patient == p.c.id)
    return [
        _branch(_ACTOR, person, p.c.id == actor, s1=p.c.id, d1=p.c.birth_date, t1=d.c.died_at),
        _branch(_PATIENT, person, p.c.id == patient, s1=p.c.id, d1=p.c.birth_date, t1=d.c.died_at),
        _branch(
            _RECORD,
            r,
            r.c.id == bindparam("record"),
            s1=r.c.id,
            s2=r.c.patient,
            s3=r.c.facility,
            s4=r.c.author,
            s5=r.c.category,
            t1=r.c.created_at,
        ),
        _branch(_INSTALLATION_ROW, i, i.c.id == bindparam("via"), s1=i.c.id, s2=i.c.facility),
        _temporal_branch(_STATUS, st, st.c.installation == bindparam("via"), s1=st.c.status),
        _temporal_branch(
            _PREFERENCE,
            pr,
            pr.c.patient == patient,
            s1=pr.c.kind,
            s2=pr.c.record,
            s3=pr.c.person,
            s4=pr.c.detail,
        ),
        _branch(
            _STAFF,
            s.join(f, f.c.id == s.c.facility),
            s.c.person == actor,
            s.c.valid_from <= bindparam("at"),
            s1=s.c.facility,
            s2=s.c.role,
            s3=s.c.specialty,
            s4=f.c.province,
            t1=s.c.valid_from,
            t2=s.c.valid_to,
        ),
        _temporal_branch(
            _OFFICER, o, o.c.person == actor, s1=o.c.role, s2=o.c.province, s3=o.c.unit
        ),
        _temporal_branch(_CONCEALMENT, co, co.c.patient == patient, j1=co.c.need_to_know),
        _temporal_branch(_PARENT, pl, pl.c.parent == actor, pl.c.child == patient),
        _temporal_branch(_CUSTODY, cu, cu.c.child == patient, s1=cu.c.custodian),
        _temporal_branch(
            _RELATIVE,
            ra,
            ra.c.patient == patient,
            ra.c.relative == actor,
            j1=ra.c.categories,
            d1=ra.c.until,
        ),
        _temporal_branch(
            _ATTORNEY,
            pa,
            pa.c.client == patient,
            pa.c.lawyer == actor,
            s1=pa.c.id,
            s2=pa.c.kind,
            b1=pa.c.health_data_consent,
            d1=pa.c.valid_until,
        ),
        _branch(_HEIR, ih, ih.c.deceased == patient, ih.c.heir == actor, t1=ih.c.recorded_at),
    ]


def _action_branches(action: str) -> list[Any]:
    """What only some actions need."""
    actor, patient, at = bindparam("actor"), bindparam("patient"), bindparam("at")
    e = orm.episode
    episodes = _branch(
        _EPISODE,
        e,
        e.c.patient == patient,
        e.c.started_at <= at,
        or_(e.c.kind != "appointment", e.c.physician == actor),
        s1=e.c.id,
        s2=e.c.kind,
        s3=e.c.facility,
        s4=e.c.physician,
        d1=e.c.day,
        t1=e.c.started_at,
        t2=e.c.ended_at,
    )
    if action == "read":
        fd, cg = orm.family_doctor, orm.code_grant
        return [
            episodes,
            _temporal_branch(_FAMILY_DOCTOR, fd, fd.c.patient == patient, s1=fd.c.physician),
            _temporal_branch(_CODE_GRANT, cg, cg.c.physician == actor, cg.c.patient == patient),
        ]
    if action == "analyze":
        w = orm.written_opinion
        return [
            _branch(
                _OPINION,
                w,
                w.c.installation == bindparam("via"),
                w.c.issued_at <= at,
                s1=w.c.id,
                s2=w.c.installation,
                s3=w.c.facility,
                s4=w.c.purpose,
                t1=w.c.issued_at,
                d1=w.c.valid_until,
                t2=w.c.revoked_at,
            )
        ]
    if action == "correct":
        cc, cr = orm.correction_cutoff, orm.correction_request
        return [
            episodes,  # rule 2's care path: a concealed patient's episode under way (M12, M6/1)
            _temporal_branch(_CUTOFF, cc, d1=cc.c.cutoff_date),
            _branch(
                _CORRECTION,
                cr,
                cr.c.record == bindparam("record"),
                s1=cr.c.id,
                s2=cr.c.record,
                t1=cr.c.forwarded_at,
            ),
        ]
    if action == "reidentify":
        ri = orm.reidentification_authorization
        return [_temporal_branch(_REIDENTIFICATION, ri, ri.c.user == actor, s1=ri.c.unit)]
    return []


def _facts_statement(action: str) -> Any:
    """The snapshot's statement for one action, built on first use."""
    return _cached(
        ("facts", action), lambda: union_all(*_base_branches(), *_action_branches(action))
    )
