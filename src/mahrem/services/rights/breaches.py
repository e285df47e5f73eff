"""M18/2 — the breach register and the notification to the Personal Data Protection Board.

"İşlenen kişisel verilerin kanuni olmayan yollarla başkaları tarafından elde edilmesi hâlinde
veri sorumlusu tarafından Kurula yapılacak bildirimde Kanun hükümleri ile Kurulun bu hususa
ilişkin düzenleyici işlemleri esas alınır." (M18/2)

KVKK 12/5 says "en kısa sürede"; the Board's decision 2019/10 makes that 72 hours from the
moment the breach was detected (policy `breach_notification_hours`), a half-open window
[detected, detected + 72 h): at the 72nd hour the notification is overdue, and a late one must
say why. The affected patients are found in the audit log: the records disclosed (decisions
permitted) to an actor, through an installation, from a facility, in a time window. Only a data
protection officer manages the register.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from mahrem.domain.categories import CATEGORIES
from mahrem.domain.clock import ISTANBUL, require_aware
from mahrem.domain.errors import InputError, NotFound
from mahrem.services import audit, guard
from mahrem.services.audit import guard_dpo
from mahrem.services.lookup import require
from mahrem.services.policies import policy_at
from mahrem.services.ports import Store

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem

CONTROLLER = "T.C. Sağlık Bakanlığı"
SCOPE_FIELDS = ("actor", "via", "facility", "since", "until", "records")
CATEGORY_TEXT = {
    "psychiatry": ("ruh sağlığı", "mental health"),
    "sexual_health": ("cinsel sağlık", "sexual health"),
    "hiv": ("HIV", "HIV"),
    "genetics": ("genetik", "genetic"),
    "substance_use": ("madde kullanımı", "substance use"),
    "reproductive": ("üreme sağlığı", "reproductive health"),
    "laboratory": ("laboratuvar sonuçları", "laboratory results"),
    "imaging": ("görüntüleme", "imaging"),
    "prescription": ("reçete", "prescriptions"),
    "vaccination": ("aşı", "vaccinations"),
    "general": ("genel sağlık kayıtları", "general health records"),
    "identity": ("kimlik bilgileri", "identity data"),
    "contact": ("iletişim bilgileri", "contact details"),
}


def _local(at: datetime) -> str:
    return at.astimezone(ISTANBUL).strftime("%d.%m.%Y %H:%M")


def deadline(store: Store, row: dict[str, Any]) -> datetime:
    """The first instant at which the Board's notification is late (detected + 72 hours)."""
    detected: datetime = row["detected_at"]
    hours = policy_at(store, detected).breach_notification_hours
    return detected + timedelta(hours=hours)


def describe(store: Store, row: dict[str, Any], at: datetime) -> dict[str, Any]:
    """A breach with its deadline, what is left of it, and the affected patients."""
    due = deadline(store, row)
    notified = row["board_notified_at"]
    patients = sorted(store.rows("breach_patient", breach=row["id"]), key=lambda p: p["patient"])
    return {
        "id": row["id"],
        "status": row["status"],
        "detected_at": row["detected_at"].isoformat(),
        "occurred_from": row["occurred_from"].isoformat() if row["occurred_from"] else None,
        "occurred_until": row["occurred_until"].isoformat() if row["occurred_until"] else None,
        "description": row["description"],
        "source": row["source"],
        "categories": row["categories"],
        "measures": row["measures"],
        "scope": row["scope"],
        "recorded_by": row["recorded_by"],
        "board_deadline": due.isoformat(),
        "hours_left": None if notified else round((due - at).total_seconds() / 3600, 2),
        "overdue": notified is None and at >= due,
        "board_notified_at": notified.isoformat() if notified else None,
        "late": notified is not None and notified >= due,
        "delay_reason": row["delay_reason"],
        "affected_patients": [p["patient"] for p in patients],
        "affected_records": sum(len(p["records"]) for p in patients),
        "patients_notified": sum(1 for p in patients if p["notified_at"]),
    }


def _get(store: Store, breach_id: int) -> dict[str, Any]:
    row = store.get("breach", breach_id)
    if row is None:
        raise NotFound("breach.unknown", f"unknown breach {breach_id}", field="breach")
    return row


