"""Decision benchmark: the pure engine alone, and the full service-layer path over SQLite.

Run on demand (not part of the test suite; it prints figures and asserts nothing):

    .venv/bin/python benches/decide.py [--db var/bench/bench.db] [--rebuild]
        [--patients 100000] [--records 1000000] [--decisions N] [--breakdown]

1. "engine alone": `mahrem.domain.engine.decide(req, facts, policy)` over Facts already loaded
   in memory; the timer wraps only the decide call. One core (the process is pinned to one).
2. "service layer": `access.decide_json(m, request_dict, at)`: one unit of work (BEGIN IMMEDIATE),
   parse and reference checks, policy lookup, `SqlStore.facts_for`, the engine, the audit-chain
   append and COMMIT, on SQLite in WAL mode (the default engine of `bootstrap.build`).

The world (patients, staff, facilities, software, episodes, family doctors, preferences, family
links, officers, records...) is generated once with bulk Core inserts into a database made by
`mahrem.adapters.db.upgrade`, and reused while its size matches (`--rebuild` forces). Requests
are drawn from it in a fixed mix (MIX below) of staff reads (windows, no window, e-Nabız
accounts, history locks, restricted categories, hidden records), patients, parents, relatives,
lawyers, heirs and officers.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import random
import sqlite3
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy
from machine import cpu_model
from sqlalchemy import Connection, select
from stdnum.tr import tckimlik

from mahrem.adapters import orm
from mahrem.adapters.db import make_engine, unit_of_work, upgrade
from mahrem.adapters.store import SqlStore
from mahrem.bootstrap import build
from mahrem.domain import engine as rules_engine
from mahrem.domain.clock import BEGINNING, local_date
from mahrem.domain.policy import RESTRICTED_CATEGORIES
from mahrem.services import access
from mahrem.services.access import parse_request
from mahrem.services.policies import ensure_policy, policy_at

WORLD_VERSION = 2  # bump when the generator changes, so cached databases are rebuilt
SEED = 20260601
# Every decision is asked at (about) this instant; the world is built around it.
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
BATCH = 50_000

CATEGORY_WEIGHTS = {
    "general": 30,
    "laboratory": 25,
    "imaging": 10,
    "prescription": 14,
    "vaccination": 5,
    "psychiatry": 5,
    "sexual_health": 2,
    "hiv": 1,
    "genetics": 2,
    "substance_use": 2,
    "reproductive": 4,
}
SPECIALTIES = (
    "internal_medicine",
    "internal_medicine",
    "general_surgery",
    "pediatrics",
    "cardiology",
    "psychiatry",
    "infectious_diseases",
    "dermatology",
    "obstetrics",
    "medical_genetics",
    "emergency_medicine",
    "radiology",
)
RESOURCE = {
    "resourceType": "Observation",
    "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "718-7", "display": "Hemoglobin"}]},
    "valueQuantity": {"value": 13.2, "unit": "g/dL"},
}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# World generation
# ---------------------------------------------------------------------------------------------
class Sink:
    """Buffers rows per table and bulk-inserts them in batches, in foreign-key order."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, table: str, row: dict[str, Any]) -> None:
        buf = self.rows[table]
        buf.append(row)
        if len(buf) >= BATCH:
            self.flush(table)

    def flush(self, table: str) -> None:
        """Insert the buffered rows of `table`, after those of every table it may refer to."""
        for t in orm.metadata.sorted_tables:  # foreign-key order
            buf = self.rows[t.name]
            if buf:
                self.conn.execute(t.insert(), buf)
                self.counts[t.name] += len(buf)
                buf.clear()
            if t.name == table:
                return

    def flush_all(self, order: Iterable[str]) -> None:
        for table in order:
            self.flush(table)


def tckn(n: int) -> str:
    body = str(100_000_000 + n)
    return body + tckimlik.calc_check_digits(body)


def _rand_time(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = (end - start).total_seconds()
    return start + timedelta(seconds=int(rng.random() * span))


def _rand_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days))


def generate(db_path: Path, patients: int, records: int) -> dict[str, int]:
    """Build the world with bulk Core inserts; returns row counts per table."""
    rng = random.Random(SEED)
    engine = make_engine(f"sqlite:///{db_path}")
    upgrade(engine)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA cache_size=-200000")
        sink = Sink(conn)
        counts = _generate(sink, rng, patients, records, t0)
    with unit_of_work(engine) as store:
        ensure_policy(store)
    log("  checkpoint ...")  # no ANALYZE: the planner sees what a deployed database shows it
    raw = engine.raw_connection()  # outside SQLAlchemy's BEGIN IMMEDIATE: a checkpoint needs it
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    with engine.begin() as conn:  # last: marks the cache complete
        conn.execute(
            orm.meta.insert(), [{"key": "bench.world", "value": _size_key(patients, records)}]
        )
    engine.dispose()
    return counts


def _size_key(patients: int, records: int) -> str:
    return json.dumps({"version": WORLD_VERSION, "patients": patients, "records": records})


