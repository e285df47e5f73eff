"""The policy configuration in force at a time, and GM's changes to it (M6/4), versioned."""
from __future__ import annotations

from datetime import datetime

from mahrem.domain.policy import DEFAULT_POLICY, Policy
from mahrem.services.ports import Store
from mahrem.services.world import BEGINNING

_CACHE: dict[tuple[int, str], Policy] = {}


def ensure_policy(store: Store) -> None:
    """Install the default policy as version 1 when the store has none."""
    if store.count("policy_version") == 0:
        store.add("policy_version", version=DEFAULT_POLICY.version, config=DEFAULT_POLICY.to_dict(),
                  valid_from=BEGINNING)


def policy_at(store: Store, at: datetime) -> Policy:
    """The version in force at `at` (the first version for times before any change)."""
    rows = store.rows("policy_version")
    if not rows:
        return DEFAULT_POLICY
    in_force = [r for r in rows if r["valid_from"] <= at and (r["valid_to"] is None or at < r["valid_to"])]
    row = in_force[0] if in_force else min(rows, key=lambda r: r["version"])
    key = (row["version"], repr(sorted(row["config"].items())))
    if key not in _CACHE:
        _CACHE[key] = Policy.from_dict({**row["config"], "version": row["version"]})
    return _CACHE[key]


def change_policy(store: Store, changes: dict[str, object], by: str, at: datetime) -> Policy:
    """A new version with `changes` applied; the previous version ends at `at`."""
    current = policy_at(store, at)
    new = Policy.from_dict({**current.to_dict(), **changes, "version": current.version + 1})
    store.end("policy_version", at)
    store.add("policy_version", version=new.version, config=new.to_dict(), set_by=by, valid_from=at)
    return new
