"""The one registry of event handlers (C3): `EventContext`, what a handler is given; `handles`,
which registers a handler into `HANDLERS` under the event types it answers; and the helpers the
handler modules share (a field naming a person, an officer's role in force, opening a fact or a
preference at the event's time). Each handler validates its input (InputError changes nothing),
applies the law's refusals (SPEC.md, "Events the law refuses") and writes the new facts with
their start time; ending a fact closes its interval.

The handlers live by part of the law — care (M6/1, M6/3), preferences and codes (M6/2, M6/5),
family and representation (M8–M11), orders and the staff registry (M7, M12, ÇKYS), the
directorates' supervision (M13, KTS) — and register themselves here when imported;
events/applying.py imports them all, so `HANDLERS` is complete whenever the package is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from mahrem.domain.clock import has_reached_age
from mahrem.domain.policy import Policy
from mahrem.services.events.outcome import EventOutcome
from mahrem.services.inputs import Fields
from mahrem.services.lookup import require
from mahrem.services.ports import KeyStore, SmsGateway, Store


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


def person_field(ctx: EventContext, f: Fields, key: str) -> str:
    return require(ctx.store, "person", f.str(key), f"{f.where}.{key}")


def opt_person_field(ctx: EventContext, f: Fields, key: str) -> str | None:
    value = f.opt_str(key)
    return None if value is None else require(ctx.store, "person", value, f"{f.where}.{key}")


def is_officer(ctx: EventContext, person: str, role: str, province: str | None = None) -> bool:
    return any(
        r["role"] == role and (province is None or r["province"] == province)
        for r in ctx.store.open_rows("officer_role", ctx.at, person=person)
    )


def begin(ctx: EventContext, kind: str, /, **values: object) -> None:
    ctx.store.add(kind, valid_from=ctx.at, **values)


def set_preference(
    ctx: EventContext, patient: str, kind: str, on: bool, /, **match: object
) -> None:
    open_rows = ctx.store.open_rows("preference", ctx.at, patient=patient, kind=kind, **match)
    if on and not open_rows:
        begin(ctx, "preference", patient=patient, kind=kind, **match)
    elif not on:
        ctx.store.end("preference", ctx.at, patient=patient, kind=kind, **match)


def has_reached(ctx: EventContext, pid: str, years: int) -> bool:
    person = ctx.store.person(pid)
    assert person is not None
    return has_reached_age(person.birth_date, years, ctx.at)


def province_of(ctx: EventContext, facility: str) -> str:
    row = ctx.store.get("facility", facility)
    assert row is not None
    return str(row["province"])


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
    patient = record.get("patient") if isinstance(record, dict) else None
    return patient if isinstance(patient, str) else None
