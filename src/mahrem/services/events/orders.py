"""Orders and the staff registry (M7/1, M12, ÇKYS): staff posts an officer enters from the
Ministry's staff registry, a court's concealment order and its lifting (M12), and the unit head's
request for, GM's grant of and the end of a ministry user's re-identification authority (M7/1).
Each is refused unless the officer acting holds the role the article names."""

from __future__ import annotations

from datetime import datetime

from mahrem.domain.roles import STAFF_ROLES
from mahrem.services.events.core import (
    EventContext,
    begin,
    handles,
    is_officer,
    opt_person_field,
    person_field,
    province_of,
)
from mahrem.services.events.outcome import ACCEPTED, EventOutcome, rejected
from mahrem.services.inputs import Fields
from mahrem.services.lookup import require


@handles("staff_post_assigned")
def staff_post_assigned(ctx: EventContext, f: Fields) -> EventOutcome:
    """Staff posts come from the Ministry's staff registry (ÇKYS) through an officer of the
    facility's province or of the General Directorate, never from a hospital's push: a post is
    what lets an installation key act for a person (issue 14) and what M6/1-M6/3 rest on."""
    person, by = person_field(ctx, f, "person"), person_field(ctx, f, "by")
    facility = require(ctx.store, "facility", f.str("facility"), f"{f.where}.facility")
    role, specialty = f.str("role", STAFF_ROLES), f.opt_str("specialty")
    if not _registry_officer(ctx, by, facility):
        return rejected("6/1", "event.not_registry_officer")
    ctx.store.end(
        "staff_post", ctx.at, person=person, facility=facility
    )  # a new post replaces the old
    begin(ctx, "staff_post", person=person, facility=facility, role=role, specialty=specialty)
    return ACCEPTED


@handles("staff_post_ended")
def staff_post_ended(ctx: EventContext, f: Fields) -> EventOutcome:
    """The staff registry (ÇKYS) ends a person's post at a facility from the event's time on."""
    person, by = person_field(ctx, f, "person"), person_field(ctx, f, "by")
    facility = require(ctx.store, "facility", f.str("facility"), f"{f.where}.facility")
    if not _registry_officer(ctx, by, facility):
        return rejected("6/1", "event.not_registry_officer")
    ctx.store.end("staff_post", ctx.at, person=person, facility=facility)
    return ACCEPTED


def _registry_officer(ctx: EventContext, by: str, facility: str) -> bool:
    return is_officer(ctx, by, "gm_officer") or is_officer(
        ctx, by, "province_officer", province_of(ctx, facility)
    )


@handles("concealment_order")
def concealment_order(ctx: EventContext, f: Fields) -> EventOutcome:
    patient = person_field(ctx, f, "patient")
    named = f.str_list("need_to_know")
    for i, officer in enumerate(named):
        require(ctx.store, "person", officer, f"{f.where}.need_to_know[{i}]")
    by = opt_person_field(ctx, f, "by")
    begin(
        ctx,
        "concealment_order",
        patient=patient,
        court=f.str("court"),
        need_to_know=named,
        ordered_by=by,
    )
    return ACCEPTED


@handles("concealment_lifted")
def concealment_lifted(ctx: EventContext, f: Fields) -> EventOutcome:
    """M12 — a court lifts its own order (naming the court ends only that court's orders;
    without, every order of the patient ends). The provincial directorate that executed an order
    lifts it: an officer of another province is refused `12/1` (issue 21)."""
    patient, by = person_field(ctx, f, "patient"), opt_person_field(ctx, f, "by")
    court = f.opt_str("court")
    match = {"patient": patient} if court is None else {"patient": patient, "court": court}
    orders = ctx.store.open_rows("concealment_order", ctx.at, **match)
    if by is not None and any(not _same_province(ctx, o, by) for o in orders):
        return rejected("12/1", "event.other_province")
    for order in orders:
        ctx.store.set("concealment_order", order["id"], valid_to=ctx.at, lifted_by=by)
    return ACCEPTED


def _same_province(ctx: EventContext, order: dict[str, object], by: str) -> bool:
    """Whether `by` is a province officer of the province whose officer executed the order,
    as it was then (an order loaded by an operator, with no officer, binds no province)."""
    if order["ordered_by"] is None:
        return True
    executed = order["valid_from"]
    assert isinstance(executed, datetime)
    provinces = {
        r["province"]
        for r in ctx.store.open_rows("officer_role", executed, person=order["ordered_by"])
        if r["role"] == "province_officer"
    }
    return any(is_officer(ctx, by, "province_officer", p) for p in provinces)


@handles("reidentification_requested")
def reidentification_requested(ctx: EventContext, f: Fields) -> EventOutcome:
    """M7/1 — the unit head asks GM to authorise one of the unit's users ("Genel Müdürlükten
    bu kişilerin yetkilendirilmesini talep eder")."""
    user, by = person_field(ctx, f, "user"), person_field(ctx, f, "by")
    unit = require(ctx.store, "unit", f.str("unit"), f"{f.where}.unit")
    heads = ctx.store.open_rows("officer_role", ctx.at, person=by, role="unit_head")
    if not any(r["unit"] == unit for r in heads):
        return rejected("7/1", "event.not_unit_head")
    roles = ctx.store.open_rows("officer_role", ctx.at, person=user, role="ministry_user")
    if not any(r["unit"] == unit for r in roles):
        return rejected("7/1", "event.unit_not_users")
    ctx.store.add(
        "reidentification_request", user=user, unit=unit, requested_by=by, requested_at=ctx.at
    )
    return ACCEPTED


@handles("reidentification_authorized")
def reidentification_authorized(ctx: EventContext, f: Fields) -> EventOutcome:
    """M7/1 — GM authorises ministry users, at most three per unit."""
    user, by = person_field(ctx, f, "user"), person_field(ctx, f, "by")
    unit = require(ctx.store, "unit", f.str("unit"), f"{f.where}.unit")
    if not is_officer(ctx, by, "gm_officer"):
        return rejected("7/1", "event.not_gm_officer")
    roles = ctx.store.open_rows("officer_role", ctx.at, person=user, role="ministry_user")
    if not any(r["unit"] == unit for r in roles):
        return rejected("7/1", "event.unit_not_users")
    active = ctx.store.open_rows("reidentification_authorization", ctx.at, unit=unit)
    if len(active) >= ctx.policy.max_reidentifiers_per_unit:
        return rejected("7/1", "event.unit_full")
    ctx.store.end("reidentification_authorization", ctx.at, user=user)
    begin(ctx, "reidentification_authorization", user=user, unit=unit, granted_by=by)
    # The grant answers the unit head's pending request, where there is one; the scenario
    # vocabulary lets GM grant without one, so a request is recorded but not required.
    for request in ctx.store.rows(
        "reidentification_request", user=user, unit=unit, granted_at=None
    ):
        ctx.store.set("reidentification_request", request["id"], granted_at=ctx.at)
    return ACCEPTED


@handles("reidentification_authorization_revoked")
def reidentification_authorization_revoked(ctx: EventContext, f: Fields) -> EventOutcome:
    ctx.store.end("reidentification_authorization", ctx.at, user=person_field(ctx, f, "user"))
    return ACCEPTED
