"""Wires adapters into the service layer, once per process (or per test)."""
from __future__ import annotations

from mahrem.adapters.db import database_url, make_engine, upgrade
from mahrem.adapters.keys import FileKeyStore
from mahrem.adapters.signing import CheckpointSigner
from mahrem.adapters.sms import OutboxGateway
from mahrem.adapters.vault import SivVault
from mahrem.services.app import Clock, Mahrem, system_clock
from mahrem.services.printouts import LabReport


def build(url: str | None = None, *, migrate: bool = True, key_dir: str | None = None,
          clock: Clock = system_clock) -> Mahrem:
    """A Mahrem service over `url` (default MAHREM_DATABASE_URL), schema brought up to date."""
    db = make_engine(url or database_url())
    if migrate:
        upgrade(db)
    keys = FileKeyStore(key_dir)
    return Mahrem(db, keys, OutboxGateway(), CheckpointSigner(key_dir), clock,
                  vault=SivVault(keys), printer=render_pdf)


def render_pdf(report: LabReport) -> bytes:
    """The PDF renderer, imported on first use: reportlab adds a quarter second to every start."""
    from mahrem.adapters.pdf import PdfRenderer

    return PdfRenderer()(report)
