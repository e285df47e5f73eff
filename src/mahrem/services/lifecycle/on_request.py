"""M11/2 — destruction on the data subject's request (through the DPO), decided by the engine
(rule: not before the periods the law keeps), and the records that prove what was destroyed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain import retention
from mahrem.domain.decision import Request
from mahrem.domain.errors import InputError, MahremError, Refused
from mahrem.services import audit
from mahrem.services.access import decide
from mahrem.services.lookup import require
from mahrem.services.policies import policy_at
from mahrem.services.ports import Store

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem
from mahrem.services.lifecycle.destruction import (
    BASIS,
    _dispose,
    _holdings,
    _require_dpo,
    _store_copies,
    _undone,
    _when,
    shred_pending,
)


# -- the data subject's request --------------------------------------------------------------
def destroy_patient_data(
    m: Mahrem,
    patient: str,
    method: str,
    by: str,
    at: datetime | None = None,
    *,
    reason: str = "request.data_subject",
    request: str | None = None,
) -> dict[str, Any]:
    """M14/1, KVKK 7 and 11/1-e — dispose of every record of a patient (the data subject's
    request, answered within 30 days: the applications service tracks that deadline). Each
    record is asked of the engine (rule 10: only a dpo; M11/2 bars a deceased person's data for
    20 years); any refusal refuses the whole request with its basis, after the audit entries
    of the refused decisions are committed."""
    if method not in retention.METHODS:
        raise InputError(
            "field.invalid", f"method: one of {list(retention.METHODS)}", field="method"
        )
    if len(reason) > 48:
        raise InputError("field.invalid", "reason: at most 48 characters", field="reason")
    when = _when(m, at)
    refusal: MahremError | None = None
    done: list[dict[str, Any]] = []
    with m.uow.write() as store:
        _require_dpo(store, by, when)
        require(store, "person", patient, "patient")
        holdings = _holdings(store, when, patient)
        items = _undone(
            store,
            [
                retention.Due(h.record, h.patient, h.category, method, when, reason)
                for h in sorted(holdings, key=lambda h: h.record)
            ],
        )
        refusal = _first_refusal(m, store, items, by, when)
        if refusal is None:
            if items:
                copies: list[dict[str, Any]] = []
                done, _ = _dispose(
                    m, store, items, by, when, run_id=None, request=request, copies=copies
                )
                _store_copies(store, copies)
            audit.append(
                store,
                at=when,
                kind="admin",
                actor=by,
                action="patient_data_disposed",
                patient=patient,
                outcome="accepted",
                basis=BASIS,
                reason=reason,
                detail={
                    "method": method,
                    "request": request,
                    "records": [d["record"] for d in done],
                },
            )
    if refusal is not None:
        raise refusal
    shred_pending(m, when)
    return {
        "patient": patient,
        "method": method,
        "by": by,
        "at": when.isoformat(),
        "request": request,
        "reason": reason,
        "records": [d["record"] for d in done],
        "destruction_records": [d["destruction_record"] for d in done],
    }


def _first_refusal(
    m: Mahrem, store: Store, items: list[retention.Due], by: str, at: datetime
) -> Refused | None:
    """Ask the engine for every record first (audited): the request is all or nothing."""
    for item in items:
        decision = decide(
            store,
            Request(actor=by, action="destroy", patient=item.patient, at=at, record=item.record),
        )
        if not decision.permitted:
            return Refused(decision.reason_key, decision.reason_en, basis=decision.basis)
    return None


# -- what was done ---------------------------------------------------------------------------
def destruction_records(
    m: Mahrem,
    viewer: str,
    *,
    patient: str | None = None,
    run: int | None = None,
    limit: int = 100,
    offset: int = 0,
    at: datetime | None = None,
) -> list[dict[str, Any]]:
    """The destruction records (what, which method, when, who), newest first, for the dpo."""
    when = _when(m, at)
    with m.uow.read() as store:
        _require_dpo(store, viewer, when)
        match: dict[str, Any] = {}
        if patient is not None:
            match["patient"] = patient
        if run is not None:
            match["run"] = run
        rows = sorted(
            store.rows("destruction_record", **match), key=lambda r: r["id"], reverse=True
        )
    return [_public(r) for r in rows[offset : offset + limit]]


def runs(
    m: Mahrem, viewer: str, *, limit: int = 100, offset: int = 0, at: datetime | None = None
) -> list[dict[str, Any]]:
    """The lifecycle runs, newest first (an unfinished one was interrupted), for the dpo."""
    when = _when(m, at)
    with m.uow.read() as store:
        _require_dpo(store, viewer, when)
        rows = sorted(store.rows("lifecycle_run"), key=lambda r: r["id"], reverse=True)
    return [_public(r) for r in rows[offset : offset + limit]]


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}


def schedule(m: Mahrem, viewer: str, at: datetime | None = None) -> dict[str, Any]:
    """The periodic destruction's schedule for the dpo (the Board's regulation art. 11: at most
    six months between runs; issue 21): the last finished run, when the next is due, how many
    records are due now, and whether the run is overdue — the interval passed, or records are
    due and no run was ever made."""
    when = _when(m, at)
    with m.uow.read() as store:
        _require_dpo(store, viewer, when)
        finished = [
            r["at"]
            for r in store.rows("lifecycle_run")
            if r["finished_at"] is not None and r["at"] <= when
        ]
        waiting = len(
            _undone(store, retention.due(_holdings(store, when), policy_at(store, when), when))
        )
    last = max(finished) if finished else None
    next_due = retention.next_run_due(last) if last else None
    overdue = (next_due is not None and when >= next_due) or (last is None and waiting > 0)
    return {
        "last_run_at": last.isoformat() if last else None,
        "next_run_due": next_due.isoformat() if next_due else None,
        "records_due": waiting,
        "overdue": overdue,
    }
