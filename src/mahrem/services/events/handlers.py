"""Events: things that happen (a check-in, a preference, a court order). Each handler validates
its input (InputError changes nothing), applies the law's refusals (SPEC.md, "Events the law
refuses") and writes the new facts with their start time; ending a fact closes its interval."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from mahrem.domain.categories import CATEGORIES
from mahrem.domain.clock import has_reached_age
from mahrem.domain.errors import InputError
from mahrem.domain.policy import Policy
from mahrem.domain.roles import STAFF_ROLES
from mahrem.services.access import enter_code, request_code
from mahrem.services.events.outcome import ACCEPTED, EventOutcome, rejected
from mahrem.services.inputs import Fields
from mahrem.services.lookup import require, require_new, require_record_of
from mahrem.services.ports import KeyStore, SmsGateway, Store
from mahrem.services.records import add_record

SOFTWARE_STATUS_EVENTS = {
    "software_registered": "registered",
    "software_suspended": "suspended",
    "software_revoked": "revoked",
}


@dataclass(frozen=True, slots=True)
class EventContext:
    store: Store
    keys: KeyStore
    sms: SmsGateway
    policy: Policy
    at: datetime


Handler = Callable[[EventContext, Fields], EventOutcome]
HANDLERS: dict[str, Handler] = {}


def handles(*types: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for t in types:
            HANDLERS[t] = fn
        return fn

    return register


def _person(ctx: EventContext, f: Fields, key: str) -> str:
    return require(ctx.store, "person", f.str(key), f"{f.where}.{key}")


def _opt_person(ctx: EventContext, f: Fields, key: str) -> str | None:
    value = f.opt_str(key)
    return None if value is None else require(ctx.store, "person", value, f"{f.where}.{key}")


def _officer(ctx: EventContext, person: str, role: str, province: str | None = None) -> bool:
    return any(
        r["role"] == role and (province is None or r["province"] == province)
        for r in ctx.store.open_rows("officer_role", ctx.at, person=person)
    )


def _begin(ctx: EventContext, kind: str, /, **values: object) -> None:
    ctx.store.add(kind, valid_from=ctx.at, **values)


# -- episodes (M6/1, M6/3) ----------------------------------------------------------------
@handles("family_doctor_registered")
def family_doctor_registered(ctx: EventContext, f: Fields) -> EventOutcome:
    patient, physician = _person(ctx, f, "patient"), _person(ctx, f, "physician")
    ctx.store.end("family_doctor", ctx.at, patient=patient)  # a new registration replaces the old
    _begin(ctx, "family_doctor", patient=patient, physician=physician)
    return ACCEPTED


@handles("family_doctor_deregistered")
def family_doctor_deregistered(ctx: EventContext, f: Fields) -> EventOutcome:
    ctx.store.end("family_doctor", ctx.at, patient=_person(ctx, f, "patient"))
    return ACCEPTED


@handles("appointment_booked")
def appointment_booked(ctx: EventContext, f: Fields) -> EventOutcome:
    ctx.store.add(
        "episode",
        id=require_new(ctx.store, "episode", f.str("id"), f"{f.where}.id"),
        kind="appointment",
        patient=_person(ctx, f, "patient"),
        physician=_person(ctx, f, "physician"),
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
        patient=_person(ctx, f, "patient"),
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


# -- preferences (M6/2, M6/5, M8/1) -----------------------------------------------------------
def _set_preference(
    ctx: EventContext, patient: str, kind: str, on: bool, /, **match: object
) -> None:
    open_rows = ctx.store.open_rows("preference", ctx.at, patient=patient, kind=kind, **match)
    if on and not open_rows:
        _begin(ctx, "preference", patient=patient, kind=kind, **match)
    elif not on:
        ctx.store.end("preference", ctx.at, patient=patient, kind=kind, **match)


@handles("enabiz_account_opened")
def enabiz_account_opened(ctx: EventContext, f: Fields) -> EventOutcome:
    _set_preference(ctx, _person(ctx, f, "patient"), "enabiz_account", True)
    return ACCEPTED


@handles("record_hidden", "record_unhidden")
def record_hidden(ctx: EventContext, f: Fields) -> EventOutcome:
    patient = _person(ctx, f, "patient")
    record = require_record_of(ctx.store, f.str("record"), patient, f"{f.where}.record")
    _set_preference(ctx, patient, "record_hidden", f.data["type"] == "record_hidden", record=record)
    return ACCEPTED


@handles("history_locked", "history_unlocked")
def history_locked(ctx: EventContext, f: Fields) -> EventOutcome:
    _set_preference(
        ctx, _person(ctx, f, "patient"), "history_locked", f.data["type"] == "history_locked"
    )
    return ACCEPTED


@handles("code_requested")
def code_requested(ctx: EventContext, f: Fields) -> EventOutcome:
    physician, patient = _person(ctx, f, "physician"), _person(ctx, f, "patient")
    if not any(
        p["role"] == "physician"
        for p in ctx.store.open_rows("staff_post", ctx.at, person=physician)
    ):
        return rejected("6/5", "code.not_physician")
    phone = (ctx.store.get("person", patient) or {}).get("phone")
    outcome = request_code(
        ctx.store, ctx.keys, ctx.sms, ctx.policy, physician, patient, phone, ctx.at
    )
    return ACCEPTED if outcome.accepted else rejected("6/5", outcome.reason)


@handles("code_entered")
def code_entered(ctx: EventContext, f: Fields) -> EventOutcome:
    physician, patient = _person(ctx, f, "physician"), _person(ctx, f, "patient")
    value = f.data.get("code")
    if not isinstance(value, str):
        raise InputError(
            "field.invalid", f"{f.where}.code: expected a string", field=f"{f.where}.code"
        )
    outcome = enter_code(ctx.store, ctx.keys, ctx.policy, physician, patient, value, ctx.at)
    return ACCEPTED if outcome.accepted else rejected("6/5", outcome.reason)


# -- family (M8–M11) ----------------------------------------------------------------------
@handles("parent_of")
def parent_of(ctx: EventContext, f: Fields) -> EventOutcome:
    parent, child = _person(ctx, f, "parent"), _person(ctx, f, "child")
    if parent == child:
        raise InputError(
            "field.invalid",
            f"{f.where}.child: a person is not their own parent",
            field=f"{f.where}.child",
        )
    if not ctx.store.open_rows("parent_link", ctx.at, parent=parent, child=child):
        _begin(ctx, "parent_link", parent=parent, child=child)
    return ACCEPTED


@handles("custody_assigned")
def custody_assigned(ctx: EventContext, f: Fields) -> EventOutcome:
    child, custodian = _person(ctx, f, "child"), _person(ctx, f, "custodian")
    ctx.store.end("custody", ctx.at, child=child)
    _begin(ctx, "custody", child=child, custodian=custodian)
    return ACCEPTED


@handles("parental_access_restricted")
def parental_access_restricted(ctx: EventContext, f: Fields) -> EventOutcome:
    """M8/1 — a child who has reached the age of discernment may make parents ask first."""
    child = _person(ctx, f, "child")
    if not _has_reached(ctx, child, ctx.policy.discernment_age):
        return rejected("8/1", "event.child_under_discernment")
    _set_preference(ctx, child, "parental_restriction", True)
    return ACCEPTED


@handles("parental_access_granted")
def parental_access_granted(ctx: EventContext, f: Fields) -> EventOutcome:
    child, parent = _person(ctx, f, "child"), _person(ctx, f, "parent")
    if not ctx.store.open_rows("parent_link", ctx.at, parent=parent, child=child):
        return rejected("8/1", "event.not_parent")
    _set_preference(ctx, child, "parental_grant", True, person=parent)
    return ACCEPTED


def _has_reached(ctx: EventContext, pid: str, years: int) -> bool:
    person = ctx.store.person(pid)
    assert person is not None
    return has_reached_age(person.birth_date, years, ctx.at)


@handles("relative_authorized")
def relative_authorized(ctx: EventContext, f: Fields) -> EventOutcome:
    """M9/1 with TMK 16/2 — from the discernment age a child names, alone, who may know of its
    health (a strictly personal right, as M8/1 lets it restrict its parents); below that age it
    names nobody: its parents have access under M8/1."""
    patient, relative = _person(ctx, f, "patient"), _person(ctx, f, "relative")
    categories = f.str_list("categories", CATEGORIES)
    until = f.opt_date("until")
    if not _has_reached(ctx, patient, ctx.policy.discernment_age):
        return rejected("9/1", "event.patient_under_discernment")
    ctx.store.end("relative_authorization", ctx.at, patient=patient, relative=relative)
    _begin(
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
        patient=_person(ctx, f, "patient"),
        relative=_person(ctx, f, "relative"),
    )
    return ACCEPTED


@handles("power_of_attorney")
def power_of_attorney(ctx: EventContext, f: Fields) -> EventOutcome:
    """M10/1 with TMK 16/1 — a mandate creates obligations, so a client under 18 needs the legal
    representative's consent; that consent is not modelled, so such a power is refused."""
    pid = require_new(ctx.store, "power_of_attorney", f.str("id"), f"{f.where}.id")
    lawyer, client = _person(ctx, f, "lawyer"), _person(ctx, f, "client")
    kind, consent = f.str("kind", ("general", "special")), f.bool("health_data_consent")
    valid_until = f.opt_date("valid_until")
    if not _has_reached(ctx, client, ctx.policy.majority_age):
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
    patient = _person(ctx, f, "patient")
    if ctx.store.exists("death", patient):
        raise InputError(
            "person.deceased",
            f"{f.where}.patient: death already recorded",
            field=f"{f.where}.patient",
        )
    ctx.store.add("death", patient=patient, died_at=ctx.at)
    return ACCEPTED


