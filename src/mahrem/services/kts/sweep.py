"""The registry's lifecycle sweep (the KTS letter, point 3): at the time the registry acts, the
certificate warnings, passive and deleted installations and renewals domain/kts.py makes due
are applied and audited (or only shown, in a dry run), and the copying detector's read notes
older than its window are purged. Status changes take effect at the sweep's time, never
earlier, so decisions already made and audited stay as they were."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from mahrem.domain import kts as lifecycle
from mahrem.domain.errors import Forbidden, InputError
from mahrem.services import audit
from mahrem.services.kts.acts import is_gm_officer, registry_state, set_status
from mahrem.services.policies import policy_at
from mahrem.services.ports import Store

if TYPE_CHECKING:  # services.app calls into this package: no import cycle at run time
    from mahrem.services.ports import Mahrem


READ_NOTES_MARGIN = timedelta(days=7)


def sweep(
    m: Mahrem,
    at: datetime | None = None,
    by: str | None = None,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """KTS/3 — apply the registry's lifecycle at `at` (warnings, passive, deleted, renewed) and
    return what changed. Status changes take effect at `at`, the time the registry acts, never
    earlier: decisions already made and audited stay as they were. Running it again at the
    same time changes nothing more. A person named in `by` must be a GM officer (an
    unattended job passes None). A time after the clock's now is only shown (`dry_run`): a
    status written ahead of time would hold back every sweep before it."""
    when = m.at(at)
    if not 2000 <= when.year <= 2199:
        raise InputError("field.invalid", "at: a time between 2000 and 2199", field="at")
    if when > m.clock() and not dry_run:
        raise InputError(
            "kts.sweep_future", "at: a sweep ahead of now can only be a dry run", field="at"
        )
    changes: list[dict[str, Any]] = []
    with m.uow.write() as store:
        if by is not None and not is_gm_officer(store, by, when):
            raise Forbidden(
                "kts.forbidden", "only a General Directorate officer sweeps the KTS registry"
            )
        policy = policy_at(store, when)
        ids = sorted(r["id"] for r in store.rows("installation"))
        for done, installation in enumerate(ids, 1):
            state = registry_state(store, installation, when)
            for item in lifecycle.due(state, when, policy) if state else []:
                changes.append(_describe(item, when) if dry_run else _apply(store, item, when, by))
            if progress is not None:
                progress(done, len(ids))
        if not dry_run:
            # The copying detector's notes are needed only inside its window; the audit log
            # keeps every read. A week's margin lets a changed window still see its reads.
            store.purge("kts_read", "at", when - policy.copy_window - READ_NOTES_MARGIN)
    return changes


def _describe(item: lifecycle.Due, at: datetime) -> dict[str, Any]:
    if isinstance(item, lifecycle.CertificateWarning):
        change: dict[str, Any] = {
            "installation": item.installation,
            "kind": "warning",
            "from": None,
            "to": None,
            "certificate": item.certificate,
            "valid_until": item.valid_until.isoformat(),
        }
    else:
        change = {
            "installation": item.installation,
            "kind": "status",
            "from": item.from_status,
            "to": item.to_status,
            "certificate": item.certificate,
            "valid_until": None,
        }
    change.update(
        due=item.due,
        at=at,
        basis=item.basis,
        reason=item.reason,
        reason_tr=lifecycle.REASONS[item.reason][0],
        reason_en=lifecycle.REASONS[item.reason][1],
    )
    return change


def _apply(store: Store, item: lifecycle.Due, at: datetime, by: str | None) -> dict[str, Any]:
    if isinstance(item, lifecycle.CertificateWarning):
        store.add(
            "kts_certificate_warning",
            installation=item.installation,
            certificate=item.certificate,
            warned_at=at,
        )
    else:
        set_status(store, item.installation, item.to_status, at)
    change = _describe(item, at)
    audit.append(
        store,
        at=at,
        kind="admin",
        actor=by,
        via=item.installation,
        action=f"kts.sweep_{change['kind']}",
        outcome="accepted",
        basis=item.basis,
        reason=item.reason,
        detail={k: change[k] for k in ("from", "to", "certificate", "valid_until")},
    )
    return change
