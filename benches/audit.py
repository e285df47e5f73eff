"""Audit-log benchmark: appends under concurrent writers, and verifying a 1,000,000-entry chain.

Run on demand (never in the test suite; it prints figures and asserts nothing):

    .venv/bin/python benches/audit.py [--db var/bench/audit.db] [--rebuild] [--pg-url URL]
        [--writers 1,4] [--batch 100] [--seconds 5] [--entries 1000000] [--seal-every 100000]
        [--verify-runs 3] [--profile FILE] [--skip-appends] [--skip-verify] [--skip-sqlite]

1. Appends. N writer threads (one SQLAlchemy connection each) call
   `mahrem.services.audit.append(store, **entry)` inside `mahrem.adapters.db.unit_of_work(engine)`
   for `--seconds`, (a) one entry per transaction, (b) `--batch` entries per transaction ("group
   commit"). Every counted entry is committed; entries/s = committed entries / wall time from
   the moment all threads start until the last one has committed its last transaction. An
   append includes: reading the chain head (BEGIN IMMEDIATE on SQLite; SELECT ... FOR UPDATE
   on PostgreSQL), the canonical JSON and SHA-256 of the entry, the INSERT into audit_log and
   the UPDATE of audit_head; each transaction adds its BEGIN and COMMIT. The entry dicts are
   pre-built decision entries (only `at` is set per append), so building them is not timed.
   SQLite runs in WAL mode with synchronous=NORMAL (as `make_engine` sets it): a COMMIT
   appends to the WAL without fsync; fsync happens only at WAL checkpoints (so a power loss can
   drop the last transactions, never corrupt the database). Each configuration starts from a
   fresh database; afterwards the chain is verified, to show no concurrent writer forked it.

2. Verification. A valid chain of `--entries` decision entries is generated (hashes computed with
   `mahrem.services.audit.chain_hash`, bulk Core inserts of 50,000 rows, audit_head set), sealed
   with `Mahrem.seal()` every `--seal-every` entries, and cached in `--db` (reused while it holds
   the same chain; `--rebuild` forces). Then `Mahrem.verify()` is timed end to end: one read
   transaction streaming every row, every hash recomputed, every checkpoint's signature, range,
   chain head and Merkle root checked. A breakdown times the three parts separately.

With `--pg-url URL` both are also run on PostgreSQL, in their own schemas (`mahrem_bench_appends`,
dropped and recreated per configuration, and `mahrem_bench_verify`, the cached chain); nothing
outside those two schemas is touched. A throw-away server: `scripts/test-with-postgres sh -c
'.venv/bin/python benches/audit.py --pg-url "$MAHREM_TEST_PG_URL"'` (note: that server runs with
fsync=off and synchronous_commit=off, which the output reports).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import json
import os
import platform
import pstats
import random
import resource
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from machine import cpu_model
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from mahrem.adapters import orm
from mahrem.adapters.db import make_engine, unit_of_work, upgrade
from mahrem.adapters.signing import verify_signature
from mahrem.bootstrap import build
from mahrem.services import audit
from mahrem.services import audit as checkpoints
from mahrem.services.ports import Mahrem

CHAIN_VERSION = 1  # bump when the generator changes, so cached chains are rebuilt
SEED = 20260601
START = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
BATCH = 50_000
PG_APPENDS_SCHEMA = "mahrem_bench_appends"
PG_VERIFY_SCHEMA = "mahrem_bench_verify"

# Decision kinds in about the proportions of the decision benchmark's request mix
# (benches/decide.py). A row is two source lines, the request and its decision, which the
# backslash ending the first joins into one line of the string:
# weight  actor  capacity  role  action  purposes \
#     outcome  basis  reason  rules tried ("-" = none)
DECISIONS = """
744 D   staff    physician     read       care,treatment,diagnosis \
    permit 6/2   staff.past_data_account         staff
552 P   self     self          read       -                        \
    permit 5/6   self.own_records                self
539 D   staff    physician     read       treatment,care           \
    deny   6/2   staff.no_care_relationship      staff
123 N   staff    nurse         read       care                     \
    deny   6/2   staff.no_care_relationship      staff
507 D   staff    physician     read       treatment                \
    deny   6/6   staff.restricted_category       staff
346 D   staff    physician     read       care                     \
    deny   6/3   staff.no_statutory_window       staff
