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

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from mahrem.domain.clock import day_end, local_date
from mahrem.domain.decision import Request
from mahrem.domain.errors import Forbidden, InputError, MahremError, NotFound
from mahrem.services import audit
from mahrem.services.access import decide
from mahrem.services.lookup import require, require_record_of
from mahrem.services.policies import policy_at
from mahrem.services.ports import Store
from mahrem.services.records import current_resource
from mahrem.services.transfers import validate_bundle

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


# -- give me my data ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SummaryRecord:
    record: str
    created_at: datetime
    facility: str
    category: str
    resource_type: str
    title: str


@dataclass(frozen=True, slots=True)
class DataSummary:
    """What the PDF summary shows: the applicant, the application, the records, the recipients."""

    application: int
    kind_text: str
    patient_name: str
    tckn: str
    birth_date: date
    issued_at: datetime
    records: tuple[SummaryRecord, ...]
    recipients: tuple[dict[str, Any], ...] = field(default=())


SummaryRenderer = Callable[[DataSummary], bytes]


def _own_data_application(store: Store, viewer: str, app_id: int) -> dict[str, Any]:
    row = _get(store, app_id)
    if row["patient"] != viewer:
        raise _unknown(app_id)
    if row["kind"] not in DATA_KINDS:
        raise InputError(
            "application.no_data",
            f"application {app_id} is not a request for information ({', '.join(DATA_KINDS)})",
            field="application",
        )
    return row


