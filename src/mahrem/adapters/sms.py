"""SMS gateways. The outbox gateway is for development and tests only."""

from __future__ import annotations

import os
from datetime import datetime

from mahrem.services.ports import Store


class ProductionRefused(RuntimeError):
    pass


class OutboxGateway:
    """Keeps each message in `sms_outbox` until its code expires; refuses to run in production,
    where a code in a table would be a code in clear."""

    def __init__(self) -> None:
        if os.environ.get("MAHREM_ENV") == "production":
            raise ProductionRefused(
                "the SMS outbox gateway must not run with MAHREM_ENV=production"
            )

    def send(self, store: Store, phone: str, body: str, at: datetime, expires_at: datetime) -> None:
        store.purge("sms_outbox", "expires_at", at)
        store.add("sms_outbox", phone=phone, body=body, created_at=at, expires_at=expires_at)
