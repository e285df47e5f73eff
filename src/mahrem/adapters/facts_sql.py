"""The facts snapshot for the engine: one UNION ALL statement, and the facts made of its rows.

`SqlStore.facts_for` reads its whole snapshot with this one statement rather than a query per
fact: each round trip through SQLAlchemy's execute path costs about 50 µs of Python, while
SQLite answers each branch in a few µs (benches/decide.py measures the difference).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Integer,
    String,
    Table,
    and_,
    bindparam,
    cast,
    literal_column,
    null,
    or_,
    select,
    union_all,
)

from mahrem.adapters import orm
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


def _spans(table: Table) -> tuple[Any, Any]:
    return table.c.valid_from, table.c.valid_to


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
    # A death counts from when Mahrem learnt it (issue 19): a replay of a decision made before
    # then gives the answer Mahrem gave then.
    person = p.outerjoin(d, and_(d.c.patient == p.c.id, d.c.recorded_at <= bindparam("at")))
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


@functools.cache
def statement(action: str) -> Any:
    """The snapshot's statement for one action, built on first use."""
    return union_all(*_base_branches(), *_action_branches(action))


def record_of(rows: dict[int, list[Any]]) -> RecordMeta | None:
    """The record the snapshot was read for, if it names one that exists."""
    return next((RecordMeta(r.s1, r.s2, r.s3, r.s4, r.t1, r.s5) for r in rows[_RECORD]), None)


def facts_from(
    req: Request,
    rows: dict[int, list[Any]],
    record: RecordMeta | None,
    get: Callable[[str, Any], dict[str, Any] | None],
) -> Facts:
    """The engine's facts for `req` out of the snapshot's rows; `get` reads a row by key."""
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
        kw.update(_ministry_facts(rows, officer_roles, get))
    if req.action == "transfer" and req.recipient and req.recipient.protocol:
        row = get("protocol", req.recipient.protocol)
        if row is not None and row["signed_at"] <= at:
            kw["protocol"] = Protocol(row["id"], tuple(row["categories"]), row["signed_at"])
    return Facts(
        actor=actor_p,
        patient=patient_p,
        record=record,
        staff_posts=tuple(StaffPost(r.s1, r.s2, r.s3, r.s4, _slot_span(r)) for r in rows[_STAFF]),
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
        transfer_consents=tuple((p.s4, _slot_span(p)) for p in prefs if p.s1 == "transfer_consent"),
        parent_links=tuple(_slot_span(r) for r in rows[_PARENT]),
        custody=tuple(CustodyDecision(r.s1, _slot_span(r)) for r in rows[_CUSTODY]),
        relative_authorizations=tuple(
            RelativeAuthorization(tuple(r.j1 or ()), r.d1, _slot_span(r)) for r in rows[_RELATIVE]
        ),
        powers_of_attorney=tuple(
            PowerOfAttorney(r.s1, r.s2, r.b1, r.d1, _slot_span(r)) for r in rows[_ATTORNEY]
        ),
        heir_of_patient=tuple(r.t1 for r in rows[_HEIR]),
        **kw,
    )


def _ministry_facts(
    rows: dict[int, list[Any]],
    officer_roles: tuple[OfficerRole, ...],
    get: Callable[[str, Any], dict[str, Any] | None],
) -> dict[str, Any]:
    auths = tuple(
        ReidentificationAuthorization(r.s1, _slot_span(r)) for r in rows[_REIDENTIFICATION]
    )
    unit = None
    roles = [r for r in officer_roles if r.role == "ministry_user" and r.unit]
    if roles:
        row = get("unit", roles[0].unit)
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
