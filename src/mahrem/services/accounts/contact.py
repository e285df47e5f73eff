"""How Mahrem reaches a person: their name and phone as registered, and the development SMS
gateway's outbox (what a one-time code message would have carried, M6/5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mahrem.domain.errors import InputError
from mahrem.services.lookup import person_named
from mahrem.services.ports import Mahrem


def outbox(m: Mahrem, phone: str, at: datetime | None = None) -> list[dict[str, Any]]:
    """Messages the development SMS gateway holds for a phone, newest last."""
    when = m.at(at)
    with m.uow.read() as store:
        rows = [r for r in store.rows("sms_outbox", phone=phone) if r["expires_at"] > when]
    return sorted(rows, key=lambda r: (r["created_at"], r["id"]))


def person_name(m: Mahrem, person: str) -> str:
    """The registered name of a person."""
    return str(_person(m, person)["name"])


def phone_of(m: Mahrem, person: str) -> str:
    """The registered phone of a person ("" when none)."""
    return str(_person(m, person)["phone"] or "")


def person_id(m: Mahrem, login: str) -> str | None:
    """The person a TC kimlik no or a person id names, if any."""
    with m.uow.read() as store:
        return person_named(store, login)


def _person(m: Mahrem, person: str) -> dict[str, Any]:
    with m.uow.read() as store:
        row = store.get("person", person)
    if row is None:
        raise InputError("person.unknown", f"unknown person {person!r}")
    return row
