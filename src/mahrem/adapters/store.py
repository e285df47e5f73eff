"""The SQL store: generic temporal writes, lookups, and the facts snapshot for the engine.

Every statement is built once (per table and shape of its filter) and then reused with new
parameters. Building a Core statement and its cache key costs several times what running it
on SQLite does; a reused statement keeps its memoised cache key and compiled form, so a call
pays only for binding, executing and reading rows (benches/decide.py measures the difference).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection, Table, and_, bindparam, delete, func, insert, or_, select, update,
)
from sqlalchemy.sql import ColumnElement, Executable

from mahrem.adapters import orm
from mahrem.adapters.audit_sql import AuditQueries
from mahrem.domain.decision import Request
from mahrem.domain.facts import (
    Appointment, ConcealmentOrder, CorrectionCutoff, CorrectionRequest, CustodyDecision,
    Episode, Facts, Installation, Interval, OfficerRole, Person, PowerOfAttorney, Protocol,
    RecordMeta, ReidentificationAuthorization, RelativeAuthorization, StaffPost, Unit,
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
    return list(table.primary_key.columns)[0]


def _shape(match: dict[str, Any]) -> tuple[tuple[str, bool], ...]:
    """The statement shape of a filter: its columns, and which compare to None (IS NULL)."""
    return tuple((k, v is None) for k, v in match.items())


def _filter(table: Table, shape: tuple[tuple[str, bool], ...]) -> list[ColumnElement[bool]]:
    # `column == None` is `IS NULL`, as it was with the value inlined.
    return [table.c[k].is_(None) if none else table.c[k] == bindparam(f"m_{k}") for k, none in shape]


def _params(match: dict[str, Any], **extra: Any) -> dict[str, Any]:
    params = {f"m_{k}": v for k, v in match.items() if v is not None}
    params.update(extra)
    return params


def _span(row: Any) -> Interval:
    return Interval(row.valid_from, row.valid_to)


class SqlStore(AuditQueries):
    """All reads and writes of one unit of work, over one connection and transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

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

        return self.conn.execute(_cached(("exists", kind), build), {"p_key": key}).first() is not None

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
        # One query: the installation outer-joined to its statuses known at `at`, in row order.
        rows = self.conn.execute(_INSTALLATION, {"iid": iid, "at": at}).all()
        if not rows:
            return None
        statuses = tuple(
            (r.status, Interval(r.valid_from, r.valid_to)) for r in rows if r.status is not None
        )
        return Installation(rows[0].id, rows[0].facility, statuses)

    def facts_for(self, req: Request) -> Facts:
        """Load every fact the engine may need for this request, as known at `req.at`."""
        at, actor, patient, record_id = req.at, req.actor, req.patient, req.record
        run = self.conn.execute
        actor_p = self.person(actor)
        patient_p = actor_p if patient == actor else self.person(patient)
        assert actor_p is not None and patient_p is not None
        record = self.record_meta(record_id) if record_id else None
        installation = self.installation(req.via, at) if req.via else None
        at_patient = {"patient": patient, "at": at}
        prefs = run(_PREFERENCES, at_patient).all()
        kw: dict[str, Any] = {}
        if req.action == "read":
            kw.update(self._care_facts(req))
        if req.action == "analyze" and installation is not None:
            kw["opinions"] = self._opinions(installation.id, at)
        if req.action == "correct" and record_id:
            kw["cutoffs"] = tuple(
                CorrectionCutoff(day, Interval(vf, vt)) for day, vf, vt in run(_CUTOFFS, {"at": at})
            )
            kw["correction_requests"] = tuple(
                CorrectionRequest(*r) for r in run(_CORRECTION_REQUESTS, {"record": record_id})
            )
        if req.action == "reidentify":
            kw.update(self._ministry_facts(actor, at))
        if req.action == "transfer" and req.recipient and req.recipient.protocol:
            row = self.get("protocol", req.recipient.protocol)
            if row is not None and row["signed_at"] <= at:
                kw["protocol"] = Protocol(row["id"], tuple(row["categories"]), row["signed_at"])
        pair = {"actor": actor, "patient": patient, "at": at}
        return Facts(
            actor=actor_p,
            patient=patient_p,
            record=record,
            staff_posts=self.staff_posts(actor, at),
            officer_roles=self.officer_roles(actor, at),
            installation=installation,
            concealments=tuple(
                ConcealmentOrder(tuple(need), Interval(vf, vt))
                for need, vf, vt in run(_CONCEALMENTS, at_patient)
            ),
            record_hidden=tuple(
                Interval(p.valid_from, p.valid_to) for p in prefs
                if p.kind == "record_hidden" and p.record == record_id
            ),
            enabiz_account=_kind(prefs, "enabiz_account"),
            history_locks=_kind(prefs, "history_locked"),
            parental_restrictions=_kind(prefs, "parental_restriction"),
            parental_grants=tuple(
                Interval(p.valid_from, p.valid_to) for p in prefs
                if p.kind == "parental_grant" and p.person == actor
            ),
            transfer_consents=tuple(
                (p.detail, Interval(p.valid_from, p.valid_to)) for p in prefs
                if p.kind == "transfer_consent"
            ),
            parent_links=tuple(Interval(vf, vt) for vf, vt in run(_PARENT_LINKS, pair)),
            custody=tuple(
                CustodyDecision(custodian, Interval(vf, vt))
                for custodian, vf, vt in run(_CUSTODY, at_patient)
            ),
            relative_authorizations=tuple(
                RelativeAuthorization(tuple(categories or ()), until, Interval(vf, vt))
                for categories, until, vf, vt in run(_RELATIVE_AUTHORIZATIONS, pair)
            ),
            powers_of_attorney=tuple(
                PowerOfAttorney(pid, kind, consent, valid_until, Interval(vf, vt))
                for pid, kind, consent, valid_until, vf, vt in run(_POWERS_OF_ATTORNEY, pair)
            ),
            heir_of_patient=tuple(r[0] for r in run(_HEIRS, pair)),
            **kw,
        )

    def _care_facts(self, req: Request) -> dict[str, Any]:
        at, patient = req.at, req.patient
        run = self.conn.execute
        episodes, appointments = [], []
        for eid, kind, facility, physician, day, started_at, ended_at in run(
            _EPISODES, {"patient": patient, "at": at, "actor": req.actor}
        ):
            if kind == "appointment":
                appointments.append(Appointment(eid, physician, facility, day, ended_at))
            else:
                span = Interval(started_at, ended_at if ended_at and ended_at <= at else None)
                episodes.append(Episode(eid, kind, facility, span))
        return {
            "episodes": tuple(episodes),
            "appointments": tuple(appointments),
            "family_doctor": tuple(
                (physician, Interval(vf, vt))
                for physician, vf, vt in run(_FAMILY_DOCTOR, {"patient": patient, "at": at})
            ),
            "code_grants": tuple(
                Interval(vf, vt)
                for vf, vt in run(_CODE_GRANTS, {"actor": req.actor, "patient": patient, "at": at})
            ),
        }

    def _opinions(self, installation_id: str, at: datetime) -> tuple[WrittenOpinion, ...]:
        rows = self.conn.execute(_OPINIONS, {"iid": installation_id, "at": at})
        return tuple(WrittenOpinion(*r) for r in rows)

    def _ministry_facts(self, actor: str, at: datetime) -> dict[str, Any]:
        auths = tuple(
            ReidentificationAuthorization(unit, Interval(vf, vt))
            for unit, vf, vt in self.conn.execute(_REIDENTIFICATION, {"actor": actor, "at": at})
        )
        unit = None
        roles = [r for r in self.officer_roles(actor, at) if r.role == "ministry_user" and r.unit]
        if roles:
            row = self.get("unit", roles[0].unit)
            if row is not None:
                unit = Unit(row["id"], tuple(row["duties"]))
        return {"reidentification_authorizations": auths, "unit": unit}


