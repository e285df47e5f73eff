"""The service layer's one entry point: every door (API, CLI, portal, scenario runner) calls
these methods, so every decision and event takes the same path: input → facts → engine →
store and audit, in one transaction."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Engine

from mahrem.adapters.db import unit_of_work
from mahrem.domain import engine as rules_engine
from mahrem.domain.clock import require_aware
from mahrem.domain.decision import Decision, Request
from mahrem.domain.errors import InputError
from mahrem.services import audit
from mahrem.services.events import HANDLERS, EventContext, event_actor, event_patient
from mahrem.services.inputs import Fields
from mahrem.services.outcomes import EventOutcome
from mahrem.services.policies import ensure_policy, policy_at
from mahrem.services.ports import KeyStore, SmsGateway, Store
from mahrem.services.requests import parse_request
from mahrem.services.world import load_world

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


class Mahrem:
    """Use cases over one database, one key store and one SMS gateway."""

    def __init__(self, db: Engine, keys: KeyStore, sms: SmsGateway, clock: Clock = system_clock) -> None:
        self.db = db
        self.keys = keys
        self.sms = sms
        self.clock = clock

    def _at(self, at: datetime | None) -> datetime:
        return require_aware(at) if at is not None else self.clock()

    def load_world(self, world: object, at: datetime | None = None) -> None:
        """Load a world into the store (all or nothing)."""
        with unit_of_work(self.db) as store:
            ensure_policy(store)
            load_world(store, world, policy_at(store, self._at(at)), self._at(at))

    def decide(self, data: object, at: datetime | None = None) -> tuple[Request, Decision]:
        """Decide a request given as JSON; the decision is audited in the same transaction."""
        when = self._at(at)
        with unit_of_work(self.db) as store:
            req = parse_request(store, data, when)
            decision = self.decide_parsed(store, req)
        return req, decision

    def decide_parsed(self, store: Store, req: Request) -> Decision:
        """Decide and audit an already-validated request inside the caller's unit of work."""
        policy = policy_at(store, req.at)
        decision = rules_engine.decide(req, store.facts_for(req), policy)
        audit.append(
            store, at=req.at, kind="decision", actor=req.actor, capacity=decision.capacity, via=req.via,
            action=req.action, patient=req.patient, record=req.record, purpose=req.purpose,
            outcome=decision.effect, basis=decision.basis, reason=decision.reason_key,
            policy_version=decision.policy_version,
            detail={"recipient": req.recipient.kind if req.recipient else None, "tried": list(decision.tried)},
        )
        return decision

    def apply_event(self, data: object, at: datetime | None = None) -> EventOutcome:
        """Apply one event; a refused event writes only the attempt (and any counter)."""
        when = self._at(at)
        f = Fields(data, "event")
        etype = f.str("type", HANDLERS)
        with unit_of_work(self.db) as store:
            policy = policy_at(store, when)
            outcome = HANDLERS[etype](EventContext(store, self.keys, self.sms, policy, when), f)
            audit.append(
                store, at=when, kind="event", actor=event_actor(f), action=etype,
                patient=event_patient(f), record=_record_of(f), outcome=outcome.result,
                basis=outcome.basis, reason=outcome.reason_key, policy_version=policy.version,
            )
        return outcome

    def outbox(self, phone: str, at: datetime | None = None) -> list[dict[str, Any]]:
        """Messages the development SMS gateway holds for a phone, newest last."""
        when = self._at(at)
        with unit_of_work(self.db) as store:
            rows = [r for r in store.rows("sms_outbox", phone=phone) if r["expires_at"] > when]
        return sorted(rows, key=lambda r: (r["created_at"], r["id"]))

    def phone_of(self, person: str) -> str:
        with unit_of_work(self.db) as store:
            row = store.get("person", person)
        if row is None:
            raise InputError("person.unknown", f"unknown person {person!r}")
        return str(row["phone"] or "")


def _record_of(f: Fields) -> str | None:
    record = f.data.get("record")
    if isinstance(record, dict):
        record = record.get("id")
    return record if isinstance(record, str) else None