def _generate(sink: Sink, rng: random.Random, n_pat: int, n_rec: int, t0: float) -> dict[str, int]:
    created = NOW - timedelta(days=3650)

    def progress(what: str) -> None:
        log(f"  {time.perf_counter() - t0:7.1f}s  {what}")

    # -- facilities and software (KTS) ------------------------------------------------------
    n_fac = max(50, n_pat // 100)
    facilities: list[tuple[str, str, str]] = []  # id, kind, province
    for i in range(n_fac):
        kind = rng.choices(
            ("family_health_center", "hospital", "clinic", "laboratory"), (25, 35, 30, 10)
        )[0]
        province = f"{rng.randint(1, 81):02d}"
        fid = f"F{i:05d}"
        facilities.append((fid, kind, province))
        sink.add("facility", {"id": fid, "name": f"Tesis {i}", "province": province, "kind": kind})
    fhcs = [f for f in facilities if f[1] == "family_health_center"]
    others = [f for f in facilities if f[1] != "family_health_center"]
    sink.flush("facility")

    # -- people: patients, staff, officers, lawyers ----------------------------------------
    person_n = 0

    def person(pid: str, birth: date, name: str) -> None:
        nonlocal person_n
        sink.add(
            "person",
            {
                "id": pid,
                "tckn": tckn(person_n),
                "name": name,
                "birth_date": birth,
                "phone": f"+90555{person_n:07d}",
                "created_at": created,
            },
        )
        person_n += 1

    minors: list[int] = []
    adults: list[int] = []
    for i in range(n_pat):
        if rng.random() < 0.2:
            birth = _rand_date(rng, date(2009, 1, 1), date(2025, 12, 31))
            minors.append(i)
        else:
            birth = _rand_date(rng, date(1935, 1, 1), date(2006, 1, 1))
            adults.append(i)
        person(f"P{i:06d}", birth, f"Hasta {i}")
        if i % 25_000 == 0:
            progress(f"people {i:,}/{n_pat:,}")
    n_phys, n_nurse, n_other = max(40, n_pat // 20), max(20, n_pat // 40), max(10, n_pat // 100)
    staff_ids = (
        [f"D{i:05d}" for i in range(n_phys)]
        + [f"N{i:05d}" for i in range(n_nurse)]
        + [f"O{i:05d}" for i in range(n_other)]
    )
    for sid in staff_ids:
        person(sid, _rand_date(rng, date(1955, 1, 1), date(1998, 1, 1)), f"Personel {sid}")
    n_lawyers = max(10, n_pat // 1000)
    for i in range(n_lawyers):
        person(f"L{i:04d}", date(1980, 1, 1), f"Av. {i}")
    officer_ids = {
        "province_officer": [f"IL{p:02d}" for p in range(1, 82)],
        "gm_officer": [f"GM{i}" for i in range(5)],
        "dpo": [f"DPO{i:02d}" for i in range(20)],
        "ministry_user": [f"MU{i:02d}" for i in range(12)],
    }
    for ids in officer_ids.values():
        for oid in ids:
            person(oid, date(1975, 1, 1), f"Yetkili {oid}")
    sink.flush("person")
    progress(f"people {person_n:,} (patients, staff, lawyers, officers)")

    # -- units, officers, staff posts, installations ------------------------------------------
    units = [
        ("U_PLAN", ["planning", "regulation"]),
        ("U_FIN", ["financing"]),
        ("U_INSP", ["inspection", "regulation"]),
        ("U_STAT", ["planning"]),
    ]
    for uid, duties in units:
        sink.add("unit", {"id": uid, "name": uid, "duties": duties})
    sink.flush("unit")
    for role, ids in officer_ids.items():
        for k, oid in enumerate(ids):
            unit = units[k % len(units)][0] if role == "ministry_user" else None
            province = oid[2:] if role == "province_officer" else None
            sink.add(
                "officer_role",
                {
                    "person": oid,
                    "role": role,
                    "province": province,
                    "unit": unit,
                    "valid_from": BEGINNING,
                    "valid_to": None,
                },
            )
            if (
                role == "ministry_user" and k % 4 != 3
            ):  # 3 of every 4 authorised (M7, <= 3 per unit)
                sink.add(
                    "reidentification_authorization",
                    {
                        "user": oid,
                        "unit": unit,
                        "granted_by": officer_ids["gm_officer"][0],
                        "valid_from": NOW - timedelta(days=400),
                        "valid_to": None,
                    },
                )
    family_doctors: list[tuple[str, str]] = []  # physician, fhc
    for k, sid in enumerate(staff_ids):
        if sid[0] == "D" and (k % 4 == 0):
            fac = rng.choice(fhcs)
            role, specialty = "physician", "family_medicine"
            family_doctors.append((sid, fac[0]))
        else:
            fac = rng.choice(others)
            role = {"D": "physician", "N": "nurse", "O": "other_staff"}[sid[0]]
            specialty = rng.choice(SPECIALTIES) if role == "physician" else None
        start = _rand_time(rng, NOW - timedelta(days=5000), NOW - timedelta(days=30))
        if rng.random() < 0.1:  # an earlier, ended post elsewhere
            old = rng.choice(others)
            sink.add(
                "staff_post",
                {
                    "person": sid,
                    "facility": old[0],
                    "role": role,
                    "specialty": specialty,
                    "valid_from": start - timedelta(days=900),
                    "valid_to": start,
                },
            )
        sink.add(
            "staff_post",
            {
                "person": sid,
                "facility": fac[0],
                "role": role,
                "specialty": specialty,
                "valid_from": start,
                "valid_to": None,
            },
        )
    for fid, _kind, _prov in facilities:
        sid = f"S{fid[1:]}"
        sink.add(
            "installation",
            {
                "id": sid,
                "vendor": "Örnek Yazılım A.Ş.",
                "product": "HBYS",
                "version": "4.2",
                "facility": fid,
                "administrator": None,
            },
        )
        status = rng.choices(("registered", "suspended", "revoked"), (95, 3, 2))[0]
        since = NOW - timedelta(days=rng.randint(30, 2000))
        if status != "registered":
            sink.add(
                "installation_status",
                {
                    "installation": sid,
                    "status": "registered",
                    "valid_from": BEGINNING,
                    "valid_to": since,
                },
            )
            sink.add(
                "installation_status",
                {"installation": sid, "status": status, "valid_from": since, "valid_to": None},
            )
        else:
            sink.add(
                "installation_status",
                {
                    "installation": sid,
                    "status": "registered",
                    "valid_from": BEGINNING,
                    "valid_to": None,
                },
            )
        if rng.random() < 0.1:
            sink.add(
                "written_opinion",
                {
                    "id": f"WO{fid[1:]}",
                    "installation": sid,
                    "facility": fid,
                    "purpose": "research",
                    "issued_by": officer_ids["province_officer"][0],
                    "valid_until": date(2027, 1, 1),
                    "issued_at": NOW - timedelta(days=60),
                    "revoked_at": None,
                    "revoked_by": None,
                },
            )
    for i in range(3):
        sink.add(
            "protocol",
            {
                "id": f"PR{i}",
                "institution": f"Kurum {i}",
                "categories": ["laboratory", "general", "vaccination"],
                "signed_at": NOW - timedelta(days=100),
            },
        )
    sink.add(
        "correction_cutoff",
        {
            "cutoff_date": date(2020, 1, 1),
            "set_by": officer_ids["gm_officer"][0],
            "valid_from": datetime(2020, 1, 1, tzinfo=UTC),
            "valid_to": None,
        },
    )
    sink.flush_all(
        [
            "unit",
            "officer_role",
            "reidentification_authorization",
            "staff_post",
            "installation",
            "installation_status",
            "written_opinion",
            "protocol",
            "correction_cutoff",
        ]
    )
    progress(f"{len(staff_ids):,} staff, {n_fac:,} facilities and installations, officers")

    # -- per patient: family doctor, episodes, preferences, records ----------------------------
    physicians = [s for s in staff_ids if s[0] == "D"]
    cat_names, cat_weights = list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())
    rec_per, rec_extra = divmod(n_rec, n_pat)
    rec_n = ep_n = 0
    dead: list[int] = []
    lo, hi = NOW - timedelta(days=5 * 365), NOW - timedelta(days=1)
    for i in range(n_pat):
        pid = f"P{i:06d}"
        # family doctor registration (M6/3-a); some with an earlier, ended registration
        fd_doc = None
        if rng.random() < 0.9:
            doc, _fhc = rng.choice(family_doctors)
            fd_doc = doc
            start = _rand_time(rng, NOW - timedelta(days=3000), NOW - timedelta(days=10))
            if rng.random() < 0.15:
                old, _ = rng.choice(family_doctors)
                sink.add(
                    "family_doctor",
                    {
                        "patient": pid,
                        "physician": old,
                        "valid_from": start - timedelta(days=700),
                        "valid_to": start,
                    },
                )
            sink.add(
                "family_doctor",
                {"patient": pid, "physician": doc, "valid_from": start, "valid_to": None},
            )
        # e-Nabız account and other preferences (M6/2, M6/5)
        if rng.random() < 0.6:
            sink.add(
                "preference",
                {
                    "patient": pid,
                    "kind": "enabiz_account",
                    "record": None,
                    "person": None,
                    "detail": None,
                    "valid_from": NOW - timedelta(days=rng.randint(1, 2000)),
                    "valid_to": None,
                },
            )
            if rng.random() < 0.08:
                sink.add(
                    "preference",
                    {
                        "patient": pid,
                        "kind": "history_locked",
                        "record": None,
                        "person": None,
                        "detail": None,
                        "valid_from": NOW - timedelta(days=rng.randint(1, 500)),
                        "valid_to": None,
                    },
                )
                if fd_doc is not None and rng.random() < 0.2:  # the patient gave the code (M6/5)
                    granted = NOW - timedelta(hours=rng.randint(1, 48))
                    sink.add(
                        "code_grant",
                        {
                            "physician": fd_doc,
                            "patient": pid,
                            "valid_from": granted,
                            "valid_to": granted + timedelta(hours=24),
                        },
                    )
        if rng.random() < 0.01:
            sink.add(
                "preference",
                {
                    "patient": pid,
                    "kind": "transfer_consent",
                    "record": None,
                    "person": None,
                    "detail": "private",
                    "valid_from": NOW - timedelta(days=50),
                    "valid_to": None,
                },
            )
        # episodes: check-ins, admissions, appointments; some of them current
        recent: tuple[str, datetime] | None = None
        for _ in range(rng.choice((1, 2, 3, 3, 4, 5))):
            r = rng.random()
            fac = rng.choice(others)[0]
            eid = f"E{ep_n:07d}"
            ep_n += 1
            if r < 0.6:
                if rng.random() < 0.05:
                    started = NOW - timedelta(minutes=rng.randint(60, 20 * 60))
                    recent = (fac, started)
                else:
                    started = _rand_time(rng, lo, hi)
                sink.add(
                    "episode",
                    {
                        "id": eid,
                        "kind": "check_in",
                        "patient": pid,
                        "facility": fac,
                        "physician": None,
                        "day": None,
                        "started_at": started,
                        "ended_at": None,
                    },
                )
            elif r < 0.75:
                if rng.random() < 0.2:
                    started, ended = NOW - timedelta(hours=rng.randint(2, 240)), None
                    recent = (fac, started)
                else:
                    started = _rand_time(rng, lo, hi - timedelta(days=10))
                    ended = started + timedelta(hours=rng.randint(6, 300))
                sink.add(
                    "episode",
                    {
                        "id": eid,
                        "kind": "admission",
                        "patient": pid,
                        "facility": fac,
                        "physician": None,
                        "day": None,
                        "started_at": started,
                        "ended_at": ended,
                    },
                )
            else:
                doc = rng.choice(physicians)
                if rng.random() < 0.1:
                    day, booked, done = local_date(NOW), NOW - timedelta(days=7), None
                else:
                    booked = _rand_time(rng, lo, hi)
                    day = local_date(booked + timedelta(days=rng.randint(0, 20)))
                    done = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
                        hours=10
                    )
                    if done > NOW:
                        done = None
                sink.add(
                    "episode",
                    {
                        "id": eid,
                        "kind": "appointment",
                        "patient": pid,
                        "facility": fac,
                        "physician": doc,
                        "day": day,
                        "started_at": booked,
                        "ended_at": done,
                    },
                )
        # records (FHIR); the first one written during the current episode, if there is one
        for k in range(rec_per + (1 if i < rec_extra else 0)):
            rid = f"R{rec_n:07d}"
            rec_n += 1
            if k == 0 and recent is not None:
                fac, at = recent[0], recent[1] + timedelta(minutes=30)
            else:
                fac, at = rng.choice(facilities)[0], _rand_time(rng, lo, hi)
            sink.add(
                "record",
                {
                    "id": rid,
                    "patient": pid,
                    "facility": fac,
                    "author": rng.choice(physicians),
                    "created_at": at,
                    "category": rng.choices(cat_names, cat_weights)[0],
                    "resource_type": "Observation",
                    "resource": RESOURCE,
                },
            )
            if rng.random() < 0.005:
                sink.add(
                    "preference",
                    {
                        "patient": pid,
                        "kind": "record_hidden",
                        "record": rid,
                        "person": None,
                        "detail": None,
                        "valid_from": NOW - timedelta(days=rng.randint(1, 300)),
                        "valid_to": None,
                    },
                )
            if rng.random() < 0.001:
                sink.add(
                    "correction_request",
                    {
                        "id": f"CR{rec_n:07d}",
                        "patient": pid,
                        "record": rid,
                        "reason": "yanlış değer",
                        "requested_at": NOW - timedelta(days=20),
                        "forwarded_at": NOW - timedelta(days=10) if rng.random() < 0.5 else None,
                        "forwarded_by": officer_ids["province_officer"][0],
                    },
                )
        if i in (0,) or (i > 0 and i % 10_000 == 0):
            progress(f"patients {i:,}/{n_pat:,}: {rec_n:,} records, {ep_n:,} episodes")
        if rng.random() < 0.005 and i not in minors:
            dead.append(i)
    sink.flush_all(
        ["family_doctor", "episode", "record", "preference", "correction_request", "code_grant"]
    )
    progress(f"{rec_n:,} records, {ep_n:,} episodes")

    # -- family: parents, custody, relatives, lawyers, heirs; deaths; concealment ---------------
    for c in minors:
        child = f"P{c:06d}"
        for parent in rng.sample(adults, rng.choice((1, 2, 2))):
            sink.add(
                "parent_link",
                {
                    "parent": f"P{parent:06d}",
                    "child": child,
                    "valid_from": BEGINNING,
                    "valid_to": None,
                },
            )
            last_parent = parent
        if rng.random() < 0.1:
            sink.add(
                "custody",
                {
                    "child": child,
                    "custodian": f"P{last_parent:06d}",
                    "valid_from": NOW - timedelta(days=300),
                    "valid_to": None,
                },
            )
        if rng.random() < 0.1:
            sink.add(
                "preference",
                {
                    "patient": child,
                    "kind": "parental_restriction",
                    "record": None,
                    "person": None,
                    "detail": None,
                    "valid_from": NOW - timedelta(days=30),
                    "valid_to": None,
                },
            )
            if rng.random() < 0.5:
                sink.add(
                    "preference",
                    {
                        "patient": child,
                        "kind": "parental_grant",
                        "record": None,
                        "person": f"P{last_parent:06d}",
                        "detail": None,
                        "valid_from": NOW - timedelta(days=20),
                        "valid_to": None,
                    },
                )
    for i in rng.sample(adults, len(adults) // 50):
        rel = rng.choice(adults)
        if rel == i:
            continue
        cats = rng.choice(
            ([], [], ["laboratory", "imaging"], ["laboratory", "psychiatry", "general"])
        )
        until = rng.choice((None, None, date(2027, 1, 1), date(2025, 1, 1)))
        sink.add(
            "relative_authorization",
            {
                "patient": f"P{i:06d}",
                "relative": f"P{rel:06d}",
                "categories": cats,
                "until": until,
                "valid_from": NOW - timedelta(days=200),
                "valid_to": None,
            },
        )
    for n, i in enumerate(rng.sample(adults, len(adults) // 100)):
        sink.add(
            "power_of_attorney",
            {
                "id": f"POA{n:06d}",
                "lawyer": f"L{rng.randrange(n_lawyers):04d}",
                "client": f"P{i:06d}",
                "kind": rng.choice(("special", "special", "general")),
                "health_data_consent": rng.random() < 0.7,
                "valid_until": rng.choice((None, date(2027, 6, 1))),
                "valid_from": NOW - timedelta(days=90),
                "valid_to": None,
            },
        )
    for i in dead:
        died = NOW - timedelta(days=rng.randint(30, 9000))
        sink.add("death", {"patient": f"P{i:06d}", "died_at": died, "recorded_at": died})
        for heir in rng.sample(adults, 2):
            sink.add(
                "inheritance_heir",
                {
                    "deceased": f"P{i:06d}",
                    "heir": f"P{heir:06d}",
                    "recorded_at": died + timedelta(days=20),
                },
            )
    for i in rng.sample(range(n_pat), max(5, n_pat // 2000)):
        sink.add(
            "concealment_order",
            {
                "patient": f"P{i:06d}",
                "court": "Ankara 3. Aile Mahkemesi",
                "need_to_know": [rng.choice(officer_ids["province_officer"])],
                "valid_from": NOW - timedelta(days=100),
                "valid_to": None,
            },
        )
    sink.flush_all(
        [
            "parent_link",
            "custody",
            "preference",
            "relative_authorization",
            "power_of_attorney",
            "death",
            "inheritance_heir",
            "concealment_order",
        ]
    )
    progress("family links, deaths, heirs, concealment orders")
    return dict(sink.counts)


def ensure_world(db_path: Path, patients: int, records: int, rebuild: bool) -> tuple[bool, float]:
    """Reuse the cached database when its size matches; returns (generated, seconds)."""
    if db_path.exists() and not rebuild:
        engine = make_engine(f"sqlite:///{db_path}")
        try:
            with engine.connect() as conn:
                row = conn.execute(
                    select(orm.meta.c.value).where(orm.meta.c.key == "bench.world")
                ).first()
        except Exception:
            row = None
        engine.dispose()
        if row is not None and row[0] == _size_key(patients, records):
            return False, 0.0
        log(f"{db_path}: cached world has another size, rebuilding")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    log(f"generating world: {patients:,} patients, {records:,} records into {db_path}")
    t0 = time.perf_counter()
    counts = generate(db_path, patients, records)
    seconds = time.perf_counter() - t0
    log("  rows: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
    log(f"  generated in {seconds:.1f}s ({db_path.stat().st_size / 2**20:,.0f} MiB)")
    return True, seconds


# ---------------------------------------------------------------------------------------------
# The request mix, sampled from the stored world
# ---------------------------------------------------------------------------------------------
MIX: dict[str, int] = {
    "staff: family doctor (6/3-a or account)": 14,
    "staff: check-in physician (6/3-c)": 6,
    "staff: admission physician (6/3-ç)": 4,
    "staff: appointment physician (6/3-b)": 4,
    "staff: current care (6/1)": 5,
    "staff: no care relationship": 12,
    "staff: nurse": 4,
    "staff: history locked": 4,
    "staff: restricted category": 6,
    "staff: hidden record": 2,
    "staff: purpose not care": 2,
    "staff: software not registered / unknown": 2,
    "staff: correct / analyze": 2,
    "self": 10,
    "parent": 5,
    "relative": 3,
    "lawyer": 2,
    "heir": 1,
    "officer: dpo destroy / transfer": 4,
    "officer: gm correct": 1,
    "officer: ministry reidentify": 2,
    "concealment order": 2,
    "export": 1,
}


class Sampler:
    """Candidates loaded once from the database; `request(kind)` draws one request dict."""

    def __init__(self, conn: Connection, rng: random.Random) -> None:
        self.conn, self.rng = conn, rng

        def q(sql: str, *params: Any) -> list[Any]:
            return (
                list(conn.exec_driver_sql(sql, params).fetchall())
                if params
                else list(conn.exec_driver_sql(sql).fetchall())
            )

        self.q = q
        self.n_patients = q("SELECT count(*) FROM person WHERE id LIKE 'P%'")[0][0]
        posts = q("SELECT person, facility, role FROM staff_post WHERE valid_to IS NULL")
        self.post_of = {p: (f, r) for p, f, r in posts}
        self.staff_at: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for p, f, r in posts:
            self.staff_at[f][r].append(p)
        self.physicians = [p for p, (_, r) in self.post_of.items() if r == "physician"]
        self.nurses = [p for p, (_, r) in self.post_of.items() if r == "nurse"]
        self.install = {f: i for i, f in q("SELECT id, facility FROM installation")}
        self.bad_install = [
            r[0]
            for r in q(
                "SELECT installation FROM installation_status"
                " WHERE valid_to IS NULL AND status != 'registered'"
            )
        ]
        self.opinion_install = q("SELECT installation, facility FROM written_opinion")
        self.family = q("SELECT patient, physician FROM family_doctor WHERE valid_to IS NULL")
        fd = dict(self.family)
        self.locked = [
            (p, fd[p])
            for (p,) in q("SELECT patient FROM preference WHERE kind='history_locked'")
            if p in fd
        ]
        self.hidden = q("SELECT patient, record FROM preference WHERE kind='record_hidden'")
        self.checkins = q(
            "SELECT patient, facility FROM episode WHERE kind='check_in' AND started_at > ?",
            (NOW - timedelta(hours=24)).replace(tzinfo=None).isoformat(sep=" "),
        )
        self.admissions = q(
            "SELECT patient, facility FROM episode WHERE kind='admission' AND ended_at IS NULL"
        )
        self.appointments = q(
            "SELECT patient, physician FROM episode WHERE kind='appointment' AND day = ?",
            local_date(NOW).isoformat(),
        )
        self.current = self.checkins + self.admissions
        self.parents = q("SELECT parent, child FROM parent_link")
        self.relatives = q("SELECT relative, patient FROM relative_authorization")
        self.lawyers = q("SELECT lawyer, client FROM power_of_attorney")
        self.heirs = q("SELECT heir, deceased FROM inheritance_heir")
        self.concealed = q("SELECT patient, need_to_know FROM concealment_order")
        self.corrections = q(
            "SELECT patient, record FROM correction_request WHERE forwarded_at IS NOT NULL"
        )
        self.officers = defaultdict(list)
        for person, role in q("SELECT person, role FROM officer_role"):
            self.officers[role].append(person)
        placeholders = ",".join("?" * len(RESTRICTED_CATEGORIES))
        self._restricted_sql = (
            f"SELECT id FROM record WHERE patient = ? AND category IN ({placeholders})"
        )

    # -- helpers -----------------------------------------------------------------------------
    def patient(self) -> str:
        return f"P{self.rng.randrange(self.n_patients):06d}"

    def records_of(self, patient: str) -> list[tuple[str, str, str]]:
        return self.q("SELECT id, facility, category FROM record WHERE patient = ?", patient)

    def record_of(self, patient: str) -> str:
        return self.rng.choice(self.records_of(patient))[0]

    def via(self, actor: str) -> str | None:
        post = self.post_of.get(actor)
        if post is None or self.rng.random() < 0.15:
            return None  # Mahrem's own portal
        return self.install[post[0]]

    def staff_read(
        self, actor: str, patient: str, record: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        req = {
            "actor": actor,
            "patient": patient,
            "action": "read",
            "record": record or self.record_of(patient),
            "purpose": self.rng.choice(("treatment", "treatment", "diagnosis", "care")),
            "via": self.via(actor),
        }
        if self.rng.random() < 0.1:
            req["as"] = "staff"
        req.update(extra)
        return {k: v for k, v in req.items() if v is not None}

    # -- one request of a kind ---------------------------------------------------------------
    def request(self, kind: str) -> dict[str, Any]:
        rng = self.rng
        if kind.startswith("staff: family doctor"):
            patient, doc = rng.choice(self.family)
            return self.staff_read(doc, patient)
        if kind.startswith("staff: check-in") or kind.startswith("staff: admission"):
            patient, fac = rng.choice(self.checkins if "check-in" in kind else self.admissions)
            docs = self.staff_at[fac]["physician"] or self.physicians
            return self.staff_read(rng.choice(docs), patient)
        if kind.startswith("staff: appointment"):
            patient, doc = rng.choice(self.appointments)
            return self.staff_read(doc, patient)
        if kind.startswith("staff: current care"):
            patient, fac = rng.choice(self.current)
            rec = next((r for r, f, _ in self.records_of(patient) if f == fac), None)
            staff = self.staff_at[fac]
            actor = rng.choice(
                staff["physician"] + staff["nurse"] + staff["other_staff"] or self.physicians
            )
            return self.staff_read(actor, patient, rec)
        if kind.startswith("staff: no care"):
            return self.staff_read(rng.choice(self.physicians), self.patient())
        if kind.startswith("staff: nurse"):
            if rng.random() < 0.5:
                patient, fac = rng.choice(self.current)
                nurses = self.staff_at[fac]["nurse"] or self.nurses
                return self.staff_read(rng.choice(nurses), patient)
            return self.staff_read(rng.choice(self.nurses), self.patient())
        if kind.startswith("staff: history locked"):
            patient, doc = rng.choice(self.locked)
            return self.staff_read(doc, patient)
        if kind.startswith("staff: restricted"):
            for _ in range(50):
                patient, doc = rng.choice(self.family)
                restricted = self.q(self._restricted_sql, patient, *RESTRICTED_CATEGORIES)
                if restricted:
                    return self.staff_read(doc, patient, rng.choice(restricted)[0])
            return self.staff_read(doc, patient)
        if kind.startswith("staff: hidden"):
            patient, record = rng.choice(self.hidden)
            doc = dict(self.family).get(patient) if rng.random() < 0.5 else None
            return self.staff_read(doc or rng.choice(self.physicians), patient, record)
        if kind.startswith("staff: purpose"):
            patient, doc = rng.choice(self.family)
            return self.staff_read(doc, patient, purpose=rng.choice(("insurance", "research")))
        if kind.startswith("staff: software"):
            patient, doc = rng.choice(self.family)
            via = rng.choice(self.bad_install) if rng.random() < 0.7 else "S_UNKNOWN"
            return self.staff_read(doc, patient, via=via)
        if kind.startswith("staff: correct"):
            patient = self.patient()
            rec, fac, _ = rng.choice(self.records_of(patient))
            if rng.random() < 0.5:
                actor = rng.choice(self.staff_at[fac]["physician"] or self.physicians)
                return {
                    "actor": actor,
                    "patient": patient,
                    "action": "correct",
                    "record": rec,
                    "via": self.install[fac],
                }
            inst, fac = rng.choice(self.opinion_install)
            actor = rng.choice(self.staff_at[fac]["physician"] or self.physicians)
            return {
                "actor": actor,
                "patient": patient,
                "action": "analyze",
                "purpose": "research",
                "via": inst,
            }
        if kind == "self":
            patient = self.patient()
            return {
                "actor": patient,
                "patient": patient,
                "action": "read",
                "record": self.record_of(patient),
            }
        if kind in ("parent", "relative", "lawyer", "heir"):
            pool = {
                "parent": self.parents,
                "relative": self.relatives,
                "lawyer": self.lawyers,
                "heir": self.heirs,
            }[kind]
            actor, patient = rng.choice(pool)
            req = {
                "actor": actor,
                "patient": patient,
                "action": "read",
                "record": self.record_of(patient),
            }
            if rng.random() < 0.3:
                req["as"] = kind
            return req
        if kind.startswith("officer: dpo"):
            patient = self.patient()
            dpo = rng.choice(self.officers["dpo"])
            if rng.random() < 0.5:
                return {"actor": dpo, "patient": patient, "action": "destroy"}
            recipient = rng.choice(
                (
                    {"kind": "private"},
                    {"kind": "foreign"},
                    {"kind": "public_institution", "protocol": "PR1"},
                )
            )
            return {
                "actor": dpo,
                "patient": patient,
                "action": "transfer",
                "record": self.record_of(patient),
                "recipient": recipient,
            }
        if kind.startswith("officer: gm"):
            patient, record = rng.choice(self.corrections)
            return {
                "actor": rng.choice(self.officers["gm_officer"]),
                "patient": patient,
                "action": "correct",
                "record": record,
            }
        if kind.startswith("officer: ministry"):
            return {
                "actor": rng.choice(self.officers["ministry_user"]),
                "patient": self.patient(),
                "action": "reidentify",
                "purpose": rng.choice(("planning", "financing", "research")),
            }
        if kind == "concealment order":
            patient, named = rng.choice(self.concealed)
            named = json.loads(named)
            actor = named[0] if rng.random() < 0.5 else rng.choice(self.physicians)
            return {
                "actor": actor,
                "patient": patient,
                "action": "read",
                "record": self.record_of(patient),
                "purpose": "treatment",
            }
        if kind == "export":
            actor = rng.choice(self.physicians)
            return {
                "actor": actor,
                "patient": self.patient(),
                "action": "export",
                "via": self.via(actor),
            }
        raise ValueError(kind)


def request_mix(db_path: Path, n: int, seed: int) -> list[dict[str, Any]]:
    """`n` request dicts drawn from the world, kinds weighted by MIX, in random order."""
    rng = random.Random(seed)
    engine = make_engine(f"sqlite:///{db_path}")
    with engine.connect() as conn:
        sampler = Sampler(conn, rng)
        kinds = rng.choices(list(MIX), list(MIX.values()), k=n)
        out = [sampler.request(k) for k in kinds]
    engine.dispose()
    return out


# ---------------------------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------------------------
def percentile(sorted_ns: list[int], p: float) -> float:
    """Nearest-rank percentile of sorted nanosecond samples, in microseconds."""
    k = max(0, min(len(sorted_ns) - 1, math.ceil(p / 100 * len(sorted_ns)) - 1))
    return sorted_ns[k] / 1000


def summarise(samples_ns: list[int]) -> dict[str, float]:
    s = sorted(samples_ns)
    return {
        "n": len(s),
        "rate": len(s) / (sum(s) / 1e9),
        "p50": percentile(s, 50),
        "p99": percentile(s, 99),
        "max": s[-1] / 1000,
    }


def bench_engine(db_path: Path, n: int) -> tuple[dict[str, float], dict[str, int]]:
    """Facts for a pool of requests loaded once; then decide() timed alone, cycling the pool."""
    pool_size = min(n, 5000)
    mix = request_mix(db_path, pool_size, SEED + 1)
    engine = make_engine(f"sqlite:///{db_path}")
    loaded = []
    t0 = time.perf_counter()
    with unit_of_work(engine) as store:
        policy = policy_at(store, NOW)
        for data in mix:
            req = parse_request(store, data, NOW)
            loaded.append((req, store.facts_for(req)))
    engine.dispose()
    log(f"  facts for {len(loaded):,} requests loaded in {time.perf_counter() - t0:.1f}s")
    decide, clock = rules_engine.decide, time.perf_counter_ns
    outcomes: dict[str, int] = defaultdict(int)
    for req, facts in loaded:  # warm-up, and the outcome mix
        d = decide(req, facts, policy)
        outcomes[f"{d.effect} {d.basis}"] += 1
    samples = [0] * n
    size = len(loaded)
    gc.collect()
    for i in range(n):
        req, facts = loaded[i % size]
        t = clock()
        decide(req, facts, policy)
        samples[i] = clock() - t
    # The same calls in a loop without a timer around each, for comparison.
    t = clock()
    for i in range(n):
        req, facts = loaded[i % size]
        decide(req, facts, policy)
    loop_ns = clock() - t
    result = summarise(samples)
    result["loop_rate"] = n / (loop_ns / 1e9)
    return result, dict(outcomes)


def bench_service(db_path: Path, n: int, breakdown: bool) -> dict[str, dict[str, float]]:
    """`access.decide_json(m, request_dict, at)`, each call its own transaction with its own
    commit."""
    warmup = min(500, max(50, n // 10))
    mix = request_mix(db_path, n + warmup, SEED + 2)
    app = build(f"sqlite:///{db_path}", key_dir=str(db_path.parent / "keys"))
    clock, cpu = time.perf_counter_ns, time.thread_time_ns
    step = timedelta(microseconds=100)  # each decision a little later than the previous one
    for i, data in enumerate(mix[:warmup]):
        access.decide_json(app, data, NOW + i * step)
    wall, used = [0] * n, [0] * n
    gc.collect()
    for i, data in enumerate(mix[warmup:]):
        at = NOW + (warmup + i) * step
        c, t = cpu(), clock()
        access.decide_json(app, data, at)
        wall[i], used[i] = clock() - t, cpu() - c
    out = {"service": summarise(wall), "service_cpu": summarise(used)}
    if breakdown:
        # The read half alone: parse + facts_for in one read transaction (rolled back).
        reads = [0] * n
        with app.uow.engine.connect() as conn:
            store = SqlStore(conn)
            for i, data in enumerate(mix[warmup:]):
                t = clock()
                store.facts_for(parse_request(store, data, NOW))
                reads[i] = clock() - t
            conn.rollback()
        out["reads"] = summarise(reads)
    app.uow.dispose()
    return out


def pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = sorted(os.sched_getaffinity(0))[-1]
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--db", default="var/bench/bench.db", help="cached world (default %(default)s)")
    ap.add_argument("--rebuild", action="store_true", help="regenerate the world even if cached")
    ap.add_argument("--patients", type=int, default=100_000)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument(
        "--decisions",
        type=int,
        default=None,
        help="decisions per run (default 20000 for the engine, 5000 for the service layer)",
    )
    ap.add_argument("--engine-decisions", type=int, default=None)
    ap.add_argument("--service-decisions", type=int, default=None)
    ap.add_argument("--skip-engine", action="store_true")
    ap.add_argument("--skip-service", action="store_true")
    ap.add_argument(
        "--breakdown",
        action="store_true",
        help="also time parse + facts_for alone (a read transaction: no audit, no commit)",
    )
    args = ap.parse_args(argv)
    n_engine = args.engine_decisions or args.decisions or 20_000
    n_service = args.service_decisions or args.decisions or 5_000

    pinned = pin_one_core()
    db_path = Path(args.db)
    generated, gen_seconds = ensure_world(db_path, args.patients, args.records, args.rebuild)
    rows: list[tuple[str, dict[str, float]]] = []
    notes: list[str] = []
    outcomes: dict[str, int] = {}
    if not args.skip_engine:
        log(f"engine alone: {n_engine:,} decisions ...")
        res, outcomes = bench_engine(db_path, n_engine)
        rows.append(("engine alone", res))
        notes.append(
            "engine alone   times mahrem.domain.engine.decide(req, facts, policy) only, over "
            "Facts already in memory (a pool of up to 5,000 requests, cycled); decisions/s = "
            f"n / sum of the timed calls (a loop without per-call timers: "
            f"{res['loop_rate']:,.0f}/s)"
        )
    if not args.skip_service:
        log(f"service layer: {n_service:,} decisions ...")
        res2 = bench_service(db_path, n_service, args.breakdown)
        rows.append(("service layer", res2["service"]))
        rows.append(("  its CPU time", res2["service_cpu"]))
        notes.append(
            "service layer  times Mahrem.decide(request_dict, at), one call per decision: "
            "BEGIN IMMEDIATE, parse and check references, policy lookup, "
            "SqlStore.facts_for, the engine, the audit-chain append, COMMIT (SQLite, WAL, "
            "synchronous=NORMAL: the engine bootstrap.build makes); wall clock"
        )
        notes.append(
            "its CPU time   the same calls, this thread's CPU time (wall minus waits and "
            "preemption by other processes)"
        )
        if "reads" in res2:
            rows.append(("  reads only", res2["reads"]))
            notes.append(
                "reads only     parse_request + SqlStore.facts_for in a read transaction "
                "(no audit append, no commit)"
            )

    size = db_path.stat().st_size / 2**20
    print()
    print("Mahrem decision benchmark")
    print(f"  machine : {platform.platform()}; {cpu_model()}; {os.cpu_count()} CPUs, {pinned}")
    print(
        f"  python  : {platform.python_implementation()} {platform.python_version()}; "
        f"SQLite {sqlite3.sqlite_version}; SQLAlchemy {sqlalchemy.__version__}"
    )
    print(
        f"  world   : {args.patients:,} patients, {args.records:,} records, {db_path} "
        f"({size:,.0f} MiB), " + (f"generated in {gen_seconds:.1f}s" if generated else "reused")
    )
    print(f"  at      : {NOW.isoformat()} (the instant the world is built around)")
    print()
    print(
        f"  {'metric':<16} {'decisions':>9} {'decisions/s':>12} {'p50 µs':>9} {'p99 µs':>9} "
        f"{'max µs':>9}"
    )
    for name, r in rows:
        print(
            f"  {name:<16} {int(r['n']):>9,} {r['rate']:>12,.0f} {r['p50']:>9.1f} "
            f"{r['p99']:>9.1f} {r['max']:>9.1f}"
        )
    print()
    for note in notes:
        print(f"  {note}")
    if outcomes:
        top = sorted(outcomes.items(), key=lambda kv: -kv[1])
        print("  engine pool outcomes: " + ", ".join(f"{k} {v}" for k, v in top))
    print(
        "  targets (issue): engine alone >= 100,000 decisions/s on one core; "
        "service layer p99 < 2,000 µs"
    )


if __name__ == "__main__":
    main()