323 D   staff    physician     read       diagnosis,treatment      \
    permit 6/1   staff.current_care              staff
91  N   staff    nurse         read       diagnosis,care           \
    permit 6/1   staff.current_care              staff
296 D   staff    physician     read       care                     \
    deny   6/5   staff.history_locked            staff
259 P   parent   parent        read       -                        \
    permit 8/1   parent.custody                  parent
224 D   -        -             read       care,treatment           \
    deny   KTS/3 kts.installation_not_registered gate
210 D   staff    physician     read       treatment                \
    permit 6/3-a staff.past_data_window          staff
101 D   staff    physician     read       care                     \
    permit 6/3-c staff.past_data_window          staff
62  D   staff    physician     read       treatment                \
    permit 6/3-ç staff.past_data_window          staff
124 D   -        -             read       treatment                \
    deny   6/2   preferences.record_hidden       hidden
101 D   staff    physician     read       research,insurance       \
    deny   6/1   staff.purpose_not_care          staff
96  DPO officer  dpo           destroy    -                        \
    permit 14/1  destroy.allowed                 dpo_destroy
93  P   relative relative      read       -                        \
    deny   9/1   relative.not_authorized         relative
72  P   relative relative      read       -                        \
    permit 9/1   relative.authorized             relative
69  GM  officer  gm_officer    correct    -                        \
    permit 13/1  correction.forwarded            gm_correct
66  MU  officer  ministry_user reidentify financing,planning       \
    deny   7/2   ministry.purpose_not_allowed    reidentify
61  D   -        -             export     -                        \
    deny   KTS/2 kts.export_banned               gate
59  L   lawyer   lawyer        read       -                        \
    permit 10/1  lawyer.special_power            lawyer
58  D   -        -             read       treatment                \
    permit 12/1  concealment.named_officer       concealment
57  D   -        -             read       care                     \
    deny   12/1  concealment.order_active        concealment
58  DPO officer  dpo           transfer   -                        \
    deny   15/1  transfer.no_consent             dpo_transfer
51  P   heir     heir          read       -                        \
    permit 11/1  heir.certificate                heir
"""
_HIDDEN = ["software_gate", "concealment", "hidden_record"]
_OFFICER = [*_HIDDEN, "reidentify", "dpo_analyze", "dpo_destroy"]
TRIED = {
    "gate": ["software_gate"],
    "concealment": ["software_gate", "concealment"],
    "hidden": _HIDDEN,
    "staff": [*_HIDDEN, "staff_read"],
    "self": [*_HIDDEN, "self_access"],
    "parent": [*_HIDDEN, "parent"],
    "relative": [*_HIDDEN, "relative"],
    "lawyer": [*_HIDDEN, "lawyer"],
    "heir": [*_HIDDEN, "heir"],
    "reidentify": [*_HIDDEN, "reidentify"],
    "dpo_destroy": _OFFICER,
    "dpo_transfer": [*_OFFICER, "dpo_transfer"],
    "gm_correct": [*_OFFICER, "dpo_transfer", "gm_correct"],
}


def _templates() -> list[tuple[Any, ...]]:
    """(weight, actor kind, capacity, role, action, purposes, outcome, basis, reason,
    rules tried)."""
    out = []
    for line in DECISIONS.strip().splitlines():
        w, actor, capacity, role, action, purposes, outcome, basis, reason, tried = line.split()
        none = lambda v: None if v == "-" else v  # noqa: E731
        out.append(
            (
                int(w),
                actor,
                none(capacity),
                none(role),
                action,
                tuple(purposes.split(",")) if purposes != "-" else (None,),
                outcome,
                basis,
                reason,
                TRIED[tried],
            )
        )
    return out


TEMPLATES = _templates()


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Entries
# ---------------------------------------------------------------------------------------------
class Entries:
    """Realistic decision entries, as `Mahrem.decide_parsed` appends them (without `at`)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.weights = [t[0] for t in TEMPLATES]

    def _actor(self, kind: str) -> str:
        r = self.rng.randrange
        return {
            "D": f"D{r(5000):05d}",
            "N": f"N{r(2500):05d}",
            "P": f"P{r(100_000):06d}",
            "L": f"L{r(100):04d}",
            "DPO": f"DPO{r(20):02d}",
            "GM": f"GM{r(5)}",
            "MU": f"MU{r(12):02d}",
        }[kind]

    def entry(self) -> dict[str, Any]:
        rng = self.rng
        _w, kind, capacity, role, action, purposes, outcome, basis, reason, tried = rng.choices(
            TEMPLATES, self.weights
        )[0]
        patient = f"P{rng.randrange(100_000):06d}"
        staff = kind in ("D", "N")
        facility = f"F{rng.randrange(1000):05d}" if staff and capacity else None
        via = f"S{rng.randrange(1000):05d}" if staff and rng.random() < 0.85 else None
        record = (
            f"R{patient[1:]}{rng.randrange(10)}"
            if action in ("read", "correct", "transfer")
            else None
        )
        recipient = (
            rng.choice(("private", "foreign", "public_institution"))
            if action == "transfer"
            else None
        )
        return {
            "kind": "decision",
            "actor": self._actor(kind),
            "capacity": capacity,
            "role": role if capacity else None,
            "facility": facility,
            "via": via,
            "action": action,
            "patient": patient,
            "record": record,
            "purpose": rng.choice(purposes),
            "outcome": outcome,
            "basis": basis,
            "reason": reason,
            "policy_version": 1,
            "detail": {"recipient": recipient, "tried": list(tried)},
        }


