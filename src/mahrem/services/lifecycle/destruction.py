"""M14 and M11/2 — periodic destruction (imha) and the data subject's destruction request.

`run` finds the records whose retention has ended (domain/retention.py) and disposes of each
by the configured method: delete (silme: no user reaches it), destroy (yok etme: the patient's
data key is destroyed — crypto-shredding — after the other records were re-encrypted under a
new one, so every copy of the destroyed content is unreadable, backups included) or anonymise
(an anonymised copy linked to no one, then the original destroyed). Every destruction is asked
of the engine (`destroy`, rule 10: a dpo; M11/2 bars a deceased person's data for 20 years),
audited, and written to a destruction record kept at least three years.

A run commits in batches of patients; a record already disposed of is skipped, and a data key
retired in a committed batch but not yet destroyed is destroyed at the next run, so a run
interrupted anywhere is run again without losing or repeating anything.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from itertools import groupby
from typing import TYPE_CHECKING, Any

from mahrem.domain import engine as rules_engine
from mahrem.domain import retention
from mahrem.domain.clock import require_aware
from mahrem.domain.decision import Decision, Request
from mahrem.domain.errors import Forbidden
from mahrem.services import audit
from mahrem.services.access import decide
from mahrem.services.lookup import require
from mahrem.services.policies import policy_at
from mahrem.services.ports import Store
from mahrem.services.records import (
    key_name,
    pending_shreds,
    record_versions,
    rekey_patient,
    seal_plaintext,
    tell_recipients,
)

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem

Progress = Callable[[int, int], None]
BATCH = 200
# A stronger disposal replaces a weaker one; never the other way round.
_RANK = {"deleted": 1, "anonymised": 2, "destroyed": 3}
# Basis of every disposal the engine permits (rule 10).
BASIS = "14/1"


def _when(m: Mahrem, at: datetime | None) -> datetime:
    return require_aware(at) if at is not None else m.clock()


def _require_dpo(store: Store, by: str, at: datetime) -> None:
    require(store, "person", by, "by")
    if not any(r["role"] == "dpo" for r in store.open_rows("officer_role", at, person=by)):
        raise Forbidden(
            "lifecycle.forbidden", "only the data protection officer runs destruction (M14)"
        )


# -- what is due ---------------------------------------------------------------------------
def _holdings(store: Store, at: datetime, patient: str | None = None) -> list[retention.Holding]:
    deaths = {r["patient"]: r["died_at"] for r in store.rows("death")}
    rows = store.rows("record", patient=patient) if patient else store.rows("record")
    return [
        retention.Holding(
            r["id"], r["patient"], r["category"], r["created_at"], deaths.get(r["patient"])
        )
        for r in rows
        if r["created_at"] <= at
    ]


def _undone(store: Store, items: list[retention.Due]) -> list[retention.Due]:
    """Items not already disposed of by their method or a stronger one."""
    done = {r["record"]: r["method"] for r in store.rows("record_disposal")}
    return [
        d
        for d in items
        if _RANK.get(done.get(d.record, ""), 0) < _RANK[retention.DISPOSED[d.method]]
    ]


def due(m: Mahrem, at: datetime | None = None) -> list[retention.Due]:
    """M14/1 — the records whose retention has ended at `at` and are not yet disposed of."""
    when = _when(m, at)
    with m.uow.read() as store:
        return _undone(store, retention.due(_holdings(store, when), policy_at(store, when), when))


# -- one patient's disposal, inside the caller's transaction --------------------------------
def _dispose(
    m: Mahrem,
    store: Store,
    items: list[retention.Due],
    by: str,
    at: datetime,
    *,
    run_id: int | None,
    request: str | None,
    copies: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Dispose of one patient's items, each asked of the engine; returns (done, refused).
    Anonymised copies are added to `copies` for the caller to store (`_store_copies`)."""
    done: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    shredded: set[str] = set()
    entries: list[dict[str, Any]] = []
    for item in items:
        decision = decide(
            store,
            Request(actor=by, action="destroy", patient=item.patient, at=at, record=item.record),
        )
        if not decision.permitted:
            refused.append(
                {"record": item.record, "basis": decision.basis, "reason": decision.reason_key}
            )
            continue
        if item.method == "delete":
            seal_plaintext(store, m.keys, item.record)  # rekey_patient seals the others
        if item.method == "anonymise":
            _anonymise(store, m, item, copies)
        disposed = retention.DISPOSED[item.method]
        existing = store.get("record_disposal", item.record)
        if existing is None:
            store.add("record_disposal", record=item.record, method=disposed, at=at, by=by)
        else:
            store.set("record_disposal", item.record, method=disposed, at=at, by=by)
        if item.method != "delete":
            shredded.add(item.record)
        tell_recipients(store, item.record, disposed, at)  # KVKK 11/1-f
        rid = store.add(
            "destruction_record",
            run=run_id,
            request=request,
            record=item.record,
            patient=item.patient,
            category=item.category,
            method=item.method,
            basis=decision.basis,
            reason=item.reason,
            due_at=item.due_at if run_id is not None else None,
            done_at=at,
            by=by,
            keep_until=retention.keep_until(at),
            key_shredded=item.method != "delete",
        )
        entries.append(
            {
                "at": at,
                "kind": "admin",
                "actor": by,
                "action": f"record_{disposed}",
                "patient": item.patient,
                "record": item.record,
                "outcome": "accepted",
                "basis": decision.basis,
                "reason": item.reason,
                "detail": {
                    "method": item.method,
                    "run": run_id,
                    "request": request,
                    "destruction_record": rid,
                },
            }
        )
        done.append({"record": item.record, "method": item.method, "destruction_record": rid})
    if shredded:
        rekey_patient(store, m.keys, items[0].patient, at, shredded)
    audit.append_many(store, entries)  # one head lock for the patient's disposals
    return done, refused


