"""C1 — hospital software pushes one FHIR resource or a transaction Bundle (records/ingest.py
validates and stores it, all or nothing)."""

from __future__ import annotations

from datetime import datetime

from mahrem.domain.errors import MahremError
from mahrem.services.policies import policy_at
from mahrem.services.ports import Mahrem
from mahrem.services.records.entries import TCKN_SYSTEM, Pushed
from mahrem.services.records.ingest import push as push_entries


def push(
    m: Mahrem,
    installation: str,
    actor: str,
    body: object,
    *,
    at: datetime | None = None,
    tckn_system: str = TCKN_SYSTEM,
    key: str | None = None,
) -> Pushed:
    """Store what the software pushed; software that may not write gets the refusal raised
    once its incident is committed (KTS/2)."""
    when = m.at(at)
    with m.uow.write() as store:
        pushed = push_entries(
            store,
            m.keys,
            policy_at(store, when),
            installation=installation,
            actor=actor,
            body=body,
            at=when,
            tckn_system=tckn_system,
            key=key,
        )
    if isinstance(pushed, MahremError):
        raise pushed
    return pushed
