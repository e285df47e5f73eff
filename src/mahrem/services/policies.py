"""The policy configuration in force at a time, and GM's changes to it (M6/4), versioned."""

from __future__ import annotations

from datetime import datetime

from mahrem.domain import retention
from mahrem.domain.clock import BEGINNING
from mahrem.domain.errors import Refused
from mahrem.domain.policy import DEFAULT_POLICY, Policy
from mahrem.domain.policy_bounds import broken_bound
from mahrem.services.ports import Store

# A version never changes once written, so its Policy is built once per database and version.
_CACHE: dict[tuple[str, int, datetime], Policy] = {}


def ensure_policy(store: Store) -> None:
    """Install the default policy as version 1 when the store has none."""
    if store.count("policy_version") == 0:
        store.add(
            "policy_version",
            version=DEFAULT_POLICY.version,
            config=DEFAULT_POLICY.to_dict(),
            valid_from=BEGINNING,
        )


def policy_at(store: Store, at: datetime) -> Policy:
    """The version in force at `at` (the first version for times before any change)."""
    spans = store.policy_spans()
    if not spans:
        return DEFAULT_POLICY
    in_force = [s for s in spans if s[1] <= at and (s[2] is None or at < s[2])]
    version, since, _ = in_force[0] if in_force else min(spans)
    key = (store.database_name(), version, since)
    if key not in _CACHE:
        row = store.get("policy_version", version)
        assert row is not None
        _CACHE[key] = Policy.from_dict({**row["config"], "version": version})
    return _CACHE[key]


def proposed_policy(store: Store, changes: dict[str, object]) -> Policy:
    """The next version: the latest one (in force or scheduled) with `changes` applied, checked
    — unknown keys, malformed retention rules, and the bounds the law fixes (refused with the
    article that fixes them, domain/policy_bounds.py)."""
    spans = store.policy_spans()
    current = policy_at(store, max(s[1] for s in spans)) if spans else DEFAULT_POLICY
    new = Policy.from_dict({**current.to_dict(), **changes, "version": current.version + 1})
    retention.rules(new)  # a malformed retention rule is refused now, not at the next lifecycle run
    bound = broken_bound(new)
    if bound is not None:
        raise Refused(
            "policy.statutory_bound",
            f"{bound.parameter} is fixed by law: {bound.allowed}",
            basis=bound.basis,
            field=bound.parameter,
        )
    return new


def change_policy(
    store: Store,
    changes: dict[str, object],
    by: str,
    at: datetime,
    effective_at: datetime | None = None,
) -> Policy:
    """A new version with `changes` applied from `effective_at` (default `at`); the previous
    version ends then. A version already scheduled after that time is refused."""
    new = proposed_policy(store, changes)
    start = effective_at or at
    if any(s[1] > start for s in store.policy_spans()):
        raise Refused(
            "policy.scheduled_later",
            "a policy version already takes effect at or after that time",
            basis="6/4",
        )
    store.end("policy_version", start)
    store.add(
        "policy_version", version=new.version, config=new.to_dict(), set_by=by, valid_from=start
    )
    return new
