"""Wires the adapters into the ports the use cases receive, once per process (or per test).

This is the one module that knows both sides: `mahrem.services` names what it needs as
Protocols (services/ports.py), `mahrem.adapters` implements them over SQLAlchemy, files of keys,
an SMS outbox and reportlab, and `build` puts them together.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from mahrem.adapters.db import SqlUnitOfWork, database_url, make_engine, upgrade
from mahrem.adapters.jwks import UrlJwksFetcher
from mahrem.adapters.keys import FileKeyStore
from mahrem.adapters.signing import CheckpointSigner
from mahrem.adapters.sms import OutboxGateway
from mahrem.adapters.vault import SivVault
from mahrem.services.ports import Clock, Mahrem
from mahrem.services.printouts import LabReport
from mahrem.services.rights import DataSummary

TOTP_KEY = "totp"  # the key TOTP secrets are sealed under (services/accounts/logins.py)


def system_clock() -> datetime:
    """Now, in UTC (calendar days are taken in Europe/Istanbul where a rule needs them)."""
    return datetime.now(UTC)


def build(
    url: str | None = None,
    *,
    migrate: bool = True,
    key_dir: str | None = None,
    clock: Clock = system_clock,
) -> Mahrem:
    """A Mahrem service over `url` (default MAHREM_DATABASE_URL), schema brought up to date."""
    db = make_engine(url or database_url())
    if migrate:
        upgrade(db)
    keys = FileKeyStore(key_dir)
    return Mahrem(
        uow=SqlUnitOfWork(db),
        keys=keys,
        sms=OutboxGateway(),
        signer=CheckpointSigner(key_dir),
        clock=clock,
        vault=SivVault(keys),
        totp_vault=SivVault(keys, TOTP_KEY),
        printer=render_pdf,
        jwks=UrlJwksFetcher(),
        production=os.environ.get("MAHREM_ENV") == "production",
    )


def upgrade_database(url: str | None = None) -> str:
    """Create or migrate the schema at `url` (default MAHREM_DATABASE_URL); the URL used."""
    url = url or database_url()
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return url


def holds_data(url: str) -> bool:
    """True when the database at `url` already holds Mahrem tables with people in them."""
    engine = make_engine(url)
    try:
        return SqlUnitOfWork(engine).has_data()
    finally:
        engine.dispose()


def verify_signature(public_pem: str, payload: bytes, signature: bytes) -> bool:
    """Check a checkpoint signature with nothing but the published public key."""
    from mahrem.adapters.signing import verify_signature as verify

    return verify(public_pem, payload, signature)


def render_summary(summary: DataSummary) -> bytes:
    """The applicant's readable PDF summary (KVKK 11/1-a/b/ç), imported on first use."""
    from mahrem.adapters.pdf_summary import render_summary as render

    return render(summary)


def render_pdf(report: LabReport) -> bytes:
    """The PDF renderer, imported on first use: reportlab adds a quarter second to every start."""
    from mahrem.adapters.pdf import PdfRenderer

    return PdfRenderer()(report)