def _anonymise(store: Store, m: Mahrem, item: retention.Due, copies: list[dict[str, Any]]) -> None:
    """An anonymised copy linked to no patient and no record (M14, anonim hale getirme)."""
    versions = record_versions(store, m.keys, item.record)
    row = store.get("record", item.record)
    content = versions[-1]["resource"] if versions else None
    if row is None or content is None:
        return
    copies.append(
        {
            "id": secrets.token_hex(16),
            "category": item.category,
            "resource_type": row["resource_type"],
            "year": retention.year_of(row["created_at"]),
            "resource": retention.anonymise(content),
        }
    )


def _store_copies(store: Store, copies: list[dict[str, Any]]) -> None:
    """Store a batch's anonymised copies in the order of their random ids, not the order of
    the patients and records they came from, so that insertion order links them to no one."""
    for copy in sorted(copies, key=lambda c: c["id"]):
        store.add("anonymised_record", **copy)


def shred_pending(m: Mahrem, at: datetime | None = None) -> int:
    """Destroy every retired data key not yet destroyed (after a commit, or after a crash
    between a commit and the shredding). Idempotent; returns how many keys it destroyed."""
    when = _when(m, at)
    with m.uow.write() as store:
        pending = pending_shreds(store)
        for row in pending:
            m.keys.shred(key_name(row["patient"], row["version"]))
            store.set("data_key", row["id"], shredded_at=when)
    return len(pending)


def seal_plaintext_records(
    m: Mahrem, *, progress: Progress | None = None, batch_size: int = 500
) -> int:
    """Encrypt every record still held in clear (written before migration 0006, or by a door
    without the key store), in committed batches; idempotent, so an interrupted run is simply
    run again. Returns how many records it sealed."""
    with m.uow.read() as store:
        pending = sorted(r["id"] for r in store.rows("record") if r["resource"])
    sealed = 0
    for start in range(0, len(pending), batch_size):
        with m.uow.write() as store:
            sealed += sum(
                seal_plaintext(store, m.keys, rid) for rid in pending[start : start + batch_size]
            )
        if progress is not None:
            progress(min(start + batch_size, len(pending)), len(pending))
    return sealed


