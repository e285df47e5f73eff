"""M5/8 — the privacy notice (aydınlatma metni): published versions, the one in force, and who
was shown which version when (the controller must be able to prove it informed the person)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain.errors import Forbidden, InputError, NotFound
from mahrem.services import audit
from mahrem.services.lookup import require
from mahrem.services.ports import Store
from mahrem.services.rights.applications import _answerer

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem


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
    texts = notice_texts(
        {"title_tr": title_tr, "title_en": title_en, "body_tr": body_tr, "body_en": body_en}
    )
    with m.uow.write() as store:
        require(store, "person", by, "by")
        if not _answerer(store, by, now):
            raise Forbidden(
                "notice.forbidden", "only the data protection officer or GM publishes notices"
            )
        version = add_notice(store, by, now, texts)
        row = store.get("notice", version)
        assert row is not None
        return _notice(row)


NOTICE_FIELDS = ("title_tr", "title_en", "body_tr", "body_en")


def notice_texts(texts: object, where: str = "") -> dict[str, str]:
    """The four texts of a notice (Turkish and English title and body), each required."""
    given = texts if isinstance(texts, dict) else {}
    out = {}
    for name in NOTICE_FIELDS:
        text = given.get(name)
        if not isinstance(text, str) or not text.strip():
            raise InputError("field.missing", f"{where}{name}: required", field=f"{where}{name}")
        out[name] = text
    return out


def add_notice(store: Store, by: str, now: datetime, texts: dict[str, str]) -> int:
    """Publish the next notice version in the caller's unit of work; its number."""
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
    return version


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
