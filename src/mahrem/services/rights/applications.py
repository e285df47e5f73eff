"""KVKK 11 and 13 (M5/6–7) — a data subject's applications to the data controller, and the
information notices (aydınlatma metni, M5/8, KVKK 10) with who saw which version.

"Herkes, veri sorumlusuna başvurarak kendisiyle ilgili olarak Kanunun 11 inci maddesinde yer
alan hakları kullanabilir." (M5/6) The controller answers "en kısa sürede ve en geç otuz gün
içinde" (KVKK 13/2; policy `application_answer_days`).

The period is counted in Istanbul calendar days from the day after the application arrived (the
day of the event is not counted, as in Turkish procedural law): an application received on
1 March is due on 31 March inclusive and is overdue from 1 April 00:00 Istanbul.

The answer is given by the data protection officer or a General Directorate officer (acting
for the Ministry as data controller). Granting a deletion application (11/1-e) destroys the
patient's data through services/lifecycle.py. "Give me my data" is a Bundle of the patient's
records, each read through the engine as the patient (5/6), and a readable PDF summary.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from mahrem.domain.clock import day_end, local_date
from mahrem.domain.errors import Forbidden, InputError, NotFound
from mahrem.services import audit
from mahrem.services.lookup import require, require_record_of
from mahrem.services.policies import policy_at
from mahrem.services.ports import Store

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem

# KVKK 11/1, point by point: (kind, article, Turkish, English).
KINDS: dict[str, tuple[str, str, str]] = {
    "processed": (
        "11/1-a",
        "Kişisel verilerimin işlenip işlenmediğini öğrenmek",
        "Learn whether my personal data are processed",
    ),
    "information": (
        "11/1-b",
        "İşlenmişse buna ilişkin bilgi talep etmek",
        "Request information on the processing",
    ),
    "purposes": (
        "11/1-c",
        "İşlenme amacını ve amacına uygun kullanılıp kullanılmadığını öğrenmek",
        "Learn the purpose and whether data are used accordingly",
    ),
    "recipients": (
        "11/1-ç",
        "Yurt içinde veya yurt dışında aktarıldığı üçüncü kişileri bilmek",
        "Know the third parties at home or abroad that received my data",
    ),
    "correction": (
        "11/1-d",
        "Eksik veya yanlış işlenmişse düzeltilmesini istemek",
        "Have incomplete or wrong data corrected",
    ),
    "deletion": (
        "11/1-e",
        "Kişisel verilerimin silinmesini veya yok edilmesini istemek",
        "Have my personal data erased or destroyed",
    ),
    "notify_recipients": (
        "11/1-f",
        "Düzeltme ve silme işlemlerinin aktarılan üçüncü kişilere bildirilmesini istemek",
        "Have corrections and erasures notified to the recipients",
    ),
    "objection": (
        "11/1-g",
        "Otomatik sistemlerle analiz sonucu aleyhime bir sonuca itiraz etmek",
        "Object to an adverse result of exclusively automated analysis",
    ),
    "compensation": (
        "11/1-ğ",
        "Kanuna aykırı işleme nedeniyle uğradığım zararın giderilmesini talep etmek",
        "Claim compensation for damage from unlawful processing",
    ),
}
STATUSES = ("received", "in_review", "answered", "granted", "rejected")
FINAL = ("answered", "granted", "rejected")
STATUS_TEXT = {
    "received": ("Alındı", "Received"),
    "in_review": ("İnceleniyor", "In review"),
    "answered": ("Cevaplandı", "Answered"),
    "granted": ("Kabul edildi", "Granted"),
    "rejected": ("Reddedildi", "Rejected"),
}
# The kinds whose answer is the data themselves ("give me my data").
DATA_KINDS = ("processed", "information", "purposes", "recipients")
ANSWERING_ROLES = ("dpo", "gm_officer")
DESTRUCTION_METHODS = ("delete", "destroy", "anonymise")


def _answerer(store: Store, person: str, at: datetime) -> bool:
    return any(
        r["role"] in ANSWERING_ROLES for r in store.open_rows("officer_role", at, person=person)
    )


def _unknown(app_id: int) -> NotFound:
    # Another patient's application answers exactly like one that does not exist.
    return NotFound("application.unknown", f"unknown application {app_id}", field="application")


def due_date(received_at: datetime, days: int) -> date:
    """The last Istanbul calendar day on which the answer is in time (KVKK 13/2)."""
    return local_date(received_at) + timedelta(days=days)


def is_overdue(row: dict[str, Any], at: datetime) -> bool:
    """Not answered and the due day is over (Istanbul)."""
    return row["status"] not in FINAL and at >= day_end(row["due_date"])


def describe(store: Store, row: dict[str, Any], at: datetime, lang: str = "tr") -> dict[str, Any]:
    """An application as its applicant and the officer see it, with its history."""
    article, tr, en = KINDS[row["kind"]]
    history = sorted(
        store.rows("application_status", application=row["id"]), key=lambda h: (h["at"], h["id"])
    )
    end = day_end(row["due_date"])
    late = row["answered_at"] is not None and row["answered_at"] >= end
    return {
        "id": row["id"],
        "patient": row["patient"],
        "kind": row["kind"],
        "article": f"KVKK {article}",
        "kind_text": en if lang == "en" else tr,
        "subject": row["subject"],
        "record": row["record"],
        "received_at": row["received_at"].isoformat(),
        "due_date": row["due_date"].isoformat(),
        "status": row["status"],
        "status_text": STATUS_TEXT[row["status"]][1 if lang == "en" else 0],
        "status_at": row["status_at"].isoformat(),
        "answered_by": row["answered_by"],
        "answered_at": row["answered_at"].isoformat() if row["answered_at"] else None,
        "answer": row["answer"],
        "reason": row["reason"],
        "outcome": row["outcome"],
        "overdue": is_overdue(row, at),
        "late": late,
        "days_left": (row["due_date"] - local_date(at)).days
        if row["status"] not in FINAL
        else None,
        "history": [
            {"status": h["status"], "at": h["at"].isoformat(), "by": h["by"], "note": h["note"]}
            for h in history
        ],
    }


def _status(
    store: Store, app_id: int, status: str, at: datetime, by: str, note: str | None = None
) -> None:
    store.add("application_status", application=app_id, status=status, at=at, by=by, note=note)


# -- filing and reading ---------------------------------------------------------------------
def file_application(
    m: Mahrem,
    patient: str,
    kind: str,
    subject: str,
    *,
    record: str | None = None,
    at: datetime | None = None,
    lang: str = "tr",
) -> dict[str, Any]:
    """KVKK 11, 13/1 — the patient applies to the data controller; the answer is due within the
    policy's `application_answer_days` (30) Istanbul calendar days."""
    now = m.at(at)
    if kind not in KINDS:
        raise InputError("field.invalid", f"kind: one of {sorted(KINDS)}", field="kind")
    if not isinstance(subject, str) or not subject.strip():
        raise InputError("field.missing", "subject: say what you ask for", field="subject")
    with m.uow.write() as store:
        require(store, "person", patient, "patient")
        if record is not None:
            require_record_of(store, record, patient, "record")
        days = policy_at(store, now).application_answer_days
        app_id = store.add(
            "application",
            patient=patient,
            kind=kind,
            subject=subject.strip(),
            record=record,
            received_at=now,
            due_date=due_date(now, days),
            status="received",
            status_at=now,
        )
        assert app_id is not None
        _status(store, app_id, "received", now, patient)
        audit.append(
            store,
            at=now,
            kind="admin",
            actor=patient,
            action="application_filed",
            patient=patient,
            record=record,
            outcome="accepted",
            basis=f"KVKK {KINDS[kind][0]}",
            detail={"application": app_id, "kind": kind},
        )
        return describe(store, _get(store, app_id), now, lang)


