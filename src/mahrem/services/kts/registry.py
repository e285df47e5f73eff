"""The KTS registry (the KTS letter, points 1-3): what General Directorate officers register
(firms, products, versions, certificates, installations, the integration catalogue), the
lifecycle sweep, and the compliance report.

The gate at request time (installation keys, incidents, the copying detector) is in
`services/kts_gate.py`, the reports in `services/kts_reports.py` and the demo registry in
`services/kts_demo.py`; their functions are re-exported here so callers use one module.

Statuses are written to `installation_status` exactly as the software-status events write
them (the previous interval ends, a new one starts), so the engine's rule 1 sees every change
and any past decision replays. Every act is audited in its transaction; a refused act keeps
only its audit entry and is raised after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from mahrem.domain import kts as lifecycle
from mahrem.domain.errors import Forbidden, InputError, MahremError, Refused
from mahrem.services import audit
from mahrem.services.kts.gate import (  # noqa: F401  (one module for callers)
    after_decision,
    authenticate_installation,
    installation_for_key,
    issue_api_key,
    list_api_keys,
    revoke_api_key,
    rotate_api_key,
    store_key,
    treat_as_export,
)
from mahrem.services.kts.reports import (  # noqa: F401  (one module for callers)
    certificates_of,
    compliance,
    describe_installation,
    get_installation,
    incidents,
    installations,
    listing,
    row_of,
    status_row,
)
from mahrem.services.lookup import require, require_new
from mahrem.services.policies import policy_at
from mahrem.services.ports import Store

if TYPE_CHECKING:  # services.app calls into this module: no import cycle at run time
    from mahrem.services.ports import Mahrem

T = TypeVar("T")


# -- checked, audited acts --------------------------------------------------------------
def _when(m: Mahrem, at: datetime | None) -> datetime:
    return m.at(at)


def is_gm_officer(store: Store, person: str, at: datetime) -> bool:
    return any(
        r["role"] == "gm_officer" for r in store.open_rows("officer_role", at, person=person)
    )


def _act(
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
    when = _when(m, at)
    refusal: MahremError | None = None
    result: Any = None
    with m.uow.write() as store:
        try:
            if not is_gm_officer(store, by, when):
                raise Forbidden(
                    "kts.forbidden", "only a General Directorate officer acts in the KTS registry"
                )
            result = fn(store, when)
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
    return result  # type: ignore[no-any-return]


def register_firm(
    m: Mahrem,
    firm: str,
    legal_name: str,
    tax_number: str,
    representative: str,
    by: str,
    at: datetime | None = None,
) -> dict[str, Any]:
    """KTS — a GM officer registers an SBYS producer (legal name, VKN, authorised representative)."""
    vkn = lifecycle.validate_vkn(tax_number)

    def act(store: Store, when: datetime) -> dict[str, Any]:
        require_new(store, "kts_firm", firm, "firm")
        if store.rows("kts_firm", tax_number=vkn):
            raise InputError(
                "vkn.duplicate",
                "tax_number: a firm with this tax number is registered",
                field="tax_number",
            )
        store.add(
            "kts_firm",
            id=firm,
            legal_name=legal_name,
            tax_number=vkn,
            representative=representative,
            status="active",
            registered_at=when,
            registered_by=by,
        )
        return row_of(store, "kts_firm", firm)

    return _act(m, by, at, "firm_registered", act, firm=firm)


def register_product(
    m: Mahrem,
    product: str,
    firm: str,
    name: str,
    sbys_type: str,
    by: str,
    at: datetime | None = None,
) -> dict[str, Any]:
    """KTS — a product of a registered firm, with its SBYS type (HBYS, AHBS, LBYS, PACS, ...)."""
    if sbys_type not in lifecycle.SBYS_TYPES:
        raise InputError(
            "field.invalid",
            f"sbys_type: one of {', '.join(lifecycle.SBYS_TYPES)}",
            field="sbys_type",
        )

    def act(store: Store, when: datetime) -> dict[str, Any]:
        require_new(store, "kts_product", product, "product")
        require(store, "kts_firm", firm, "firm")
        store.add(
            "kts_product", id=product, firm=firm, name=name, sbys_type=sbys_type, registered_at=when
        )
        return row_of(store, "kts_product", product)

    return _act(m, by, at, "product_registered", act, product=product, firm=firm)


def add_version(
    m: Mahrem,
    version_id: str,
    product: str,
    version: str,
    release_notes: str,
    by: str,
    at: datetime | None = None,
) -> dict[str, Any]:
    """KTS — a version of a product, with its release notes."""

    def act(store: Store, when: datetime) -> dict[str, Any]:
        require_new(store, "kts_product_version", version_id, "id")
        require(store, "kts_product", product, "product")
        if store.rows("kts_product_version", product=product, version=version):
            raise InputError(
                "version.duplicate", f"version: {version!r} of {product!r} exists", field="version"
            )
        store.add(
            "kts_product_version",
            id=version_id,
            product=product,
            version=version,
            release_notes=release_notes,
            released_at=when,
        )
        return row_of(store, "kts_product_version", version_id)

    return _act(m, by, at, "version_added", act, product=product, version=version)


def add_certificate(
    m: Mahrem,
    certificate: str,
    firm: str,
    type: str,
    issuer: str,
    valid_until: date,
    by: str,
    product: str | None = None,
    mandatory: bool = True,
    at: datetime | None = None,
) -> dict[str, Any]:
    """KTS/3 — a certificate of a firm (or of one product); a mandatory one that lapses makes
    the firm's installations passive (domain/kts.py). A renewal is a new certificate."""
    if not date(2000, 1, 1) <= valid_until <= date(2199, 12, 31):
        raise InputError(
            "field.invalid", "valid_until: a day between 2000 and 2199", field="valid_until"
        )

    def act(store: Store, when: datetime) -> dict[str, Any]:
        require_new(store, "kts_certificate", certificate, "id")
        require(store, "kts_firm", firm, "firm")
        if (
            product is not None
            and _existing(store, "kts_product", product, "product")["firm"] != firm
        ):
            raise InputError(
                "product.other_firm",
                f"product: {product!r} is not a product of {firm!r}",
                field="product",
            )
        store.add(
            "kts_certificate",
            id=certificate,
            firm=firm,
            product=product,
            type=type,
            issuer=issuer,
            valid_until=valid_until,
            mandatory=mandatory,
            added_at=when,
        )
        return row_of(store, "kts_certificate", certificate)

    return _act(
        m,
        by,
        at,
        "certificate_added",
        act,
        certificate=certificate,
        firm=firm,
        valid_until=valid_until.isoformat(),
    )


