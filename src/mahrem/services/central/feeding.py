"""M7 — the central health data system's use cases: the pseudonymised feed, the receivers'
key versions and their rotation, and re-identification by the Ministry (central/feed.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mahrem.domain.pseudonym import Reduction
from mahrem.services.central import feed
from mahrem.services.ports import Mahrem


def export(
    m: Mahrem,
    receiver: str,
    *,
    facility: str | None = None,
    reduction: Reduction | None = None,
    by: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """M7/1 — the pseudonymised feed for one receiving system."""
    with m.uow.write() as store:
        return feed.export_feed(
            store,
            m.keys,
            m.require_vault(),
            receiver,
            m.at(at),
            facility=facility,
            reduction=reduction,
            by=by,
        )


def rotate_key(m: Mahrem, receiver: str, by: str | None = None, at: datetime | None = None) -> int:
    """M7 — a new pseudonym key version for the receiver; its number."""
    with m.uow.write() as store:
        return feed.rotate_key(store, receiver, m.at(at), by)


def key_versions(m: Mahrem, receiver: str | None = None) -> list[dict[str, Any]]:
    """The receivers' pseudonym key versions (never the keys)."""
    with m.uow.write() as store:
        return feed.key_versions(store, receiver)


def reidentify(
    m: Mahrem,
    actor: str,
    pseudonym: str,
    purpose: str,
    lang: str = "tr",
    at: datetime | None = None,
) -> dict[str, Any]:
    """M7, rule 9 — the identity behind a pseudonym, decided and audited; refusals are
    raised after the transaction keeps the audit entry."""
    with m.uow.write() as store:
        outcome = feed.reidentify(store, m.require_vault(), actor, pseudonym, purpose, m.at(at))
    return outcome.answer(lang)
