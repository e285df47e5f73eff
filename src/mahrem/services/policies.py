"""The policy configuration in force at a time, and GM's changes to it (M6/4), versioned."""

from __future__ import annotations

from datetime import datetime

from mahrem.domain import retention
from mahrem.domain.clock import BEGINNING
from mahrem.domain.policy import DEFAULT_POLICY, Policy
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


def change_policy(store: Store, changes: dict[str, object], by: str, at: datetime) -> Policy:
    """A new version with `changes` applied; the previous version ends at `at`."""
    current = policy_at(store, at)
    new = Policy.from_dict({**current.to_dict(), **changes, "version": current.version + 1})
    retention.rules(new)  # a malformed retention rule is refused now, not at the next lifecycle run
    store.end("policy_version", at)
    store.add("policy_version", version=new.version, config=new.to_dict(), set_by=by, valid_from=at)
    return new