def _open(store: Store, by: str, breach_id: int, at: datetime) -> dict[str, Any]:
    require(store, "person", by, "by")
    guard.require_dpo(store, by, at, "breach")
    row = _get(store, breach_id)
    if row["status"] == "closed":
        raise InputError("breach.closed", f"breach {breach_id} is closed", field="breach")
    return row


def _log(store: Store, by: str, action: str, at: datetime, breach_id: int, **detail: Any) -> None:
    audit.append(
        store,
        at=at,
        kind="admin",
        actor=by,
        action=action,
        outcome="accepted",
        basis="18/2",
        detail={"breach": breach_id, **detail},
    )


def _aware(value: datetime | None, name: str) -> datetime | None:
    return require_aware(value, name) if value is not None else None


def record_breach(
    m: Mahrem,
    by: str,
    *,
    detected_at: datetime,
    description: str,
    categories: list[str],
    occurred_from: datetime | None = None,
    occurred_until: datetime | None = None,
    source: str | None = None,
    measures: list[str] | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """M18/2 — enter a breach: when it was detected, what happened, which data, measures taken."""
    now = m.at(at)
    detected = require_aware(detected_at, "detected_at")
    if not description or not description.strip():
        raise InputError("field.missing", "description: say what happened", field="description")
    bad = set(categories) - set(CATEGORIES) - {"identity", "contact"}
    if not categories or bad:
        raise InputError(
            "field.invalid",
            f"categories: one or more of {sorted({*CATEGORIES, 'identity', 'contact'})}",
            field="categories",
        )
    if detected > now:
        raise InputError("field.invalid", "detected_at: in the future", field="detected_at")
    guard_dpo(m, by, now, "breach", "breach_recorded")
    with m.uow.write() as store:
        require(store, "person", by, "by")
        guard.require_dpo(store, by, now, "breach")
        bid = store.add(
            "breach",
            detected_at=detected,
            occurred_from=_aware(occurred_from, "occurred_from"),
            occurred_until=_aware(occurred_until, "occurred_until"),
            description=description.strip(),
            source=source,
            categories=sorted(set(categories)),
            measures=[{"at": now.isoformat(), "text": t} for t in measures or [] if t.strip()],
            recorded_by=by,
            recorded_at=now,
            status="open",
        )
        assert bid is not None
        _log(store, by, "breach_recorded", now, bid, detected_at=detected.isoformat())
        return describe(store, _get(store, bid), now)


def add_measure(
    m: Mahrem, by: str, breach_id: int, text: str, at: datetime | None = None
) -> dict[str, Any]:
    """A measure taken (KVKK 12/1), kept with its time."""
    now = m.at(at)
    if not text or not text.strip():
        raise InputError("field.missing", "text: the measure is required", field="text")
    guard_dpo(m, by, now, "breach", "breach_measure_added")
    with m.uow.write() as store:
        row = _open(store, by, breach_id, now)
        store.set(
            "breach",
            breach_id,
            measures=[*row["measures"], {"at": now.isoformat(), "text": text.strip()}],
        )
        _log(store, by, "breach_measure_added", now, breach_id)
        return describe(store, _get(store, breach_id), now)


def find_affected(
    m: Mahrem,
    by: str,
    breach_id: int,
    *,
    actor: str | None = None,
    via: str | None = None,
    facility: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    records: list[str] | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The patients whose records were disclosed within the scope, from the audit log: permitted
    decisions by `actor`, through installation `via`, from `facility`, in [since, until), on
    `records` (all given filters together). Run again with another scope to add patients;
    nobody is listed twice."""
    now = m.at(at)
    scope = {
        "actor": actor,
        "via": via,
        "facility": facility,
        "since": _aware(since, "since"),
        "until": _aware(until, "until"),
    }
    if not any(scope.values()) and not records:
        raise InputError(
            "breach.scope_missing",
            "give an actor, installation, facility, time window or records",
            field="scope",
        )
    guard_dpo(m, by, now, "breach", "breach_patients_found")
    with m.uow.write() as store:
        row = _open(store, by, breach_id, now)
        # Values typed Any: as str | datetime, mypy would check the spread against search's
        # limit and offset as well.
        match: dict[str, Any] = {k: v for k, v in scope.items() if v is not None}
        found: dict[str, set[str]] = {}
        for entry in store.audit.search(
            limit=10_000_000, kind="decision", outcome="permit", **match
        ):
            if entry["patient"] and entry["record"] and (not records or entry["record"] in records):
                found.setdefault(entry["patient"], set()).add(entry["record"])
        known = {p["patient"]: p for p in store.rows("breach_patient", breach=breach_id)}
        for patient, recs in found.items():
            if patient in known:
                store.set(
                    "breach_patient",
                    known[patient]["id"],
                    records=sorted({*known[patient]["records"], *recs}),
                )
            else:
                store.add(
                    "breach_patient",
                    breach=breach_id,
                    patient=patient,
                    records=sorted(recs),
                    found_at=now,
                )
        stored = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in match.items()}
        store.set(
            "breach",
            breach_id,
            scope=[*(row["scope"] or []), {**stored, "records": records or None}],
        )
        _log(store, by, "breach_patients_found", now, breach_id, patients=len(found), scope=stored)
        return describe(store, _get(store, breach_id), now)


def notify_board(
    m: Mahrem,
    by: str,
    breach_id: int,
    *,
    delay_reason: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The Board was notified (Veri İhlali Bildirim Formu). After the 72 hours the delay must be
    explained (Board decision 2019/10)."""
    now = m.at(at)
    guard_dpo(m, by, now, "breach", "breach_board_notified")
    with m.uow.write() as store:
        row = _open(store, by, breach_id, now)
        if row["board_notified_at"] is not None:
            raise InputError(
                "breach.already_notified",
                f"breach {breach_id}: the Board was already notified",
                field="breach",
            )
        late = now >= deadline(store, row)
        if late and not (delay_reason and delay_reason.strip()):
            raise InputError(
                "breach.delay_reason_missing",
                "delay_reason: a notification after 72 hours must say why it is late",
                field="delay_reason",
            )
        store.set(
            "breach",
            breach_id,
            status="notified",
            board_notified_at=now,
            delay_reason=delay_reason.strip() if late and delay_reason else None,
        )
        _log(store, by, "breach_board_notified", now, breach_id, late=late)
        return describe(store, _get(store, breach_id), now)


def patients_notified(
    m: Mahrem, by: str, breach_id: int, at: datetime | None = None
) -> dict[str, Any]:
    """KVKK 12/5 — the affected patients were sent their notice."""
    now = m.at(at)
    guard_dpo(m, by, now, "breach", "breach_patients_notified")
    with m.uow.write() as store:
        _open(store, by, breach_id, now)
        for p in store.rows("breach_patient", breach=breach_id, notified_at=None):
            store.set("breach_patient", p["id"], notified_at=now)
        _log(store, by, "breach_patients_notified", now, breach_id)
        return describe(store, _get(store, breach_id), now)


def close_breach(m: Mahrem, by: str, breach_id: int, at: datetime | None = None) -> dict[str, Any]:
    """Close a breach once the Board was notified."""
    now = m.at(at)
    guard_dpo(m, by, now, "breach", "breach_closed")
    with m.uow.write() as store:
        row = _open(store, by, breach_id, now)
        if row["board_notified_at"] is None:
            raise InputError(
                "breach.not_notified", "notify the Board before closing the breach", field="breach"
            )
        store.set("breach", breach_id, status="closed", closed_at=now)
        _log(store, by, "breach_closed", now, breach_id)
        return describe(store, _get(store, breach_id), now)


def get_breach(m: Mahrem, by: str, breach_id: int, at: datetime | None = None) -> dict[str, Any]:
    now = m.at(at)
    guard_dpo(m, by, now, "breach", "breach_register_read")
    with m.uow.read() as store:
        guard.require_dpo(store, by, now, "breach")
        return describe(store, _get(store, breach_id), now)


def list_breaches(
    m: Mahrem,
    by: str,
    *,
    overdue: bool | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
    at: datetime | None = None,
) -> list[dict[str, Any]]:
    """The register, newest detection first; `overdue` keeps only those past the 72 hours."""
    now = m.at(at)
    guard_dpo(m, by, now, "breach", "breach_register_read")
    with m.uow.read() as store:
        guard.require_dpo(store, by, now, "breach")
        rows = sorted(
            store.rows("breach", **({"status": status} if status else {})),
            key=lambda r: (r["detected_at"], r["id"]),
            reverse=True,
        )
        out = [describe(store, r, now) for r in rows]
    return [b for b in out if overdue is None or b["overdue"] == overdue][offset : offset + limit]