@handles("inheritance_certificate")
def inheritance_certificate(ctx: EventContext, f: Fields) -> EventOutcome:
    """M11/1 — heirs named in a veraset ilamı; there is no certificate before the death."""
    deceased = _person(ctx, f, "deceased")
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


# -- the staff registry (ÇKYS) ---------------------------------------------------------------
@handles("staff_post_assigned")
def staff_post_assigned(ctx: EventContext, f: Fields) -> EventOutcome:
    """Staff posts come from the Ministry's staff registry (ÇKYS) through an officer of the
    facility's province or of the General Directorate, never from a hospital's push: a post is
    what lets an installation key act for a person (issue 14) and what M6/1-M6/3 rest on."""
    person, by = _person(ctx, f, "person"), _person(ctx, f, "by")
    facility = require(ctx.store, "facility", f.str("facility"), f"{f.where}.facility")
    role, specialty = f.str("role", STAFF_ROLES), f.opt_str("specialty")
    if not _registry_officer(ctx, by, facility):
        return rejected("6/1", "event.not_registry_officer")
    ctx.store.end(
        "staff_post", ctx.at, person=person, facility=facility
    )  # a new post replaces the old
    _begin(ctx, "staff_post", person=person, facility=facility, role=role, specialty=specialty)
    return ACCEPTED


