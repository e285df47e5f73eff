"""The SQL store: generic temporal writes, lookups, and the facts snapshot for the engine."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, or_, select, update

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


def _span(row: Any) -> Interval:
    return Interval(row.valid_from, row.valid_to)


class SqlStore(AuditQueries):
    """All reads and writes of one unit of work, over one connection and transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- generic access -------------------------------------------------------------
    def add(self, kind: str, /, **values: Any) -> int | None:
        """Insert one row; returns the generated integer key where there is one."""
        result = self.conn.execute(insert(TABLES[kind]).values(**values))
        keys = result.inserted_primary_key
        return keys[0] if keys else None

    def get(self, kind: str, /, key: Any) -> dict[str, Any] | None:
        table = TABLES[kind]
        pk = list(table.primary_key.columns)[0]
        row = self.conn.execute(select(table).where(pk == key)).mappings().first()
        return dict(row) if row else None

    def rows(self, kind: str, /, **match: Any) -> list[dict[str, Any]]:
        table = TABLES[kind]
        query = select(table).where(*(table.c[k] == v for k, v in match.items()))
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def open_rows(self, kind: str, /, at: datetime, **match: Any) -> list[dict[str, Any]]:
        """Rows of a temporal table in force at `at`."""
        table = TABLES[kind]
        query = select(table).where(
            *(table.c[k] == v for k, v in match.items()),
            table.c.valid_from <= at,
            or_(table.c.valid_to.is_(None), table.c.valid_to > at),
        )
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def end(self, kind: str, /, at: datetime, **match: Any) -> int:
        """End every interval of `kind` matching `match` that is still open at `at`."""
        table = TABLES[kind]
        stmt = (
            update(table)
            .where(*(table.c[k] == v for k, v in match.items()), table.c.valid_to.is_(None))
            .values(valid_to=at)
        )
        return self.conn.execute(stmt).rowcount

    def set(self, kind: str, /, key: Any, **values: Any) -> None:
        table = TABLES[kind]
        pk = list(table.primary_key.columns)[0]
        self.conn.execute(update(table).where(pk == key).values(**values))

    def purge(self, kind: str, column: str, before: datetime) -> None:
        """Delete rows whose `column` is at or before `before` (only for transient tables)."""
        table = TABLES[kind]
        self.conn.execute(delete(table).where(table.c[column] <= before))

    def count(self, kind: str) -> int:
        return int(self.conn.execute(select(func.count()).select_from(TABLES[kind])).scalar_one())

    def exists(self, kind: str, key: Any) -> bool:
        return self.get(kind, key) is not None

    # -- facts for the engine ---------------------------------------------------------
    def person(self, pid: str) -> Person | None:
        p, d = orm.person, orm.death
        row = self.conn.execute(
            select(p.c.id, p.c.birth_date, d.c.died_at)
            .outerjoin(d, d.c.patient == p.c.id)
            .where(p.c.id == pid)
        ).first()
        return Person(row.id, row.birth_date, row.died_at) if row else None

    def record_meta(self, rid: str) -> RecordMeta | None:
        r = orm.record
        row = self.conn.execute(
            select(r.c.id, r.c.patient, r.c.facility, r.c.author, r.c.created_at, r.c.category)
            .where(r.c.id == rid)
        ).first()
        return RecordMeta(*row) if row else None

    def staff_posts(self, pid: str, at: datetime) -> tuple[StaffPost, ...]:
        s, f = orm.staff_post, orm.facility
        rows = self.conn.execute(
            select(s, f.c.province).join(f, f.c.id == s.c.facility)
            .where(s.c.person == pid, s.c.valid_from <= at)
        )
        return tuple(StaffPost(r.facility, r.role, r.specialty, r.province, _span(r)) for r in rows)

    def officer_roles(self, pid: str, at: datetime) -> tuple[OfficerRole, ...]:
        o = orm.officer_role
        rows = self.conn.execute(select(o).where(o.c.person == pid, o.c.valid_from <= at))
        return tuple(OfficerRole(r.role, r.province, r.unit, _span(r)) for r in rows)

    def installation(self, iid: str, at: datetime) -> Installation | None:
        i, st = orm.installation, orm.installation_status
        row = self.conn.execute(select(i.c.id, i.c.facility).where(i.c.id == iid)).first()
        if row is None:
            return None
        statuses = self.conn.execute(
            select(st.c.status, st.c.valid_from, st.c.valid_to)
            .where(st.c.installation == iid, st.c.valid_from <= at)
        )
        return Installation(row.id, row.facility, tuple((s.status, _span(s)) for s in statuses))

    def facts_for(self, req: Request) -> Facts:
        """Load every fact the engine may need for this request, as known at `req.at`."""
        at, actor, patient = req.at, req.actor, req.patient
        actor_p = self.person(actor)
        patient_p = self.person(patient)
        assert actor_p is not None and patient_p is not None
        record = self.record_meta(req.record) if req.record else None
        installation = self.installation(req.via, at) if req.via else None
        prefs = self._temporal("preference", at, patient=patient)
        kw: dict[str, Any] = {}
        if req.action == "read":
            kw.update(self._care_facts(req))
        if req.action == "analyze" and installation is not None:
            kw["opinions"] = self._opinions(installation.id, at)
        if req.action == "correct" and req.record:
            kw["cutoffs"] = tuple(
                CorrectionCutoff(r["cutoff_date"], _span_d(r))
                for r in self._temporal("correction_cutoff", at)
            )
            kw["correction_requests"] = tuple(
                CorrectionRequest(r["id"], r["record"], r["forwarded_at"])
                for r in self.rows("correction_request", record=req.record)
            )
        if req.action == "reidentify":
            kw.update(self._ministry_facts(actor, at))
        if req.action == "transfer" and req.recipient and req.recipient.protocol:
            row = self.get("protocol", req.recipient.protocol)
            if row is not None and row["signed_at"] <= at:
                kw["protocol"] = Protocol(row["id"], tuple(row["categories"]), row["signed_at"])
        return Facts(
            actor=actor_p,
            patient=patient_p,
            record=record,
            staff_posts=self.staff_posts(actor, at),
            officer_roles=self.officer_roles(actor, at),
            installation=installation,
            concealments=tuple(
                ConcealmentOrder(tuple(r["need_to_know"]), _span_d(r))
                for r in self._temporal("concealment_order", at, patient=patient)
            ),
            record_hidden=tuple(
                _span_d(p) for p in prefs if p["kind"] == "record_hidden" and p["record"] == req.record
            ),
            enabiz_account=_kind(prefs, "enabiz_account"),
            history_locks=_kind(prefs, "history_locked"),
            parental_restrictions=_kind(prefs, "parental_restriction"),
            parental_grants=tuple(
                _span_d(p) for p in prefs if p["kind"] == "parental_grant" and p["person"] == actor
            ),
            transfer_consents=tuple(
                (p["detail"], _span_d(p)) for p in prefs if p["kind"] == "transfer_consent"
            ),
            parent_links=tuple(
                _span_d(r) for r in self._temporal("parent_link", at, parent=actor, child=patient)
            ),
            custody=tuple(
                CustodyDecision(r["custodian"], _span_d(r))
                for r in self._temporal("custody", at, child=patient)
            ),
            relative_authorizations=tuple(
                RelativeAuthorization(tuple(r["categories"] or ()), r["until"], _span_d(r))
                for r in self._temporal("relative_authorization", at, patient=patient, relative=actor)
            ),
            powers_of_attorney=tuple(
                PowerOfAttorney(r["id"], r["kind"], r["health_data_consent"], r["valid_until"], _span_d(r))
                for r in self._temporal("power_of_attorney", at, client=patient, lawyer=actor)
            ),
            heir_of_patient=tuple(
                r["recorded_at"] for r in self.rows("inheritance_heir", deceased=patient, heir=actor)
            ),
            **kw,
        )

    def _temporal(self, kind: str, /, at: datetime, **match: Any) -> list[dict[str, Any]]:
        table = TABLES[kind]
        query = select(table).where(
            *(table.c[k] == v for k, v in match.items()), table.c.valid_from <= at
        )
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def _care_facts(self, req: Request) -> dict[str, Any]:
        at, patient = req.at, req.patient
        e = orm.episode
        rows = self.conn.execute(
            select(e).where(
                e.c.patient == patient,
                e.c.started_at <= at,
                or_(e.c.kind != "appointment", e.c.physician == req.actor),
            )
        ).mappings()
        episodes, appointments = [], []
        for r in rows:
            if r["kind"] == "appointment":
                appointments.append(
                    Appointment(r["id"], r["physician"], r["facility"], r["day"], r["ended_at"])
                )
            else:
                span = Interval(r["started_at"], r["ended_at"] if r["ended_at"] and r["ended_at"] <= at else None)
                episodes.append(Episode(r["id"], r["kind"], r["facility"], span))
        return {
            "episodes": tuple(episodes),
            "appointments": tuple(appointments),
            "family_doctor": tuple(
                (r["physician"], _span_d(r))
                for r in self._temporal("family_doctor", at, patient=patient)
            ),
            "code_grants": tuple(
                _span_d(r) for r in self._temporal("code_grant", at, physician=req.actor, patient=patient)
            ),
        }

    def _opinions(self, installation_id: str, at: datetime) -> tuple[WrittenOpinion, ...]:
        w = orm.written_opinion
        rows = self.conn.execute(
            select(w).where(w.c.installation == installation_id, w.c.issued_at <= at)
        ).mappings()
        return tuple(
            WrittenOpinion(
                r["id"], r["installation"], r["facility"], r["purpose"], r["issued_at"],
                r["valid_until"], r["revoked_at"],
            )
            for r in rows
        )

    def _ministry_facts(self, actor: str, at: datetime) -> dict[str, Any]:
        auths = tuple(
            ReidentificationAuthorization(r["unit"], _span_d(r))
            for r in self._temporal("reidentification_authorization", at, user=actor)
        )
        unit = None
        roles = [r for r in self.officer_roles(actor, at) if r.role == "ministry_user" and r.unit]
        if roles:
            row = self.get("unit", roles[0].unit)
            if row is not None:
                unit = Unit(row["id"], tuple(row["duties"]))
        return {"reidentification_authorizations": auths, "unit": unit}


def _span_d(row: dict[str, Any]) -> Interval:
    return Interval(row["valid_from"], row["valid_to"])


def _kind(prefs: list[dict[str, Any]], kind: str) -> tuple[Interval, ...]:
    return tuple(_span_d(p) for p in prefs if p["kind"] == kind)