def _get(store: Store, app_id: int) -> dict[str, Any]:
    row = store.get("application", app_id)
    if row is None:
        raise _unknown(app_id)
    return row


def _visible(store: Store, viewer: str, app_id: int, at: datetime) -> dict[str, Any]:
    row = _get(store, app_id)
    if row["patient"] != viewer and not _answerer(store, viewer, at):
        raise _unknown(app_id)
    return row


def get_application(
    m: Mahrem, viewer: str, app_id: int, at: datetime | None = None, lang: str = "tr"
) -> dict[str, Any]:
    """One application, to its applicant or to an answering officer (anyone else: unknown)."""
    now = m.at(at)
    with m.uow.read() as store:
        return describe(store, _visible(store, viewer, app_id, now), now, lang)


def list_applications(
    m: Mahrem,
    viewer: str,
    *,
    patient: str | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    limit: int = 100,
    offset: int = 0,
    at: datetime | None = None,
    lang: str = "tr",
) -> list[dict[str, Any]]:
    """A patient's own applications; an answering officer's view of all (or one patient's),
    oldest due first."""
    now = m.at(at)
    if status is not None and status not in STATUSES:
        raise InputError("field.invalid", f"status: one of {list(STATUSES)}", field="status")
    with m.uow.read() as store:
        if not _answerer(store, viewer, now):
            if patient not in (None, viewer):
                raise Forbidden(
                    "application.forbidden", "a patient sees only their own applications"
                )
            patient = viewer
        match = {k: v for k, v in {"patient": patient, "status": status}.items() if v is not None}
        rows = [
            r
            for r in store.rows("application", **match)
            if overdue is None or is_overdue(r, now) == overdue
        ]
        rows.sort(key=lambda r: (r["due_date"], r["id"]))
        return [describe(store, r, now, lang) for r in rows[offset : offset + limit]]


def overdue_applications(
    m: Mahrem, viewer: str, at: datetime | None = None, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """KVKK 13/2 — applications not answered by their due day (an answering officer's list)."""
    now = m.at(at)
    with m.uow.read() as store:
        if not _answerer(store, viewer, now):
            raise Forbidden(
                "application.forbidden", "only the data controller's officers see every application"
            )
    return list_applications(m, viewer, overdue=True, limit=limit, offset=offset, at=now)
