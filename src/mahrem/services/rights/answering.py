"""KVKK 13 (M5/7) — answering an application: the review, the answer within the legal period,
and the destruction a granted request for erasure sets off (M14)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain.clock import day_end
from mahrem.domain.errors import Forbidden, InputError, MahremError
from mahrem.services import audit
from mahrem.services.lookup import require
from mahrem.services.ports import Store

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem
from mahrem.services.rights.applications import (
    DESTRUCTION_METHODS,
    FINAL,
    KINDS,
    _answerer,
    _get,
    _status,
    describe,
)


# -- answering ------------------------------------------------------------------------------
def _for_answerer(store: Store, by: str, app_id: int, at: datetime) -> dict[str, Any]:
    require(store, "person", by, "by")
    if not _answerer(store, by, at):
        raise Forbidden(
            "application.forbidden", "only the data protection officer or GM answers applications"
        )
    row = _get(store, app_id)
    if row["status"] in FINAL:
        raise InputError(
            "application.closed",
            f"application {app_id} was already {row['status']}",
            field="status",
        )
    return row


def start_review(m: Mahrem, by: str, app_id: int, at: datetime | None = None) -> dict[str, Any]:
    """received → in_review."""
    now = m.at(at)
    with m.uow.write() as store:
        row = _for_answerer(store, by, app_id, now)
        if row["status"] != "received":
            raise InputError(
                "application.in_review",
                f"application {app_id} is already in review",
                field="status",
            )
        store.set("application", app_id, status="in_review", status_at=now)
        _status(store, app_id, "in_review", now, by)
        audit.append(
            store,
            at=now,
            kind="admin",
            actor=by,
            action="application_in_review",
            patient=row["patient"],
            outcome="accepted",
            detail={"application": app_id},
        )
        return describe(store, _get(store, app_id), now)


def answer_application(
    m: Mahrem,
    by: str,
    app_id: int,
    status: str,
    *,
    answer: str | None = None,
    reason: str | None = None,
    method: str = "delete",
    at: datetime | None = None,
) -> dict[str, Any]:
    """KVKK 13/2-3 — answer (answered), accept (granted) or refuse with a reason (rejected).

    Granting a deletion application first destroys the patient's data by `method` (delete,
    destroy, anonymise) through services/lifecycle.py; if that refuses (e.g. M11/2, the 20 years
    after death), the application stays open and the refusal is raised."""
    now = m.at(at)
    if status not in FINAL:
        raise InputError("field.invalid", f"status: one of {list(FINAL)}", field="status")
    if status == "rejected" and not (reason and reason.strip()):
        raise InputError(
            "field.missing", "reason: a rejection states its reason (KVKK 13/3)", field="reason"
        )
    if status == "answered" and not (answer and answer.strip()):
        raise InputError("field.missing", "answer: the answer is required", field="answer")
    with m.uow.read() as store:
        row = _for_answerer(store, by, app_id, now)
    outcome = None
    if status == "granted" and row["kind"] == "deletion":
        outcome = _destroy(m, row, method, by, now)
    with m.uow.write() as store:
        row = _for_answerer(store, by, app_id, now)
        store.set(
            "application",
            app_id,
            status=status,
            status_at=now,
            answered_by=by,
            answered_at=now,
            answer=answer,
            reason=reason,
            outcome=outcome,
        )
        _status(store, app_id, status, now, by, reason or answer)
        audit.append(
            store,
            at=now,
            kind="admin",
            actor=by,
            action=f"application_{status}",
            patient=row["patient"],
            record=row["record"],
            outcome="accepted",
            basis=f"KVKK {KINDS[row['kind']][0]}",
            reason=reason,
            detail={
                "application": app_id,
                "late": now >= day_end(row["due_date"]),
                "outcome": outcome,
            },
        )
        return describe(store, _get(store, app_id), now)


def _destroy(m: Mahrem, row: dict[str, Any], method: str, by: str, at: datetime) -> dict[str, Any]:
    if method not in DESTRUCTION_METHODS:
        raise InputError(
            "field.invalid", f"method: one of {list(DESTRUCTION_METHODS)}", field="method"
        )
    try:
        from mahrem.services.lifecycle import destroy_patient_data
    except ImportError as exc:
        raise MahremError(
            "lifecycle.missing",
            "destruction (services/lifecycle.destroy_patient_data) is not "
            "available yet: the deletion application cannot be granted",
        ) from exc
    result = destroy_patient_data(
        m,
        row["patient"],
        method,
        by,
        at=at,
        reason=f"KVKK 11/1-e application {row['id']}",
        request=f"application/{row['id']}",
    )
    return {
        "method": method,
        "result": result if isinstance(result, (dict, list, str, int)) else repr(result),
    }