# -- the periodic run ------------------------------------------------------------------------
def run(
    m: Mahrem,
    by: str,
    at: datetime | None = None,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    batch_size: int = BATCH,
) -> dict[str, Any]:
    """M14/1 — the periodic destruction run (at least every six months): dispose of every record
    whose retention has ended at `at` by its category's method, one engine decision per record
    (rule 10), in batches of patients each committed with its destruction records and audit
    entries. A dry run changes nothing and shows what would happen (decisions not audited,
    the dry run itself is). Interrupted, it is run again and resumes where it stopped."""
    when = _when(m, at)
    shred_pending(m, when)
    with m.uow.write() as store:
        _require_dpo(store, by, when)
        schedule = _schedule(store, when)
        items = _undone(store, retention.due(_holdings(store, when), policy_at(store, when), when))
        if dry_run:
            return {**_dry_run(m, store, items, by, when), **schedule}
        run_id = store.add(
            "lifecycle_run", at=when, by=by, started_at=m.clock(), due=len(items), counts={}
        )
        audit.append(
            store,
            at=when,
            kind="admin",
            actor=by,
            action="lifecycle_run_started",
            outcome="accepted",
            detail={"run": run_id, "due": len(items)},
        )
    assert run_id is not None
    counts: dict[str, int] = {"deleted": 0, "destroyed": 0, "anonymised": 0, "refused": 0}
    refused: list[dict[str, Any]] = []
    processed = 0
    for batch in _batches(items, batch_size):
        with m.uow.write() as store:
            copies: list[dict[str, Any]] = []
            for _, group in groupby(batch, key=lambda d: d.patient):
                done, no = _dispose(
                    m, store, list(group), by, when, run_id=run_id, request=None, copies=copies
                )
                for d in done:
                    counts[retention.DISPOSED[d["method"]]] += 1
                counts["refused"] += len(no)
                refused += no
            _store_copies(store, copies)
        shred_pending(m, when)
        processed += len(batch)
        if progress is not None:
            progress(processed, len(items))
    with m.uow.write() as store:
        store.set("lifecycle_run", run_id, finished_at=m.clock(), counts=counts)
        audit.append(
            store,
            at=when,
            kind="admin",
            actor=by,
            action="lifecycle_run",
            outcome="accepted",
            detail={"run": run_id, "due": len(items), **counts},
        )
    return {
        "run": run_id,
        "at": when.isoformat(),
        "by": by,
        "dry_run": False,
        "due": len(items),
        "counts": counts,
        "refused": refused,
        **schedule,
    }


def _schedule(store: Store, at: datetime) -> dict[str, Any]:
    """When the last finished run was, and whether this one comes later than the six months
    the Board's regulation allows between periodic destructions (art. 11)."""
    finished = [
        r["at"]
        for r in store.rows("lifecycle_run")
        if r["finished_at"] is not None and r["at"] <= at
    ]
    if not finished:
        return {"last_run_at": None, "interval_exceeded": False}
    last = max(finished)
    return {
        "last_run_at": last.isoformat(),
        "interval_exceeded": at >= retention.next_run_due(last),
    }


def _batches(items: list[retention.Due], size: int) -> list[list[retention.Due]]:
    """Batches of about `size` items that never split a patient (re-keying is per patient)."""
    out: list[list[retention.Due]] = []
    current: list[retention.Due] = []
    for _, group in groupby(items, key=lambda d: d.patient):
        current += list(group)
        if len(current) >= size:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _dry_run(
    m: Mahrem, store: Store, items: list[retention.Due], by: str, at: datetime
) -> dict[str, Any]:
    policy = policy_at(store, at)
    shown: list[dict[str, Any]] = []
    counts: dict[str, int] = {"deleted": 0, "destroyed": 0, "anonymised": 0, "refused": 0}
    for item in items:
        req = Request(actor=by, action="destroy", patient=item.patient, at=at, record=item.record)
        decision: Decision = rules_engine.decide(req, store.facts_for(req), policy)
        counts[retention.DISPOSED[item.method] if decision.permitted else "refused"] += 1
        shown.append(
            {
                "record": item.record,
                "patient": item.patient,
                "category": item.category,
                "method": item.method,
                "due_at": item.due_at.isoformat(),
                "reason": item.reason,
                "decision": decision.effect,
                "basis": decision.basis,
            }
        )
    audit.append(
        store,
        at=at,
        kind="admin",
        actor=by,
        action="lifecycle_dry_run",
        outcome="accepted",
        detail={"due": len(items), **counts},
    )
    return {
        "run": None,
        "at": at.isoformat(),
        "by": by,
        "dry_run": True,
        "due": len(items),
        "counts": counts,
        "items": shown,
    }
