"""Care events (M6/1, M6/3): the family doctor registered or deregistered, an appointment booked
or completed, a check-in, an admission and a discharge, and a record created. These are the
episodes M6/1 and M6/3 rest on — a physician reaches a patient's records through the treatment
in progress — so each opens or closes an episode at the event's time; hospital software reports
them for its own facility (events/reporters.py)."""

from __future__ import annotations

from mahrem.domain.errors import InputError
from mahrem.services.events.core import EventContext, begin, handles, person_field
from mahrem.services.events.outcome import ACCEPTED, EventOutcome
from mahrem.services.inputs import Fields
from mahrem.services.lookup import require, require_new
from mahrem.services.records import add_record


@handles("family_doctor_registered")
def family_doctor_registered(ctx: EventContext, f: Fields) -> EventOutcome:
    patient, physician = person_field(ctx, f, "patient"), person_field(ctx, f, "physician")
    ctx.store.end("family_doctor", ctx.at, patient=patient)  # a new registration replaces the old
    begin(ctx, "family_doctor", patient=patient, physician=physician)
    return ACCEPTED


@handles("family_doctor_deregistered")
def family_doctor_deregistered(ctx: EventContext, f: Fields) -> EventOutcome:
    ctx.store.end("family_doctor", ctx.at, patient=person_field(ctx, f, "patient"))
    return ACCEPTED


@handles("appointment_booked")
def appointment_booked(ctx: EventContext, f: Fields) -> EventOutcome:
    ctx.store.add(
        "episode",
        id=require_new(ctx.store, "episode", f.str("id"), f"{f.where}.id"),
        kind="appointment",
        patient=person_field(ctx, f, "patient"),
        physician=person_field(ctx, f, "physician"),
        facility=require(ctx.store, "facility", f.str("facility"), f"{f.where}.facility"),
        day=f.date("date"),
        started_at=ctx.at,
    )
    return ACCEPTED


@handles("check_in", "admitted")
def episode_opened(ctx: EventContext, f: Fields) -> EventOutcome:
    kind = "check_in" if f.data.get("type") == "check_in" else "admission"
    ctx.store.add(
        "episode",
        id=require_new(ctx.store, "episode", f.str("id"), f"{f.where}.id"),
        kind=kind,
        patient=person_field(ctx, f, "patient"),
        facility=require(ctx.store, "facility", f.str("facility"), f"{f.where}.facility"),
        started_at=ctx.at,
    )
    return ACCEPTED


@handles("appointment_completed", "discharged")
def episode_closed(ctx: EventContext, f: Fields) -> EventOutcome:
    expected = "appointment" if f.data.get("type") == "appointment_completed" else "admission"
    eid = require(ctx.store, "episode", f.str("id"), f"{f.where}.id")
    row = ctx.store.get("episode", eid)
    assert row is not None
    if row["kind"] != expected:
        raise InputError(
            "episode.kind", f"{f.where}.id: {eid!r} is not an {expected}", field=f"{f.where}.id"
        )
    if row["ended_at"] is not None:
        raise InputError(
            "episode.closed", f"{f.where}.id: {eid!r} is already closed", field=f"{f.where}.id"
        )
    ctx.store.set("episode", eid, ended_at=ctx.at)
    return ACCEPTED


@handles("record_created")
def record_created(ctx: EventContext, f: Fields) -> EventOutcome:
    add_record(ctx.store, f.data.get("record"), f"{f.where}.record", ctx.at, ctx.policy, ctx.keys)
    return ACCEPTED