# ---------------------------------------------------------------------------------------------
# Backends
# ---------------------------------------------------------------------------------------------
def pg_schema_url(url: str, schema: str) -> str:
    """`url` with the session's search_path set to `schema` (created if missing)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    admin.dispose()
    u = make_url(url)
    return u.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def pg_drop_schema(url: str, schema: str) -> None:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = Path(str(path) + suffix)
        if p.exists():
            p.unlink()


def durability(engine: Engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            level = conn.exec_driver_sql("PRAGMA synchronous").scalar()
            sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(level, level)
            return (
                f"SQLite {__import__('sqlite3').sqlite_version}, journal_mode={mode}, "
                f"synchronous={sync}"
            )
        show = {
            k: conn.exec_driver_sql(f"SHOW {k}").scalar()
            for k in ("server_version", "fsync", "synchronous_commit", "wal_sync_method")
        }
        return (
            f"PostgreSQL {show['server_version']}, fsync={show['fsync']}, "
            f"synchronous_commit={show['synchronous_commit']}, "
            f"wal_sync_method={show['wal_sync_method']}"
        )


# ---------------------------------------------------------------------------------------------
# 1. Appends
# ---------------------------------------------------------------------------------------------
@dataclass
class AppendResult:
    backend: str
    writers: int
    batch: int
    entries: int = 0
    seconds: float = 0.0
    tx_ns: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    chain_ok: bool = False
    settings: str = ""

    @property
    def rate(self) -> float:
        return self.entries / self.seconds if self.seconds else 0.0


def _pct(sorted_ns: list[int], p: float) -> float:
    if not sorted_ns:
        return float("nan")
    k = max(0, min(len(sorted_ns) - 1, round(p / 100 * len(sorted_ns) + 0.5) - 1))
    return sorted_ns[k] / 1e6


def _fresh_append_engine(backend: str, sqlite_path: Path, pg_url: str | None) -> Engine:
    if backend == "sqlite":
        remove_sqlite(sqlite_path)
        engine = make_engine(f"sqlite:///{sqlite_path}")
    else:
        assert pg_url is not None
        pg_drop_schema(pg_url, PG_APPENDS_SCHEMA)
        engine = make_engine(pg_schema_url(pg_url, PG_APPENDS_SCHEMA))
    upgrade(engine)
    return engine


def bench_appends(
    backend: str, writers: int, batch: int, seconds: float, sqlite_path: Path, pg_url: str | None
) -> AppendResult:
    engine = _fresh_append_engine(backend, sqlite_path, pg_url)
    engine.pool.dispose()
    # QueuePool keeps up to 5 connections (+10 overflow) by default: one per writer here.
    res = AppendResult(backend, writers, batch, settings=durability(engine))
    pools = []
    for w in range(writers):
        ent = Entries(random.Random(SEED + 100 * writers + w))
        pools.append([ent.entry() for _ in range(2000)])
    # The first entry is written alone: on an empty log a concurrent first append would race on
    # audit_head (PostgreSQL has no head row to lock yet).
    with unit_of_work(engine) as store:
        audit.append(store, at=datetime.now(UTC), **pools[0][0])
    warm_barrier = threading.Barrier(writers)
    start_barrier = threading.Barrier(writers + 1)
    lock = threading.Lock()

    def writer(w: int) -> None:
        pool = pools[w]
        n_pool = len(pool)
        clock, now, append = time.perf_counter_ns, datetime.now, audit.append
        utc = UTC
        i = 0
        tx: list[int] = []
        n = 0
        try:
            # warm-up: open this thread's connection, one transaction (not counted)
            try:
                warm_barrier.wait()
                with unit_of_work(engine) as store:
                    append(store, at=now(utc), **pool[i % n_pool])
                    i += 1
            except BaseException:
                start_barrier.abort()  # nobody waits for a writer that will never come
                raise
            start_barrier.wait()
            stop = time.perf_counter() + seconds
            while time.perf_counter() < stop:
                t = clock()
                with unit_of_work(engine) as store:
                    if batch == 1:
                        append(store, at=now(utc), **pool[i % n_pool])
                        i += 1
                    else:  # group commit: one head lock, one INSERT, one head update
                        audit.append_many(
                            store,
                            [{**pool[(i + k) % n_pool], "at": now(utc)} for k in range(batch)],
                        )
                        i += batch
                tx.append(clock() - t)
                n += batch
        except Exception as exc:  # reported, not raised: the other writers still finish
            with lock:
                res.errors.append(f"writer {w}: {type(exc).__name__}: {exc}"[:300])
        with lock:
            res.entries += n
            res.tx_ns.extend(tx)

    threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(writers)]
    for th in threads:
        th.start()
    # a writer that failed to start breaks the barrier; its error is reported
    with contextlib.suppress(threading.BrokenBarrierError):
        start_barrier.wait()  # every writer has done its warm-up transaction
    t_start = time.perf_counter()
    for th in threads:
        th.join()
    res.seconds = time.perf_counter() - t_start
    with unit_of_work(engine) as store:
        report = audit.verify_chain(store.audit.entries(), keep_hashes=False)
        head = store.audit.head_for_update()
    total = 1 + writers + res.entries  # seed entry + warm-ups + counted
    res.chain_ok = (
        report.ok and report.entries == total and head is not None and head["seq"] == total
    )
    engine.dispose()
    return res


# ---------------------------------------------------------------------------------------------
# 2. A 1,000,000-entry chain, and its verification
# ---------------------------------------------------------------------------------------------
def _marker(entries: int, seal_every: int) -> str:
    return json.dumps({"version": CHAIN_VERSION, "entries": entries, "seal_every": seal_every})


def cached_ok(app: Mahrem, entries: int, seal_every: int) -> bool:
    """The cached chain is complete, of this size and sealed with the key we hold."""
    with app.uow.write() as store:
        marker = store.get("meta", "bench.audit")
        if marker is None or marker["value"] != _marker(entries, seal_every):
            return False
        n, last = store.conn.execute(select(func.count(), func.max(orm.audit_log.c.seq))).one()
        cps = store.rows("audit_checkpoint")
    return (
        n == entries
        and last == entries
        and bool(cps)
        and all(c["key_id"] == app.signer.key_id() for c in cps)
    )


def generate_chain(app: Mahrem, entries: int, seal_every: int) -> None:
    """Valid chain of `entries` decision entries, bulk-inserted, sealed every `seal_every`."""
    rng = random.Random(SEED)
    maker = Entries(rng)
    engine = app.db
    sqlite = engine.dialect.name == "sqlite"
    t0 = time.perf_counter()
    prev, seq = audit.GENESIS, 0
    at = START
    chain_hash, insert = audit.chain_hash, orm.audit_log.insert()
    seal_at = seal_every or entries
    n_cps = 0
    while seq < entries:
        chunk_end = min(entries, (seq // seal_at + 1) * seal_at)
        with engine.begin() as conn:
            if sqlite:
                conn.exec_driver_sql("PRAGMA cache_size=-200000")
            while seq < chunk_end:
                rows = []
                for _ in range(min(BATCH, chunk_end - seq)):
                    seq += 1
                    # about 1M decisions over 30 days; times to the microsecond, as requests carry
                    at = at + timedelta(microseconds=rng.randrange(1, 5_000_000))
                    e = maker.entry()
                    e["at"] = at
                    e["seq"] = seq
                    e["prev_hash"] = prev
                    prev = e["hash"] = chain_hash(prev, e)
                    rows.append(e)
                conn.execute(insert, rows)
                if seq % 100_000 == 0 or seq == entries:
                    log(f"  {time.perf_counter() - t0:7.1f}s  {seq:,}/{entries:,} entries")
            if conn.execute(select(orm.audit_head.c.id)).first() is None:
                conn.execute(orm.audit_head.insert(), {"id": 1, "seq": seq, "hash": prev})
            else:
                head = orm.audit_head
                conn.execute(head.update().where(head.c.id == 1).values(seq=seq, hash=prev))
        cp = audit.seal(app, at + timedelta(seconds=1))
        n_cps += 1
        assert cp is not None
        log(
            f"  {time.perf_counter() - t0:7.1f}s  sealed checkpoint {cp['id']} "
            f"(entries {cp['first_seq']:,}–{cp['last_seq']:,})"
        )
    if sqlite:
        log("  checkpointing the WAL ...")
        raw = engine.raw_connection()  # outside SQLAlchemy's BEGIN IMMEDIATE
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    else:
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE audit_log"
            )
    with engine.begin() as conn:  # last: marks the cache complete
        conn.execute(
            orm.meta.insert(), [{"key": "bench.audit", "value": _marker(entries, seal_every)}]
        )


def ensure_chain(
    backend: str, db_path: Path, pg_url: str | None, entries: int, seal_every: int, rebuild: bool
) -> tuple[Mahrem, bool, float, str]:
    """A Mahrem over the cached chain (generated if missing or different)."""
    if backend == "sqlite":
        key_dir = db_path.with_suffix(".keys")
        if rebuild:
            remove_sqlite(db_path)
        url = f"sqlite:///{db_path}"
        where = str(db_path)
    else:
        assert pg_url is not None
        key_dir = db_path.with_suffix(".pg-keys")
        if rebuild:
            pg_drop_schema(pg_url, PG_VERIFY_SCHEMA)
        url = pg_schema_url(pg_url, PG_VERIFY_SCHEMA)
        where = f"schema {PG_VERIFY_SCHEMA}"
    app = build(url, key_dir=str(key_dir))
    if cached_ok(app, entries, seal_every):
        log(f"{backend}: reusing the cached {entries:,}-entry chain ({where})")
        return app, False, 0.0, where
    app.uow.dispose()
    if backend == "sqlite":
        remove_sqlite(db_path)
    else:
        pg_drop_schema(pg_url or "", PG_VERIFY_SCHEMA)
        url = pg_schema_url(pg_url or "", PG_VERIFY_SCHEMA)
    app = build(url, key_dir=str(key_dir))
    log(f"{backend}: generating a {entries:,}-entry chain in {where} ...")
    t0 = time.perf_counter()
    generate_chain(app, entries, seal_every)
    return app, True, time.perf_counter() - t0, where


@dataclass
class VerifyResult:
    backend: str
    entries: int
    checkpoints: int
    runs: list[float]
    ok: bool
    problems: list[str]
    parts: dict[str, float] = field(default_factory=dict)


def bench_verify(app: Mahrem, runs: int, breakdown: bool, profile: str | None) -> VerifyResult:
    times: list[float] = []
    report = None
    for i in range(runs):
        gc.collect()
        t = time.perf_counter()
        report = audit.verify(app)
        times.append(time.perf_counter() - t)
        log(
            f"  verify run {i + 1}/{runs}: {times[-1]:.2f}s, {report.entries:,} entries, "
            f"{'ok' if report.ok else 'PROBLEMS'}"
        )
        del report.hashes  # not needed here; frees memory before the next run
    assert report is not None
    with app.uow.write() as store:
        n_cps = store.count("audit_checkpoint")
    res = VerifyResult(
        app.db.dialect.name,
        report.entries,
        n_cps,
        times,
        report.ok,
        [f"{p.kind} {p.seq}: {p.message}" for p in report.problems[:5]],
    )
    if breakdown:
        # The same steps as Mahrem.verify, timed one by one.
        gc.collect()
        t = time.perf_counter()
        with app.uow.write() as store:
            rows = list(store.audit.entries())
            cps = store.rows("audit_checkpoint")
        t_read = time.perf_counter()
        chain = audit.verify_chain(rows)
        t_chain = time.perf_counter()
        problems = checkpoints.verify_checkpoints(
            cps, chain.hashes, app.signer.public_pem(), verify_signature
        )
        t_cps = time.perf_counter()
        del rows, chain
        res.parts = {"read": t_read - t, "chain": t_chain - t_read, "checkpoints": t_cps - t_chain}
        if problems:
            res.problems.extend(p.message for p in problems)
    if profile:
        gc.collect()
        prof = cProfile.Profile()
        prof.enable()
        audit.verify(app)
        prof.disable()
        prof.dump_stats(profile)
        log(f"  profile of one Mahrem.verify() written to {profile}; top functions by own time:")
        stats = pstats.Stats(prof, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(25)
    return res


# ---------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--db",
        default="var/bench/audit.db",
        help="cached chain for verification (default %(default)s)",
    )
    ap.add_argument("--rebuild", action="store_true", help="regenerate the chain even if cached")
    ap.add_argument(
        "--pg-url", help="also run on PostgreSQL (schemas mahrem_bench_appends / _verify)"
    )
    ap.add_argument("--skip-sqlite", action="store_true", help="with --pg-url: PostgreSQL only")
    ap.add_argument(
        "--writers", default="1,4", help="writer thread counts to try (default %(default)s)"
    )
    ap.add_argument(
        "--batch",
        type=int,
        default=100,
        help="entries per group-commit transaction (default %(default)s)",
    )
    ap.add_argument(
        "--seconds",
        type=float,
        default=5.0,
        help="duration of each append run (default %(default)s)",
    )
    ap.add_argument(
        "--entries",
        type=int,
        default=1_000_000,
        help="chain length to verify (default %(default)s)",
    )
    ap.add_argument(
        "--seal-every",
        type=int,
        default=100_000,
        help="entries per checkpoint; 0 = one checkpoint (default %(default)s)",
    )
    ap.add_argument(
        "--verify-runs",
        type=int,
        default=3,
        help="timed Mahrem.verify() runs (default %(default)s)",
    )
    ap.add_argument(
        "--no-breakdown", action="store_true", help="skip the read/chain/checkpoints breakdown"
    )
    ap.add_argument(
        "--profile",
        metavar="FILE",
        help="cProfile one Mahrem.verify() into FILE (top 25 to stderr)",
    )
    ap.add_argument("--skip-appends", action="store_true")
    ap.add_argument("--skip-verify", action="store_true")
    args = ap.parse_args(argv)
    load_before = os.getloadavg()

    backends = ([] if args.skip_sqlite else ["sqlite"]) + (["postgresql"] if args.pg_url else [])
    db_path = Path(args.db)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    writer_counts = [int(w) for w in args.writers.split(",") if w.strip()]
    appends: list[AppendResult] = []
    verifies: list[tuple[VerifyResult, bool, float, str]] = []
    settings: dict[str, str] = {}

    for backend in backends:
        if not args.skip_appends:
            append_db = db_path.with_name("audit-appends.db")
            for writers in writer_counts:
                for batch in (1, args.batch):
                    log(
                        f"{backend}: appends, {writers} writer(s), {batch} per transaction, "
                        f"{args.seconds:g}s ..."
                    )
                    r = bench_appends(backend, writers, batch, args.seconds, append_db, args.pg_url)
                    log(
                        f"  {r.entries:,} entries in {r.seconds:.2f}s = {r.rate:,.0f}/s"
                        + (f"; errors: {r.errors}" if r.errors else "")
                    )
                    appends.append(r)
            if backend == "sqlite":
                remove_sqlite(append_db)
            else:
                pg_drop_schema(args.pg_url, PG_APPENDS_SCHEMA)
        if not args.skip_verify:
            app, generated, gen_s, where = ensure_chain(
                backend, db_path, args.pg_url, args.entries, args.seal_every, args.rebuild
            )
            settings[backend] = durability(app.db)
            log(f"{backend}: Mahrem.verify() x{args.verify_runs} ...")
            res = bench_verify(app, args.verify_runs, not args.no_breakdown, args.profile)
            verifies.append((res, generated, gen_s, where))
            app.uow.dispose()
        if backend not in settings and appends:
            settings[backend] = appends[-1].settings

    print()
    print("Mahrem audit-log benchmark")
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"  machine : {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs "
        f"({affinity} usable), {cpu_model()}"
    )
    print(
        f"  python  : {platform.python_implementation()} {platform.python_version()}, "
        f"SQLAlchemy {__import__('sqlalchemy').__version__}"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(
        f"  load    : {load_before[0]:.2f} (1-min load average) at the start, "
        f"{os.getloadavg()[0]:.2f} at the end; peak RSS of this process {peak:,.1f} GiB"
    )
    for backend, s in settings.items():
        print(f"  {backend:<10}: {s}")
    if appends:
        print()
        print(
            "  1. appends: audit.append inside unit_of_work, N writer threads, each for "
            f"{args.seconds:g}s"
        )
        print(
            f"  {'backend':<10} {'writers':>7} {'per tx':>6} {'entries':>9} {'entries/s':>10} "
            f"{'tx p50 ms':>9} {'tx p99 ms':>9}  chain"
        )
        for r in appends:
            s = sorted(r.tx_ns)
            print(
                f"  {r.backend:<10} {r.writers:>7} {r.batch:>6} {r.entries:>9,} {r.rate:>10,.0f} "
                f"{_pct(s, 50):>9.2f} {_pct(s, 99):>9.2f}  {'ok' if r.chain_ok else 'BROKEN'}"
                + (f"  errors: {len(r.errors)}" if r.errors else "")
            )
        print(
            "     each entry/s figure = committed entries / wall time, "
            "and includes per transaction:"
        )
        print("     BEGIN (SQLite: BEGIN IMMEDIATE, which waits for the write lock), the head read")
        print(
            "     (PostgreSQL: SELECT ... FOR UPDATE), the INSERT, UPDATE audit_head, COMMIT; "
            "and per"
        )
        print(
            "     entry canonical JSON + SHA-256. 'per tx' 1 = audit.append; "
            ">1 = audit.append_many (group"
        )
        print("     commit: one INSERT of the batch). Not included: building the entry dicts.")
        print(
            "     SQLite WAL synchronous=NORMAL: COMMIT writes the WAL without fsync (fsync only at"
        )
        print(
            "     WAL checkpoints). 'chain ok' = the chain verified afterwards, "
            "with no fork or gap."
        )
        for r in appends:
            for e in r.errors[:3]:
                print(f"     {r.backend} {r.writers}w x{r.batch}: {e}")
    if verifies:
        print()
        print(f"  2. Mahrem.verify() end to end ({args.verify_runs} runs; OS page cache warm)")
        print(
            f"  {'backend':<10} {'entries':>9} {'checkpts':>8} {'best s':>7} {'median s':>8} "
            f"{'entries/s':>10}  {'read s':>6} {'chain s':>7} {'cps s':>6}  result"
        )
        for res, _generated, _gen_s, _where in verifies:
            best, med = min(res.runs), statistics.median(res.runs)
            p = res.parts
            parts = (
                f"{p['read']:>6.2f} {p['chain']:>7.2f} {p['checkpoints']:>6.2f}"
                if p
                else f"{'-':>6} {'-':>7} {'-':>6}"
            )
            print(
                f"  {res.backend:<10} {res.entries:>9,} {res.checkpoints:>8} "
                f"{best:>7.2f} {med:>8.2f} "
                f"{res.entries / best:>10,.0f}  {parts}  {'ok' if res.ok else 'PROBLEMS'}"
            )
        for res, generated, gen_s, where in verifies:
            print(
                f"     {res.backend}: chain in {where}, "
                + (f"generated in {gen_s:.1f}s" if generated else "reused from cache")
                + f"; runs: {', '.join(f'{t:.2f}s' for t in res.runs)}"
            )
            for prob in res.problems:
                print(f"     {res.backend} problem: {prob}")
        print(
            "     includes: one read transaction streaming every audit_log row "
            "(store.audit_entries),"
        )
        print(
            "     the checkpoints, every entry's hash recomputed and its link checked "
            "(verify_chain),"
        )
        print("     every checkpoint's Ed25519 signature, range, chain head and Merkle root")
        print(
            "     (verify_checkpoints). Its read transaction is a unit_of_work: "
            "on SQLite BEGIN IMMEDIATE,"
        )
        print("     so appends wait while the rows are read.")
        if any(res.parts for res, *_ in verifies):
            print("     read/chain/cps = the same three steps timed separately in one extra run.")
    print()
    print(
        "  targets (issue): >= 5,000 appends/s on SQLite with group commit; "
        "verify 1,000,000 entries in < 10 s"
    )


if __name__ == "__main__":
    main()
