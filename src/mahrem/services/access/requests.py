"""Reading an access request from JSON into a `Request`, refusing bad input."""

from __future__ import annotations

from datetime import datetime

from mahrem.domain.decision import (
    ACTIONS,
    CAPACITIES,
    PURPOSES,
    RECIPIENT_KINDS,
    RECORD_ACTIONS,
    Recipient,
    Request,
)
from mahrem.services.inputs import Fields
from mahrem.services.lookup import require, require_record_of
from mahrem.services.ports import Store


def parse_request(store: Store, data: object, at: datetime, where: str = "request") -> Request:
    """A request whose ids all resolve. An unknown `via` or `recipient.protocol` is not an
    input error: the engine refuses them (KTS/3, 15/2)."""
    f = Fields(data, where)
    actor = require(store, "person", f.str("actor"), f"{where}.actor")
    patient = require(store, "person", f.str("patient"), f"{where}.patient")
    action = f.str("action", ACTIONS)
    record = f.opt_str("record")
    if record is None and action in RECORD_ACTIONS:
        f.str("record")  # raises field.missing
    if record is not None:
        require_record_of(store, record, patient, f"{where}.record")
    recipient = None
    if action == "transfer":
        r = f.obj("recipient")
        kind = r.str("kind", RECIPIENT_KINDS)
        recipient = Recipient(kind, r.str("protocol") if kind == "public_institution" else None)
    return Request(
        actor=actor,
        action=action,
        patient=patient,
        at=at,
        record=record,
        purpose=f.opt_str("purpose", PURPOSES),
        via=f.opt_str("via"),
        capacity=f.opt_str("as", CAPACITIES),
        recipient=recipient,
    )
