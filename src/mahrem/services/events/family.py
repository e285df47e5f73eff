"""Family and representation (M8–M11): parenthood and custody, a child's restriction of its
parents and its grants (M8/1), the relatives a patient authorises (M9/1), a lawyer's power of
attorney (M10/1), and death and the heirs of an inheritance certificate (M11/1). The ages that
decide (discernment, majority) come from the policy in force (TMK 16)."""

from __future__ import annotations

from mahrem.domain.categories import CATEGORIES
from mahrem.domain.errors import InputError
from mahrem.services.events.core import (
    EventContext,
    begin,
    handles,
    has_reached,
    person_field,
    set_preference,
)
from mahrem.services.events.outcome import ACCEPTED, EventOutcome, rejected
from mahrem.services.inputs import Fields
from mahrem.services.lookup import require, require_new


@handles("parent_of")
def parent_of(ctx: EventContext, f: Fields) -> EventOutcome:
    parent, child = person_field(ctx, f, "parent"), person_field(ctx, f, "child")
    if parent == child:
        raise InputError(
            "field.invalid",
            f"{f.where}.child: a person is not their own parent",
            field=f"{f.where}.child",
        )
    if not ctx.store.open_rows("parent_link", ctx.at, parent=parent, child=child):
        begin(ctx, "parent_link", parent=parent, child=child)
    return ACCEPTED


@handles("custody_assigned")
def custody_assigned(ctx: EventContext, f: Fields) -> EventOutcome:
    child, custodian = person_field(ctx, f, "child"), person_field(ctx, f, "custodian")
    ctx.store.end("custody", ctx.at, child=child)
    begin(ctx, "custody", child=child, custodian=custodian)
    return ACCEPTED


@handles("parental_access_restricted")
def parental_access_restricted(ctx: EventContext, f: Fields) -> EventOutcome:
    """M8/1 — a child who has reached the age of discernment may make parents ask first."""
    child = person_field(ctx, f, "child")
    if not has_reached(ctx, child, ctx.policy.discernment_age):
        return rejected("8/1", "event.child_under_discernment")
    set_preference(ctx, child, "parental_restriction", True)
    return ACCEPTED


@handles("parental_access_granted")
def parental_access_granted(ctx: EventContext, f: Fields) -> EventOutcome:
    child, parent = person_field(ctx, f, "child"), person_field(ctx, f, "parent")
    if not ctx.store.open_rows("parent_link", ctx.at, parent=parent, child=child):
        return rejected("8/1", "event.not_parent")
    set_preference(ctx, child, "parental_grant", True, person=parent)
    return ACCEPTED


@handles("relative_authorized")
def relative_authorized(ctx: EventContext, f: Fields) -> EventOutcome:
    """M9/1 with TMK 16/2 — from the discernment age a child names, alone, who may know of its
    health (a strictly personal right, as M8/1 lets it restrict its parents); below that age it
    names nobody: its parents have access under M8/1."""
    patient, relative = person_field(ctx, f, "patient"), person_field(ctx, f, "relative")
    categories = f.str_list("categories", CATEGORIES)
    until = f.opt_date("until")
    if not has_reached(ctx, patient, ctx.policy.discernment_age):
        return rejected("9/1", "event.patient_under_discernment")
    ctx.store.end("relative_authorization", ctx.at, patient=patient, relative=relative)
    begin(
        ctx,
        "relative_authorization",
        patient=patient,
        relative=relative,
        categories=categories,
        until=until,
    )
    return ACCEPTED


@handles("relative_authorization_revoked")
def relative_authorization_revoked(ctx: EventContext, f: Fields) -> EventOutcome:
    ctx.store.end(
        "relative_authorization",
        ctx.at,
        patient=person_field(ctx, f, "patient"),
        relative=person_field(ctx, f, "relative"),
    )
    return ACCEPTED


@handles("power_of_attorney")
def power_of_attorney(ctx: EventContext, f: Fields) -> EventOutcome:
    """M10/1 with TMK 16/1 — a mandate creates obligations, so a client under 18 needs the legal
    representative's consent; that consent is not modelled, so such a power is refused."""
    pid = require_new(ctx.store, "power_of_attorney", f.str("id"), f"{f.where}.id")
    lawyer, client = person_field(ctx, f, "lawyer"), person_field(ctx, f, "client")
    kind, consent = f.str("kind", ("general", "special")), f.bool("health_data_consent")
    valid_until = f.opt_date("valid_until")
    if not has_reached(ctx, client, ctx.policy.majority_age):
        return rejected("10/1", "event.client_minor")
    ctx.store.add(
        "power_of_attorney",
        id=pid,
        lawyer=lawyer,
        client=client,
        kind=kind,
        health_data_consent=consent,
        valid_until=valid_until,
        valid_from=ctx.at,
    )
    return ACCEPTED


@handles("power_of_attorney_revoked")
def power_of_attorney_revoked(ctx: EventContext, f: Fields) -> EventOutcome:
    pid = require(ctx.store, "power_of_attorney", f.str("id"), f"{f.where}.id")
    row = ctx.store.get("power_of_attorney", pid)
    if row is not None and row["valid_to"] is None:
        ctx.store.set("power_of_attorney", pid, valid_to=ctx.at)
    return ACCEPTED


@handles("death")
def death(ctx: EventContext, f: Fields) -> EventOutcome:
    patient = person_field(ctx, f, "patient")
    if ctx.store.exists("death", patient):
        raise InputError(
            "person.deceased",
            f"{f.where}.patient: death already recorded",
            field=f"{f.where}.patient",
        )
    # A death learnt late (a hospital's data, issue 19) keeps both times: when it was true
    # (`died_at`, not after now) and when Mahrem learnt it (the event's time).
    died_at = f.datetime("died_at") if f.has("died_at") else ctx.at
    if died_at > ctx.at:
        raise InputError(
            "field.invalid",
            f"{f.where}.died_at: a death is recorded once it has happened",
            field=f"{f.where}.died_at",
        )
    ctx.store.add("death", patient=patient, died_at=died_at, recorded_at=ctx.at)
    return ACCEPTED


@handles("inheritance_certificate")
def inheritance_certificate(ctx: EventContext, f: Fields) -> EventOutcome:
    """M11/1 — heirs named in a veraset ilamı; there is no certificate before the death."""
    deceased = person_field(ctx, f, "deceased")
    heirs = f.str_list("heirs")
    if not heirs:
        raise InputError(
            "field.missing", f"{f.where}.heirs: at least one heir", field=f"{f.where}.heirs"
        )
    for i, heir in enumerate(heirs):
        require(ctx.store, "person", heir, f"{f.where}.heirs[{i}]")
    person = ctx.store.person(deceased)
    if person is None or person.alive_at(ctx.at):
        return rejected("11/1", "event.not_deceased")
    for heir in heirs:
        ctx.store.add("inheritance_heir", deceased=deceased, heir=heir, recorded_at=ctx.at)
    return ACCEPTED