def _kind(prefs: list[Any], kind: str) -> tuple[Interval, ...]:
    return tuple(Interval(p.valid_from, p.valid_to) for p in prefs if p.kind == kind)


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
_INSTALLATION = (
    select(_i.c.id, _i.c.facility, _st.c.status, *_spans(_st))
    .select_from(
        _i.outerjoin(_st, and_(_st.c.installation == _i.c.id, _at_most(_st.c.valid_from)))
    )
    .where(_i.c.id == bindparam("iid"))
    .order_by(_st.c.id)
)

_pr = orm.preference
_PREFERENCES = select(_pr.c.kind, _pr.c.record, _pr.c.person, _pr.c.detail, *_spans(_pr)).where(
    _pr.c.patient == bindparam("patient"), _at_most(_pr.c.valid_from)
)

_co = orm.concealment_order
_CONCEALMENTS = select(_co.c.need_to_know, *_spans(_co)).where(
    _co.c.patient == bindparam("patient"), _at_most(_co.c.valid_from)
)
_pl = orm.parent_link
_PARENT_LINKS = select(*_spans(_pl)).where(
    _pl.c.parent == bindparam("actor"), _pl.c.child == bindparam("patient"), _at_most(_pl.c.valid_from)
)
_cu = orm.custody
_CUSTODY = select(_cu.c.custodian, *_spans(_cu)).where(
    _cu.c.child == bindparam("patient"), _at_most(_cu.c.valid_from)
)
_ra = orm.relative_authorization
_RELATIVE_AUTHORIZATIONS = select(_ra.c.categories, _ra.c.until, *_spans(_ra)).where(
    _ra.c.patient == bindparam("patient"), _ra.c.relative == bindparam("actor"),
    _at_most(_ra.c.valid_from),
)
_pa = orm.power_of_attorney
_POWERS_OF_ATTORNEY = select(
    _pa.c.id, _pa.c.kind, _pa.c.health_data_consent, _pa.c.valid_until, *_spans(_pa)
).where(
    _pa.c.client == bindparam("patient"), _pa.c.lawyer == bindparam("actor"), _at_most(_pa.c.valid_from)
)
_ih = orm.inheritance_heir
_HEIRS = select(_ih.c.recorded_at).where(
    _ih.c.deceased == bindparam("patient"), _ih.c.heir == bindparam("actor")
)