def _existing(store: Store, kind: str, key: str, field: str) -> dict[str, Any]:
    require(store, kind, key, field)
    return row_of(store, kind, key)


def register_installation(
    m: Mahrem,
    installation: str,
    product_version: str,
    facility: str,
    administrator: str,
    by: str,
    at: datetime | None = None,
) -> dict[str, Any]:
    """KTS/3 — a product version installed at a facility, with the facility administrator
    responsible for it; from now on its status is `registered`. An installation already known
    (from a world) is linked to the version; its row stays the one requests name in `via`."""

    def act(store: Store, when: datetime) -> dict[str, Any]:
        version = _existing(store, "kts_product_version", product_version, "product_version")
        require(store, "facility", facility, "facility")
        require(store, "person", administrator, "administrator")
        if store.exists("kts_installation", installation):
            raise InputError(
                "installation.duplicate",
                f"installation: {installation!r} is registered",
                field="installation",
            )
        existing = store.get("installation", installation)
        status = _status(store, installation, when)
        if status in lifecycle.FINAL_STATUSES:
            raise Refused(
                "kts.status_final", f"installation {installation!r} is {status}", basis="KTS/3"
            )
        product = row_of(store, "kts_product", version["product"])
        firm = row_of(store, "kts_firm", product["firm"])
        if existing is None:
            store.add(
                "installation",
                id=installation,
                vendor=firm["legal_name"],
                product=product["name"],
                version=version["version"],
                facility=facility,
                administrator=administrator,
            )
        elif existing["facility"] != facility:
            raise InputError(
                "installation.other_facility",
                f"facility: {installation!r} is at {existing['facility']!r}",
                field="facility",
            )
        else:
            store.set(
                "installation",
                installation,
                administrator=administrator,
                vendor=firm["legal_name"],
                product=product["name"],
                version=version["version"],
            )
        store.add(
            "kts_installation",
            installation=installation,
            product_version=product_version,
            registered_at=when,
        )
        if status != "registered":
            _set_status(store, installation, "registered", when)
        return describe_installation(store, installation, when)

    return _act(
        m,
        by,
        at,
        "installation_registered",
        act,
        installation=installation,
        facility=facility,
        product_version=product_version,
    )


