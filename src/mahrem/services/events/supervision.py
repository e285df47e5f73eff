"""What the directorates record (M13, KTS): the correction cutoff GM sets (M13/3), a patient's
correction request and the provincial directorate's forwarding of it to GM (M13/1), the
provincial written opinion for an analysis (KTS/2), an installation's registered, suspended or
revoked status, and a signed data protocol. Officers act only for their own province."""

from __future__ import annotations

from mahrem.domain.categories import CATEGORIES
from mahrem.domain.errors import InputError
from mahrem.services.events.core import (
    EventContext,
    begin,
    handles,
    is_officer,
    person_field,
    province_of,
)
from mahrem.services.events.outcome import ACCEPTED, EventOutcome, rejected
from mahrem.services.inputs import Fields
from mahrem.services.lookup import require, require_new, require_record_of

SOFTWARE_STATUS_EVENTS = {
    "software_registered": "registered",
    "software_suspended": "suspended",
    "software_revoked": "revoked",
}


@handles("correction_cutoff_set")
def correction_cutoff_set(ctx: EventContext, f: Fields) -> EventOutcome:
    """M13/3 — the General Directorate sets the date from which facilities correct."""
    day, by = f.date("date"), person_field(ctx, f, "by")
    if not is_officer(ctx, by, "gm_officer"):
        return rejected("13/3", "event.not_gm_officer")
    ctx.store.end("correction_cutoff", ctx.at)
    begin(ctx, "correction_cutoff", cutoff_date=day, set_by=by)
    return ACCEPTED


@handles("correction_requested")
def correction_requested(ctx: EventContext, f: Fields) -> EventOutcome:
    patient = person_field(ctx, f, "patient")
    ctx.store.add(
        "correction_request",
        id=require_new(ctx.store, "correction_request", f.str("id"), f"{f.where}.id"),
        patient=patient,
        record=require_record_of(ctx.store, f.str("record"), patient, f"{f.where}.record"),
        reason=f.str("reason"),
        requested_at=ctx.at,
    )
    ctx.store.add("correction_status", request=f.str("id"), status="filed", at=ctx.at, by=patient)
    return ACCEPTED


@handles("correction_forwarded")
def correction_forwarded(ctx: EventContext, f: Fields) -> EventOutcome:
    """M13/1 — the provincial directorate of the record's facility forwards to GM."""
    cid = require(ctx.store, "correction_request", f.str("id"), f"{f.where}.id")
    by = person_field(ctx, f, "by")
    request = ctx.store.get("correction_request", cid)
    assert request is not None
    meta = ctx.store.record_meta(request["record"])
    assert meta is not None
    if not is_officer(ctx, by, "province_officer", province_of(ctx, meta.facility)):
        return rejected("13/1", "event.not_province_officer")
    statuses = sorted(
        ctx.store.rows("correction_status", request=cid), key=lambda r: (r["at"], r["id"])
    )
    if statuses and statuses[-1]["status"] in ("rejected", "corrected", "forwarded"):
        raise InputError(
            "correction.closed",
            f"{f.where}.id: request {cid!r} is already {statuses[-1]['status']}",
            field=f"{f.where}.id",
        )
    ctx.store.set("correction_request", cid, forwarded_at=ctx.at, forwarded_by=by)
    ctx.store.add("correction_status", request=cid, status="forwarded", at=ctx.at, by=by)
    return ACCEPTED


@handles("written_opinion_issued")
def written_opinion_issued(ctx: EventContext, f: Fields) -> EventOutcome:
    """KTS/2 — the provincial health directorate's written opinion for an analysis."""
    oid = require_new(ctx.store, "written_opinion", f.str("id"), f"{f.where}.id")
    software = require(ctx.store, "installation", f.str("software"), f"{f.where}.software")
    facility = require(ctx.store, "facility", f.str("facility"), f"{f.where}.facility")
    purpose, valid_until, by = f.str("purpose"), f.date("valid_until"), person_field(ctx, f, "by")
    if not is_officer(ctx, by, "province_officer", province_of(ctx, facility)):
        return rejected("KTS/2", "event.not_province_officer")
    ctx.store.add(
        "written_opinion",
        id=oid,
        installation=software,
        facility=facility,
        purpose=purpose,
        issued_by=by,
        valid_until=valid_until,
        issued_at=ctx.at,
    )
    return ACCEPTED


@handles("written_opinion_revoked")
def written_opinion_revoked(ctx: EventContext, f: Fields) -> EventOutcome:
    oid = require(ctx.store, "written_opinion", f.str("id"), f"{f.where}.id")
    by = person_field(ctx, f, "by")
    row = ctx.store.get("written_opinion", oid)
    assert row is not None
    if not is_officer(ctx, by, "province_officer", province_of(ctx, row["facility"])):
        return rejected("KTS/2", "event.not_province_officer")
    if row["revoked_at"] is None:
        ctx.store.set("written_opinion", oid, revoked_at=ctx.at, revoked_by=by)
    return ACCEPTED


@handles(*SOFTWARE_STATUS_EVENTS)
def software_status(ctx: EventContext, f: Fields) -> EventOutcome:
    software = require(ctx.store, "installation", f.str("software"), f"{f.where}.software")
    ctx.store.end("installation_status", ctx.at, installation=software)
    begin(
        ctx,
        "installation_status",
        installation=software,
        status=SOFTWARE_STATUS_EVENTS[f.data["type"]],
    )
    return ACCEPTED


@handles("protocol_signed")
def protocol_signed(ctx: EventContext, f: Fields) -> EventOutcome:
    ctx.store.add(
        "protocol",
        id=require_new(ctx.store, "protocol", f.str("id"), f"{f.where}.id"),
        institution=f.str("institution"),
        categories=f.str_list("categories", CATEGORIES),
        signed_at=ctx.at,
    )
    return ACCEPTED
