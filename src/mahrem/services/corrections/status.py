"""What the applicant and the officers see of a request (M13, KVKK 13/2): its status with a
message in the applicant's language, every status change, and the answer deadline (30 days from
filing under the policy of that day) with whether it was missed. A request is shown to its
applicant, to GM and data protection officers and to the directorate of the record's province;
to anyone else it is unknown."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from mahrem.domain.clock import day_end, local_date
from mahrem.services.corrections.state import (
    CLOSED,
    holds,
    record_province,
    status_of,
    statuses_of,
    unknown_request,
    when_of,
)
from mahrem.services.policies import policy_at
from mahrem.services.ports import Store

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem


STATUS_TEXT: dict[str, tuple[str, str]] = {
    "filed": (
        "Başvurunuz alındı; il sağlık müdürlüğü inceleyecek.",
        "Your request was received; the provincial health directorate will review it.",
    ),
    "investigating": (
        "İl sağlık müdürlüğü kaydı oluşturan sağlık tesisinde araştırıyor.",
        "The provincial health directorate is investigating at the facility that created "
        "the record.",
    ),
    "forwarded": (
        "İl sağlık müdürlüğü düzeltilmesi için Genel Müdürlüğe iletti.",
        "The provincial health directorate forwarded it to the General Directorate for correction.",
    ),
    "rejected": (
        "Başvurunuz reddedildi; gerekçesi aşağıda.",
        "Your request was rejected; the reason is below.",
    ),
    "corrected": (
        "Kayıt düzeltildi; önceki sürüm saklanıyor.",
        "The record was corrected; the earlier version is kept.",
    ),
}


def _may_see_request(store: Store, viewer: str, request: dict[str, Any], at: datetime) -> bool:
    return (
        viewer == request["patient"]
        or holds(store, viewer, "gm_officer", at)
        or holds(store, viewer, "dpo", at)
        or holds(store, viewer, "province_officer", at, record_province(store, request["record"]))
    )


def _view(
    store: Store, request: dict[str, Any], viewer: str, at: datetime, lang: str
) -> dict[str, Any]:
    policy = policy_at(store, request["requested_at"])
    due = day_end(
        local_date(request["requested_at"]) + timedelta(days=policy.application_answer_days)
    )
    rows = statuses_of(store, request["id"]) or [
        {"status": "filed", "at": request["requested_at"], "by": request["patient"], "reason": None}
    ]
    status = status_of(store, request)
    closed_at = rows[-1]["at"] if status in CLOSED else None
    officer = viewer != request["patient"]
    history = [
        {
            "status": r["status"],
            "at": r["at"].isoformat(),
            "reason": r["reason"],
            **({"by": r["by"]} if officer else {}),
        }
        for r in rows
    ]
    tr, en = STATUS_TEXT[status]
    return {
        "id": request["id"],
        "patient": request["patient"],
        "record": request["record"],
        "reason": request["reason"],
        "requested_at": request["requested_at"].isoformat(),
        "status": status,
        "message": en if lang == "en" else tr,
        "answer_due": due.isoformat(),
        "overdue": (closed_at or at) >= due,
        "closed_at": closed_at.isoformat() if closed_at else None,
        "history": history,
    }


def correction_status(
    m: Mahrem, viewer: str, request_id: str, *, at: datetime | None = None, lang: str = "tr"
) -> dict[str, Any]:
    """M13, KVKK 13/2 — a request's status, history and answer deadline (30 days), for the
    applicant and the officers concerned; to anyone else, the unknown-request answer."""
    when = when_of(m, at)
    with m.uow.read() as store:
        request = store.get("correction_request", request_id)
        if request is None or not _may_see_request(store, viewer, request, when):
            raise unknown_request(request_id)
        return _view(store, request, viewer, when, lang)


def corrections_of(
    m: Mahrem,
    viewer: str,
    patient: str,
    *,
    limit: int = 100,
    offset: int = 0,
    at: datetime | None = None,
    lang: str = "tr",
) -> list[dict[str, Any]]:
    """The patient's correction requests, newest first, as the applicant sees them."""
    when = when_of(m, at)
    with m.uow.read() as store:
        rows = sorted(
            store.rows("correction_request", patient=patient),
            key=lambda r: r["requested_at"],
            reverse=True,
        )
        visible = [r for r in rows if _may_see_request(store, viewer, r, when)]
        return [_view(store, r, viewer, when, lang) for r in visible[offset : offset + limit]]
