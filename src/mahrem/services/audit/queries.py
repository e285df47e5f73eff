"""Reading the audit trail (C5, KVKK art. 11): who saw my data, as the patient (or a parent)
sees it; the data protection officer's search; and the officer's export (CSV, FHIR)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mahrem.services.audit import transparency
from mahrem.services.policies import policy_at
from mahrem.services.ports import Mahrem


def access_log(
    m: Mahrem,
    viewer: str,
    patient: str,
    lang: str = "tr",
    at: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Who read or tried to read the patient's data, as the patient (or a parent) sees it."""
    when = m.at(at)
    with m.uow.read() as store:
        return transparency.access_log(
            store, viewer, patient, when, policy_at(store, when), lang, limit, offset
        )


def search_log(
    m: Mahrem,
    viewer: str,
    filters: dict[str, Any],
    limit: int = 100,
    offset: int = 0,
    at: datetime | None = None,
) -> list[dict[str, Any]]:
    """The data protection officer's search of the audit log (only a dpo may search)."""
    with m.uow.read() as store:
        return transparency.search(store, viewer, m.at(at), filters, limit, offset)


def export_log(
    m: Mahrem,
    viewer: str,
    filters: dict[str, Any],
    fmt: str,
    limit: int = 10000,
    at: datetime | None = None,
) -> str | dict[str, Any]:
    """The DPO's export as CSV text or a FHIR Bundle of AuditEvents."""
    with m.uow.read() as store:
        entries = transparency.search(store, viewer, m.at(at), filters, limit, 0)
        if fmt == "csv":
            return transparency.to_csv(entries)
        return transparency.to_bundle(store, entries)