_e = orm.episode
_EPISODES = select(
    _e.c.id, _e.c.kind, _e.c.facility, _e.c.physician, _e.c.day, _e.c.started_at, _e.c.ended_at
).where(
    _e.c.patient == bindparam("patient"),
    _at_most(_e.c.started_at),
    or_(_e.c.kind != "appointment", _e.c.physician == bindparam("actor")),
)
_fd = orm.family_doctor
_FAMILY_DOCTOR = select(_fd.c.physician, *_spans(_fd)).where(
    _fd.c.patient == bindparam("patient"), _at_most(_fd.c.valid_from)
)
_cg = orm.code_grant
_CODE_GRANTS = select(*_spans(_cg)).where(
    _cg.c.physician == bindparam("actor"), _cg.c.patient == bindparam("patient"),
    _at_most(_cg.c.valid_from),
)

_wo = orm.written_opinion
_OPINIONS = select(
    _wo.c.id, _wo.c.installation, _wo.c.facility, _wo.c.purpose, _wo.c.issued_at,
    _wo.c.valid_until, _wo.c.revoked_at,
).where(_wo.c.installation == bindparam("iid"), _at_most(_wo.c.issued_at))
_cc = orm.correction_cutoff
_CUTOFFS = select(_cc.c.cutoff_date, *_spans(_cc)).where(_at_most(_cc.c.valid_from))
_cr = orm.correction_request
_CORRECTION_REQUESTS = select(_cr.c.id, _cr.c.record, _cr.c.forwarded_at).where(
    _cr.c.record == bindparam("record")
)
_ri = orm.reidentification_authorization
_REIDENTIFICATION = select(_ri.c.unit, *_spans(_ri)).where(
    _ri.c.user == bindparam("actor"), _at_most(_ri.c.valid_from)
)
