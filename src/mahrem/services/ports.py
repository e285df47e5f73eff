"""The ports: every outside thing a use case touches, as a `typing.Protocol`.

Use cases never import `mahrem.adapters`. They receive these ports, bundled in `Mahrem`, which
`mahrem.bootstrap` wires once per process (or per test). A test of a use case can therefore
hand it a fake unit of work, a fixed clock or a gateway that records what it sent.

The unit of work is the one way to the database: `write()` opens a transaction that commits
when the block ends normally and rolls back on any exception; `read()` opens one that only
reads (on SQLite it does not block writers). Inside either, the `Store` reads and writes the
facts, and its `audit` is the append-only trail, so a change and its audit entry always share
one transaction (M18/2, the Board's adequate measures).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from mahrem.domain.clock import require_aware
from mahrem.domain.decision import Request
from mahrem.domain.errors import MahremError
from mahrem.domain.facts import Facts, Installation, OfficerRole, Person, RecordMeta, StaffPost
from mahrem.domain.printout import LabReport

Row = dict[str, Any]
Clock = Callable[[], datetime]


class AuditTrail(Protocol):
    """The audit log's own reads and its one write (append): rows are never updated."""

    def head_for_update(self) -> Row | None: ...
    def insert(self, rows: list[Row]) -> None: ...
    def hashes(self, first: int, last: int | None) -> list[tuple[int, str]]: ...
    def entries(self, batch: int = 50000) -> Iterator[Row]: ...
    def search(
        self,
        *,
        limit: int,
        offset: int = 0,
        since: datetime | None = None,
        until: datetime | None = None,
        **match: Any,
    ) -> list[Row]: ...


class Store(Protocol):
    """Reads and writes of one unit of work (one transaction)."""

    audit: AuditTrail

    def add(self, kind: str, /, **values: Any) -> int | None: ...
    def get(self, kind: str, /, key: Any) -> Row | None: ...
    def rows(self, kind: str, /, **match: Any) -> list[Row]: ...
    def open_rows(self, kind: str, /, at: datetime, **match: Any) -> list[Row]: ...
    def end(self, kind: str, /, at: datetime, **match: Any) -> int: ...
    def set(self, kind: str, /, key: Any, **values: Any) -> None: ...
    def exists(self, kind: str, key: Any) -> bool: ...
    def count(self, kind: str) -> int: ...
    def purge(self, kind: str, column: str, before: datetime) -> None: ...
    def person(self, pid: str) -> Person | None: ...
    def record_meta(self, rid: str) -> RecordMeta | None: ...
    def staff_posts(self, pid: str, at: datetime) -> tuple[StaffPost, ...]: ...
    def officer_roles(self, pid: str, at: datetime) -> tuple[OfficerRole, ...]: ...
    def installation(self, iid: str, at: datetime) -> Installation | None: ...
    def facts_for(self, req: Request) -> Facts: ...
    def facts_for_each(self, req: Request, records: list[Row]) -> list[Facts]: ...
    def facts_for_search(self, req: Request, records: list[Row]) -> tuple[Facts, list[Facts]]: ...
    def policy_spans(self) -> list[tuple[int, datetime, datetime | None]]: ...
    def database_name(self) -> str: ...
    def uncared_patients(
        self, installation: str, since: datetime, until: datetime, threshold: int
    ) -> int: ...
    def incidents(
        self,
        *,
        facility: str | None = None,
        installation: str | None = None,
        without_facility: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Row]: ...


class UnitOfWork(Protocol):
    """Transactions over the database: `write()` commits or rolls back, `read()` only reads."""

    def write(self) -> AbstractContextManager[Store]: ...
    def read(self) -> AbstractContextManager[Store]: ...
    def has_data(self) -> bool: ...
    def dispose(self) -> None: ...


class KeyStore(Protocol):
    """Secrets held outside the database. Data keys (M14): `seal` encrypts under a named data
    key made on first use, `unseal` opens (None once the key is destroyed), `shred` destroys
    the key so that every copy of what it sealed is unreadable for good."""

    def hmac(self, name: str, message: str) -> str: ...
    def seal(self, key_name: str, plaintext: bytes, aad: bytes) -> bytes: ...
    def unseal(self, key_name: str, sealed: bytes, aad: bytes) -> bytes | None: ...
    def has_data_key(self, key_name: str) -> bool: ...
    def shred(self, key_name: str) -> bool: ...


class SmsGateway(Protocol):
    """Sends a text to a phone; the development gateway keeps it in an outbox table."""

    def send(
        self, store: Store, phone: str, body: str, at: datetime, expires_at: datetime
    ) -> None: ...


class VaultError(ValueError):
    """A vault entry that does not open: a wrong key, a changed context or a changed text."""


class Vault(Protocol):
    """Authenticated encryption of vault entries under a key held outside the database; the
    context (associated data) binds a ciphertext to its row. `open` raises VaultError."""

    def seal(self, plaintext: bytes, *context: bytes) -> bytes: ...
    def open(self, ciphertext: bytes, *context: bytes) -> bytes: ...


class Signer(Protocol):
    """Signs audit checkpoints (Ed25519) and checks a signature under any public key."""

    def sign(self, payload: bytes) -> bytes: ...
    def key_id(self) -> str: ...
    def public_pem(self) -> str: ...
    def verify(self, public_pem: str, payload: bytes, signature: bytes) -> bool: ...


class Renderer(Protocol):
    """Renders a laboratory printout (M5/5) as PDF bytes."""

    def __call__(self, report: LabReport) -> bytes: ...


class JwksFetcher(Protocol):
    """Fetches the JSON Web Key Set an installation publishes at a URL (SMART Backend
    Services: `jwks_uri`); raises MahremError("smart.jwks_unavailable") when it cannot."""

    def __call__(self, url: str, *, fresh: bool = False) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Mahrem:
    """The ports wired together: what every use case receives as its first argument.

    It holds no behaviour beyond reading the clock: the use cases are module-level functions
    in the capability packages (`mahrem.services.access`, `.records`, `.audit`, ...)."""

    uow: UnitOfWork
    keys: KeyStore
    sms: SmsGateway
    signer: Signer
    clock: Clock
    vault: Vault | None = None
    totp_vault: Vault | None = None
    printer: Renderer | None = None
    jwks: JwksFetcher | None = None
    # MAHREM_ENV=production: static installation keys are refused (SMART tokens only).
    production: bool = False

    def at(self, when: datetime | None = None) -> datetime:
        """`when` if given (it must be timezone-aware), else the clock's now."""
        return require_aware(when) if when is not None else self.clock()

    def require_vault(self) -> Vault:
        """The re-identification vault (M7), or an error naming what is not configured."""
        if self.vault is None:
            raise MahremError("vault.missing", "no re-identification vault is configured")
        return self.vault

    def require_printer(self) -> Renderer:
        """The printout renderer (M5/5), or an error naming what is not configured."""
        if self.printer is None:
            raise MahremError("printer.missing", "no printout renderer is configured")
        return self.printer