def _own_records(
    m: Mahrem, store: Store, patient: str, at: datetime
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The patient's records, each read as the patient through the engine (5/6)."""
    out = []
    rows = sorted(
        (r for r in store.rows("record", patient=patient) if r["created_at"] <= at),
        key=lambda r: (r["created_at"], r["id"]),
    )
    for r in rows:
        d = decide(
            store, Request(actor=patient, action="read", patient=patient, at=at, record=r["id"])
        )
        resource = current_resource(store, m.keys, r["id"]) if d.permitted else None
        if resource is not None:
            out.append((r, resource))
    return out


def _patient_resource(person: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": person["id"],
        "identifier": [{"system": "urn:oid:2.16.792.1.56.5.3.1.6.1", "value": person["tckn"]}],
        "name": [{"text": person["name"]}],
        "birthDate": person["birth_date"].isoformat(),
        **({"telecom": [{"system": "phone", "value": person["phone"]}]} if person["phone"] else {}),
    }


def my_data(m: Mahrem, viewer: str, app_id: int, at: datetime | None = None) -> dict[str, Any]:
    """KVKK 11/1-a/b — the applicant's records as a FHIR R4 Bundle (validated), audited."""
    now = m.at(at)
    with m.uow.write() as store:
        row = _own_data_application(store, viewer, app_id)
        person = store.get("person", viewer)
        assert person is not None
        records = _own_records(m, store, viewer, now)
        entries = [
            {"fullUrl": f"urn:mahrem:patient:{viewer}", "resource": _patient_resource(person)}
        ]
        entries += [
            {"fullUrl": f"urn:mahrem:record:{r['id']}", "resource": res} for r, res in records
        ]
        bundle = validate_bundle(
            {
                "resourceType": "Bundle",
                "type": "collection",
                "timestamp": now.isoformat(),
                "entry": entries,
            }
        )
        audit.append(
            store,
            at=now,
            kind="admin",
            actor=viewer,
            action="application_data_exported",
            patient=viewer,
            outcome="accepted",
            basis="5/6",
            detail={"application": row["id"], "records": len(records)},
        )
        return bundle


def my_data_pdf(
    m: Mahrem,
    viewer: str,
    app_id: int,
    render: SummaryRenderer,
    at: datetime | None = None,
    lang: str = "tr",
) -> bytes:
    """KVKK 11/1-a/b/ç — the readable summary: the records and who received them."""
    now = m.at(at)
    with m.uow.write() as store:
        row = _own_data_application(store, viewer, app_id)
        person = store.get("person", viewer)
        assert person is not None
        facilities = {f["id"]: f["name"] for f in store.rows("facility")}
        records = tuple(
            SummaryRecord(
                r["id"],
                r["created_at"],
                facilities.get(r["facility"], r["facility"]),
                r["category"],
                r["resource_type"],
                _title(res),
            )
            for r, res in _own_records(m, store, viewer, now)
        )
        summary = DataSummary(
            application=row["id"],
            kind_text=KINDS[row["kind"]][1],
            patient_name=person["name"],
            tckn=person["tckn"],
            birth_date=person["birth_date"],
            issued_at=now,
            records=records,
            recipients=tuple(_recipients(store, viewer)),
        )
        audit.append(
            store,
            at=now,
            kind="admin",
            actor=viewer,
            action="application_summary_printed",
            patient=viewer,
            outcome="accepted",
            basis="5/6",
            detail={"application": row["id"], "records": len(records)},
        )
    return render(summary)


def _title(resource: dict[str, Any]) -> str:
    for key in ("code", "type", "vaccineCode", "medicationCodeableConcept"):
        concept = resource.get(key)
        if isinstance(concept, dict):
            if concept.get("text"):
                return str(concept["text"])
            for coding in concept.get("coding") or []:
                if coding.get("display") or coding.get("code"):
                    return str(coding.get("display") or coding.get("code"))
    return str(resource.get("resourceType", ""))


def _recipients(store: Store, patient: str) -> list[dict[str, Any]]:
    """KVKK 11/1-ç: the transfers that carried the patient's records."""
    out = []
    for tid in sorted(
        {i["transfer"] for i in store.rows("transfer_item", patient=patient, effect="permit")}
    ):
        t = store.get("transfer", tid)
        sent = [
            r
            for r in ((t or {}).get("manifest") or {}).get("records", [])
            if r["patient"] == patient
        ]
        if t is not None and sent:
            out.append(
                {
                    "transfer": tid,
                    "name": t["recipient"]["name"],
                    "kind": t["recipient"]["kind"],
                    "country": t["recipient"]["country"],
                    "at": t["packaged_at"],
                    "records": len(sent),
                    "bases": sorted({r["basis"] for r in sent}),
                }
            )
    return sorted(out, key=lambda e: (e["at"], e["transfer"]))


# -- information notices (aydınlatma metni) -----------------------------------------------------
def _notice(row: dict[str, Any], lang: str | None = None) -> dict[str, Any]:
    out = {
        "version": row["version"],
        "published_at": row["published_at"].isoformat(),
        "published_by": row["published_by"],
    }
    if lang is None:
        return {**out, **{k: row[k] for k in ("title_tr", "title_en", "body_tr", "body_en")}}
    suffix = "en" if lang == "en" else "tr"
    return {**out, "title": row[f"title_{suffix}"], "body": row[f"body_{suffix}"]}


def publish_notice(
    m: Mahrem,
    by: str,
    *,
    title_tr: str,
    title_en: str,
    body_tr: str,
    body_en: str,
    at: datetime | None = None,
) -> dict[str, Any]:
    """M5/8, KVKK 10 — a new version of the information notice (Turkish and English); earlier
    versions stay, so what each patient was shown can always be read again."""
    now = m.at(at)
    texts = {"title_tr": title_tr, "title_en": title_en, "body_tr": body_tr, "body_en": body_en}
    for name, text in texts.items():
        if not isinstance(text, str) or not text.strip():
            raise InputError("field.missing", f"{name}: required", field=name)
    with m.uow.write() as store:
        require(store, "person", by, "by")
        if not _answerer(store, by, now):
            raise Forbidden(
                "notice.forbidden", "only the data protection officer or GM publishes notices"
            )
        version = max((r["version"] for r in store.rows("notice")), default=0) + 1
        store.add("notice", version=version, published_at=now, published_by=by, **texts)
        audit.append(
            store,
            at=now,
            kind="admin",
            actor=by,
            action="notice_published",
            outcome="accepted",
            detail={"version": version},
        )
        row = store.get("notice", version)
        assert row is not None
        return _notice(row)


def list_notices(m: Mahrem, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    """Every version, newest first (public)."""
    with m.uow.read() as store:
        rows = sorted(store.rows("notice"), key=lambda r: r["version"], reverse=True)
    return [_notice(r) for r in rows[offset : offset + limit]]


def get_notice(m: Mahrem, version: int | None = None, at: datetime | None = None) -> dict[str, Any]:
    """One version; without a version, the one in force at `at` (the latest published by then)."""
    now = m.at(at)
    with m.uow.read() as store:
        rows = [
            r
            for r in store.rows("notice")
            if (version is None and r["published_at"] <= now) or r["version"] == version
        ]
    if not rows:
        raise NotFound(
            "notice.unknown", f"no information notice {version or ''}".strip(), field="version"
        )
    return _notice(max(rows, key=lambda r: r["version"]))


def record_notice_seen(
    m: Mahrem, patient: str, version: int, at: datetime | None = None
) -> dict[str, Any]:
    """M5/8 — the patient was shown this version; the first time is kept (seeing it again
    changes nothing)."""
    now = m.at(at)
    with m.uow.write() as store:
        require(store, "person", patient, "patient")
        row = store.get("notice", version)
        if row is None or row["published_at"] > now:
            raise NotFound("notice.unknown", f"no information notice {version}", field="version")
        seen = store.rows("notice_view", patient=patient, version=version)
        if not seen:
            store.add("notice_view", patient=patient, version=version, seen_at=now)
            audit.append(
                store,
                at=now,
                kind="admin",
                actor=patient,
                action="notice_seen",
                patient=patient,
                outcome="accepted",
                detail={"version": version},
            )
            seen = store.rows("notice_view", patient=patient, version=version)
        return {"patient": patient, "version": version, "seen_at": seen[0]["seen_at"].isoformat()}


def notice_views(
    m: Mahrem,
    viewer: str,
    *,
    patient: str | None = None,
    version: int | None = None,
    limit: int = 100,
    offset: int = 0,
    at: datetime | None = None,
) -> list[dict[str, Any]]:
    """Which version each patient saw and when: a patient sees their own; the officers all."""
    now = m.at(at)
    with m.uow.read() as store:
        if not _answerer(store, viewer, now):
            if patient not in (None, viewer):
                raise Forbidden("notice.forbidden", "a patient sees only what they were shown")
            patient = viewer
        match = {k: v for k, v in {"patient": patient, "version": version}.items() if v is not None}
        rows = sorted(store.rows("notice_view", **match), key=lambda r: (r["seen_at"], r["id"]))
    return [
        {"patient": r["patient"], "version": r["version"], "seen_at": r["seen_at"].isoformat()}
        for r in rows[offset : offset + limit]
    ]
