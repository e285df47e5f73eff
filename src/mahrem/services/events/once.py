"""An event reported with an Idempotency-Key is applied once (issue 17): hospital software that
resends a check-in after a timeout gets the first answer again and changes nothing. The key is
kept a day, as the hash of who sent it with the key; the same key with another event is refused
rather than answered with the first event's result."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

from mahrem.domain.errors import InputError
from mahrem.services.events.applying import report_event
from mahrem.services.events.outcome import EventOutcome
from mahrem.services.ports import Mahrem

KEPT = timedelta(days=1)


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def report_event_once(
    m: Mahrem,
    door: str,
    person: str,
    data: object,
    *,
    idempotency_key: str | None,
    installation: str | None = None,
    key: str | None = None,
    at: datetime | None = None,
) -> EventOutcome:
    """`report_event`, once per Idempotency-Key of this caller."""
    if not idempotency_key:
        return report_event(m, door, person, data, installation=installation, key=key, at=at)
    when = m.at(at)
    name = _hash(door, installation or "", person, idempotency_key)
    request = _hash(json.dumps(data, sort_keys=True, default=str))
    with m.uow.read() as store:
        seen = store.get("idempotent_request", name)
    if seen is not None and seen["created_at"] > when - KEPT:
        if seen["request"] != request:
            raise InputError(
                "idempotency.key_reused",
                "Idempotency-Key: already used for another event",
                field="Idempotency-Key",
            )
        return EventOutcome(**seen["answer"])
    outcome = report_event(m, door, person, data, installation=installation, key=key, at=when)
    answer = {"result": outcome.result, "basis": outcome.basis, "reason_key": outcome.reason_key}
    with m.uow.write() as store:
        store.purge("idempotent_request", "created_at", when - KEPT)
        if store.get("idempotent_request", name) is None:
            store.add(
                "idempotent_request", key=name, request=request, answer=answer, created_at=when
            )
    return outcome
