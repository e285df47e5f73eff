"""The patient's preferences and one-time codes (M6/2, M6/5, KVKK 3/1-a): opening an e-Nabız
account, hiding a record or locking the history (M6/2), the physician's request for and entry of
the SMS code that lifts a lock for one treatment (M6/5), and the explicit consent to a transfer,
which may be withdrawn at any time. A preference is an open interval: setting it twice keeps one,
ending it closes it from the event's time on."""

from __future__ import annotations

from mahrem.domain.errors import InputError
from mahrem.services.access import enter_code, request_code
from mahrem.services.events.core import EventContext, handles, person_field, set_preference
from mahrem.services.events.outcome import ACCEPTED, EventOutcome, rejected
from mahrem.services.inputs import Fields
from mahrem.services.lookup import require_record_of


@handles("enabiz_account_opened")
def enabiz_account_opened(ctx: EventContext, f: Fields) -> EventOutcome:
    set_preference(ctx, person_field(ctx, f, "patient"), "enabiz_account", True)
    return ACCEPTED


@handles("record_hidden", "record_unhidden")
def record_hidden(ctx: EventContext, f: Fields) -> EventOutcome:
    patient = person_field(ctx, f, "patient")
    record = require_record_of(ctx.store, f.str("record"), patient, f"{f.where}.record")
    set_preference(ctx, patient, "record_hidden", f.data["type"] == "record_hidden", record=record)
    return ACCEPTED


@handles("history_locked", "history_unlocked")
def history_locked(ctx: EventContext, f: Fields) -> EventOutcome:
    set_preference(
        ctx, person_field(ctx, f, "patient"), "history_locked", f.data["type"] == "history_locked"
    )
    return ACCEPTED


@handles("code_requested")
def code_requested(ctx: EventContext, f: Fields) -> EventOutcome:
    physician, patient = person_field(ctx, f, "physician"), person_field(ctx, f, "patient")
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
    physician, patient = person_field(ctx, f, "physician"), person_field(ctx, f, "patient")
    value = f.data.get("code")
    if not isinstance(value, str):
        raise InputError(
            "field.invalid", f"{f.where}.code: expected a string", field=f"{f.where}.code"
        )
    outcome = enter_code(ctx.store, ctx.keys, ctx.policy, physician, patient, value, ctx.at)
    return ACCEPTED if outcome.accepted else rejected("6/5", outcome.reason)


@handles("transfer_consent_given")
def transfer_consent_given(ctx: EventContext, f: Fields) -> EventOutcome:
    patient = person_field(ctx, f, "patient")
    kind = f.str("recipient_kind", ("private", "foreign"))
    set_preference(ctx, patient, "transfer_consent", True, detail=kind)
    return ACCEPTED


@handles("transfer_consent_withdrawn")
def transfer_consent_withdrawn(ctx: EventContext, f: Fields) -> EventOutcome:
    """KVKK 3/1-a — explicit consent can be withdrawn at any time, with effect for the future;
    withdrawing a consent never given changes nothing."""
    patient = person_field(ctx, f, "patient")
    kind = f.str("recipient_kind", ("private", "foreign"))
    set_preference(ctx, patient, "transfer_consent", False, detail=kind)
    return ACCEPTED