def add_catalogue_entry(
    m: Mahrem, system: str, name: str, description: str, by: str, at: datetime | None = None
) -> dict[str, Any]:
    """KTS/1 — a system the General Directorate lets SBYS integrate with."""

    def act(store: Store, when: datetime) -> dict[str, Any]:
        require_new(store, "kts_catalogue", system, "id")
        store.add("kts_catalogue", id=system, name=name, description=description, added_at=when)
        return row_of(store, "kts_catalogue", system)

    return _act(m, by, at, "catalogue_entry_added", act, system=system, basis="KTS/1")


def declare_integration(
    m: Mahrem, installation: str, system: str, by: str, at: datetime | None = None
) -> dict[str, Any]:
    """KTS/1 — "belirlenen sistemler haricinde entegrasyon istenilmeyecektir": an integration
    outside the GM catalogue is refused."""

    def act(store: Store, when: datetime) -> dict[str, Any]:
        require(store, "installation", installation, "installation")
        if not store.exists("kts_catalogue", system):
            raise Refused(
                "kts.integration_not_in_catalogue",
                f"system {system!r} is not in the General Directorate's integration catalogue",
                basis="KTS/1",
            )
        if not store.rows("kts_integration", installation=installation, system=system):
            store.add("kts_integration", installation=installation, system=system, declared_at=when)
        return {
            "installation": installation,
            "system": system,
            "declared_at": store.rows("kts_integration", installation=installation, system=system)[
                0
            ]["declared_at"],
        }

    return _act(
        m,
        by,
        at,
        "integration_declared",
        act,
        installation=installation,
        system=system,
        basis="KTS/1",
    )


# -- statuses -----------------------------------------------------------------------------
def _status(store: Store, installation: str, at: datetime) -> str:
    row = status_row(store, installation, at)
    return str(row["status"]) if row else "unregistered"


def _set_status(store: Store, installation: str, status: str, at: datetime) -> None:
    """As the software-status events do: the interval in force ends, the new one starts."""
    store.end("installation_status", at, installation=installation)
    store.add("installation_status", installation=installation, status=status, valid_from=at)


def _officer_status(
    m: Mahrem,
    installation: str,
    by: str,
    at: datetime | None,
    to: str,
    action: str,
    reason: str | None,
    allowed: Callable[[Store, str, datetime], str | None],
) -> dict[str, Any]:
    def act(store: Store, when: datetime) -> dict[str, Any]:
        require(store, "installation", installation, "installation")
        before = _status(store, installation, when)
        blocker = allowed(store, before, when)
        if blocker is not None:
            raise Refused(
                blocker,
                f"installation {installation!r} is {before}: {action} refused",
                basis="KTS/3",
            )
        _set_status(store, installation, to, when)
        return {
            "installation": installation,
            "from": before,
            "to": to,
            "at": when,
            "reason": reason,
        }

    return _act(m, by, at, action, act, installation=installation, to=to, reason=reason)


def suspend(
    m: Mahrem, installation: str, by: str, reason: str | None = None, at: datetime | None = None
) -> dict[str, Any]:
    """KTS/3 — a GM officer suspends an installation's registration (reversible)."""
    return _officer_status(
        m,
        installation,
        by,
        at,
        "suspended",
        "installation_suspended",
        reason,
        lambda _s, before, _w: None if before in ("registered", "passive") else "kts.not_active",
    )


def revoke(
    m: Mahrem, installation: str, by: str, reason: str | None = None, at: datetime | None = None
) -> dict[str, Any]:
    """KTS/3 — a GM officer revokes an installation's registration (final: a new registration
    under a new id is needed)."""
    return _officer_status(
        m,
        installation,
        by,
        at,
        "revoked",
        "installation_revoked",
        reason,
        lambda _s, before, _w: "kts.status_final" if before in lifecycle.FINAL_STATUSES else None,
    )


def reactivate(
    m: Mahrem, installation: str, by: str, reason: str | None = None, at: datetime | None = None
) -> dict[str, Any]:
    """KTS/3 — a GM officer re-activates a suspended or passive installation, unless a
    mandatory certificate has lapsed past its grace period."""

    def allowed(store: Store, before: str, when: datetime) -> str | None:
        state = _state(store, installation, when)
        return (
            lifecycle.reactivation_blocker(state, when, policy_at(store, when))
            if state
            else "kts.status_final"
        )

    return _officer_status(
        m, installation, by, at, "registered", "installation_reactivated", reason, allowed
    )


# -- the lifecycle sweep ---------------------------------------------------------------------
def _state(store: Store, installation: str, at: datetime) -> lifecycle.RegistryState | None:
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
    when = _when(m, at)
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
            state = _state(store, installation, when)
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
        change = {
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
        _set_status(store, item.installation, item.to_status, at)
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
