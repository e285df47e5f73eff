"""M5/5 — issuing a masked laboratory printout with a verification code, and opening the
full document behind a code for its owner (printouts/printing.py)."""

from __future__ import annotations

from datetime import datetime

from mahrem.services.policies import policy_at
from mahrem.services.ports import Mahrem
from mahrem.services.printouts import printing
from mahrem.services.printouts.printing import Printout


def create_printout(
    m: Mahrem,
    actor: str,
    patient: str,
    *,
    facility: str | None = None,
    records: list[str] | None = None,
    masking: dict[str, str] | None = None,
    purpose: str | None = None,
    at: datetime | None = None,
) -> Printout:
    """M5/5 — a masked laboratory printout with a verification code."""
    when = m.at(at)
    with m.uow.write() as store:
        made = printing.create(
            store,
            m.keys,
            m.require_printer(),
            policy_at(store, when),
            actor=actor,
            patient=patient,
            at=when,
            facility=facility,
            records=records,
            masking=masking,
            purpose=purpose,
        )
    return made.answer()


def open_printout(m: Mahrem, actor: str, code: str, at: datetime | None = None) -> Printout:
    """M5/5 — the full document behind a verification code, for its owner only."""
    with m.uow.write() as store:
        opened = printing.open_full(
            store, m.keys, m.require_printer(), actor=actor, code=code, at=m.at(at)
        )
    return opened.answer()
