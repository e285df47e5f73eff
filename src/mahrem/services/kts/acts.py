"""How the KTS registry acts (the KTS letter, point 3): every registry act is a checked, audited
unit of work — only a General Directorate officer acts, the act and any refusal are audited in
its transaction, and a refused act keeps only its audit entry and is raised after the commit.

Statuses are written to `installation_status` exactly as the software-status events write
them (the previous interval ends, a new one starts), so the engine's rule 1 sees every change
and any past decision replays. The registry's view of one installation at a time
(`registry_state`) is what the lifecycle sweep and a re-activation both judge.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from mahrem.domain import kts as lifecycle
from mahrem.domain.errors import Forbidden, MahremError, Refused
from mahrem.services import audit
from mahrem.services.kts.reports import certificates_of, row_of, status_row
from mahrem.services.lookup import require
from mahrem.services.ports import Store

if TYPE_CHECKING:  # services.app calls into this package: no import cycle at run time
    from mahrem.services.ports import Mahrem

T = TypeVar("T")


def is_gm_officer(store: Store, person: str, at: datetime) -> bool:
    return any(
        r["role"] == "gm_officer" for r in store.open_rows("officer_role", at, person=person)
    )


def audited_act(
    m: Mahrem,
    by: str,
    at: datetime | None,
    action: str,
    fn: Callable[[Store, datetime], T],
    *,
    basis: str = "KTS/3",
    **detail: Any,
) -> T:
    """Run one registry act in a unit of work: only a GM officer acts; the act and any refusal
    are audited; a refusal keeps its audit entry and is raised after the commit. Each act
    checks everything before it writes, so a refusal has written nothing but its entry."""
    when = m.at(at)
    refusal: MahremError | None = None
    results: list[T] = []
    with m.uow.write() as store:
        try:
            if not is_gm_officer(store, by, when):
                raise Forbidden(
                    "kts.forbidden", "only a General Directorate officer acts in the KTS registry"
                )
            results.append(fn(store, when))
        except (Forbidden, Refused) as exc:
            refusal = exc
        audit.append(
            store,
            at=when,
            kind="admin",
            actor=by,
            action=f"kts.{action}",
            outcome="rejected" if refusal else "accepted",
            basis=getattr(refusal, "basis", basis),
            reason=refusal.code if refusal else None,
            detail=detail,
        )
    if refusal is not None:
        raise refusal
    return results[0]


def existing_row(store: Store, kind: str, key: str, field: str) -> dict[str, Any]:
    require(store, kind, key, field)
    return row_of(store, kind, key)


def status_of(store: Store, installation: str, at: datetime) -> str:
    row = status_row(store, installation, at)
    return str(row["status"]) if row else "unregistered"


def set_status(store: Store, installation: str, status: str, at: datetime) -> None:
    """As the software-status events do: the interval in force ends, the new one starts."""
    store.end("installation_status", at, installation=installation)
    store.add("installation_status", installation=installation, status=status, valid_from=at)


def registry_state(store: Store, installation: str, at: datetime) -> lifecycle.RegistryState | None:
    """The registry's view of one installation at `at`; None when a later status already exists
    (a sweep never rewrites what was recorded after its time)."""
    rows = store.rows("installation_status", installation=installation)
    if any(r["valid_from"] > at for r in rows):
        return None
    current = status_row(store, installation, at)
    warned = frozenset(
        w["certificate"] for w in store.rows("kts_certificate_warning", installation=installation)
    )
    return lifecycle.RegistryState(
        installation,
        current["status"] if current else "unregistered",
        current["valid_from"] if current else at,
        certificates_of(store, installation),
        warned,
    )