@handles("staff_post_ended")
def staff_post_ended(ctx: EventContext, f: Fields) -> EventOutcome:
    """The staff registry (ÇKYS) ends a person's post at a facility from the event's time on."""
    person, by = _person(ctx, f, "person"), _person(ctx, f, "by")
    facility = require(ctx.store, "facility", f.str("facility"), f"{f.where}.facility")
    if not _registry_officer(ctx, by, facility):
        return rejected("6/1", "event.not_registry_officer")
    ctx.store.end("staff_post", ctx.at, person=person, facility=facility)
    return ACCEPTED


def _registry_officer(ctx: EventContext, by: str, facility: str) -> bool:
    return _officer(ctx, by, "gm_officer") or _officer(
        ctx, by, "province_officer", _province_of(ctx, facility)
    )


# -- orders and officers (M7, M12, M13, KTS) -----------------------------------------------
@handles("concealment_order")
def concealment_order(ctx: EventContext, f: Fields) -> EventOutcome:
    patient = _person(ctx, f, "patient")
    named = f.str_list("need_to_know")
    for i, officer in enumerate(named):
        require(ctx.store, "person", officer, f"{f.where}.need_to_know[{i}]")
    by = _opt_person(ctx, f, "by")
    _begin(
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
    """M12 — a court lifts its own order; without a court named, every order of the patient ends."""
    patient, by = _person(ctx, f, "patient"), _opt_person(ctx, f, "by")
    court = f.opt_str("court")
    match = {"patient": patient} if court is None else {"patient": patient, "court": court}
    for order in ctx.store.open_rows("concealment_order", ctx.at, **match):
        ctx.store.set("concealment_order", order["id"], valid_to=ctx.at, lifted_by=by)
    return ACCEPTED


@handles("reidentification_requested")
def reidentification_requested(ctx: EventContext, f: Fields) -> EventOutcome:
    """M7/1 — the unit head asks GM to authorise one of the unit's users ("birim amirinin
    talebi üzerine")."""
    user, by = _person(ctx, f, "user"), _person(ctx, f, "by")
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
    user, by = _person(ctx, f, "user"), _person(ctx, f, "by")
    unit = require(ctx.store, "unit", f.str("unit"), f"{f.where}.unit")
    if not _officer(ctx, by, "gm_officer"):
        return rejected("7/1", "event.not_gm_officer")
    roles = ctx.store.open_rows("officer_role", ctx.at, person=user, role="ministry_user")
    if not any(r["unit"] == unit for r in roles):
        return rejected("7/1", "event.unit_not_users")
    active = ctx.store.open_rows("reidentification_authorization", ctx.at, unit=unit)
    if len(active) >= ctx.policy.max_reidentifiers_per_unit:
        return rejected("7/1", "event.unit_full")
    ctx.store.end("reidentification_authorization", ctx.at, user=user)
    _begin(ctx, "reidentification_authorization", user=user, unit=unit, granted_by=by)
    # The grant answers the unit head's pending request, where there is one; the scenario
    # vocabulary lets GM grant without one, so a request is recorded but not required.
    for request in ctx.store.rows(
        "reidentification_request", user=user, unit=unit, granted_at=None
    ):
        ctx.store.set("reidentification_request", request["id"], granted_at=ctx.at)
    return ACCEPTED


@handles("reidentification_authorization_revoked")
def reidentification_authorization_revoked(ctx: EventContext, f: Fields) -> EventOutcome:
    ctx.store.end("reidentification_authorization", ctx.at, user=_person(ctx, f, "user"))
    return ACCEPTED


@handles("correction_cutoff_set")
def correction_cutoff_set(ctx: EventContext, f: Fields) -> EventOutcome:
    """M13/3 — the General Directorate sets the date from which facilities correct."""
    day, by = f.date("date"), _person(ctx, f, "by")
    if not _officer(ctx, by, "gm_officer"):
        return rejected("13/3", "event.not_gm_officer")
    ctx.store.end("correction_cutoff", ctx.at)
    _begin(ctx, "correction_cutoff", cutoff_date=day, set_by=by)
    return ACCEPTED


@handles("correction_requested")
def correction_requested(ctx: EventContext, f: Fields) -> EventOutcome:
    patient = _person(ctx, f, "patient")
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


def _province_of(ctx: EventContext, facility: str) -> str:
    row = ctx.store.get("facility", facility)
    assert row is not None
    return str(row["province"])


@handles("correction_forwarded")
def correction_forwarded(ctx: EventContext, f: Fields) -> EventOutcome:
    """M13/1 — the provincial directorate of the record's facility forwards to GM."""
    cid = require(ctx.store, "correction_request", f.str("id"), f"{f.where}.id")
    by = _person(ctx, f, "by")
    request = ctx.store.get("correction_request", cid)
    assert request is not None
    meta = ctx.store.record_meta(request["record"])
    assert meta is not None
    if not _officer(ctx, by, "province_officer", _province_of(ctx, meta.facility)):
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
    purpose, valid_until, by = f.str("purpose"), f.date("valid_until"), _person(ctx, f, "by")
    if not _officer(ctx, by, "province_officer", _province_of(ctx, facility)):
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
    by = _person(ctx, f, "by")
    row = ctx.store.get("written_opinion", oid)
    assert row is not None
    if not _officer(ctx, by, "province_officer", _province_of(ctx, row["facility"])):
        return rejected("KTS/2", "event.not_province_officer")
    if row["revoked_at"] is None:
        ctx.store.set("written_opinion", oid, revoked_at=ctx.at, revoked_by=by)
    return ACCEPTED


@handles(*SOFTWARE_STATUS_EVENTS)
def software_status(ctx: EventContext, f: Fields) -> EventOutcome:
    software = require(ctx.store, "installation", f.str("software"), f"{f.where}.software")
    ctx.store.end("installation_status", ctx.at, installation=software)
    _begin(
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


@handles("transfer_consent_given")
def transfer_consent_given(ctx: EventContext, f: Fields) -> EventOutcome:
    patient = _person(ctx, f, "patient")
    kind = f.str("recipient_kind", ("private", "foreign"))
    _set_preference(ctx, patient, "transfer_consent", True, detail=kind)
    return ACCEPTED


@handles("transfer_consent_withdrawn")
def transfer_consent_withdrawn(ctx: EventContext, f: Fields) -> EventOutcome:
    """KVKK 3/1-a — explicit consent can be withdrawn at any time, with effect for the future;
    withdrawing a consent never given changes nothing."""
    patient = _person(ctx, f, "patient")
    kind = f.str("recipient_kind", ("private", "foreign"))
    _set_preference(ctx, patient, "transfer_consent", False, detail=kind)
    return ACCEPTED


def event_actor(f: Fields) -> str | None:
    """Who the audit log names for an event: the officer acting, else the person concerned."""
    for key in ("by", "physician", "patient", "client", "deceased", "user", "parent", "child"):
        value = f.data.get(key)
        if isinstance(value, str):
            return value
    return None


def event_patient(f: Fields) -> str | None:
    for key in ("patient", "child", "client", "deceased"):
        value = f.data.get(key)
        if isinstance(value, str):
            return value
    record = f.data.get("record")
    if isinstance(record, dict) and isinstance(record.get("patient"), str):
        return record["patient"]
    return None
