"""Policy changes as the law allows them (M6/4, M5/8; issue 21).

M6/4 lets the General Directorate re-evaluate the access rules, and adds: "Böyle bir durumda
aydınlatma yükümlülüğü kapsamında gereklilikler sağlanır." (the information duty is met). So a
change is a draft:
the changes, a reason, an effective time strictly after it is recorded, and the new version of
the information notice that tells people of it. A GM officer activates it: the notice is
published now and the policy version takes effect at its time, and every decision after that
names the new version. A change to what the law fixes is refused with the article that fixes
it (domain/policy_bounds.py) when drafted and again when activated.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain.errors import InputError, NotFound, Refused
from mahrem.services import audit, guard, policies
from mahrem.services.ports import Row, Store
from mahrem.services.rights.notices import add_notice, notice_texts

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem


def draft_policy(
    m: Mahrem,
    by: str,
    *,
    changes: dict[str, Any],
    effective_at: datetime,
    reason: str,
    notice: dict[str, Any],
    at: datetime | None = None,
) -> dict[str, Any]:
    """M6/4 — a GM officer drafts a change: checked now (unknown keys, malformed values, the
    bounds the law fixes, an effective time after now), stored as a draft, audited."""
    now = m.at(at)
    if not isinstance(changes, dict) or not changes:
        raise InputError("field.missing", "changes: name at least one parameter", field="changes")
    if not isinstance(reason, str) or not reason.strip():
        raise InputError("field.missing", "reason: say why the policy changes", field="reason")
    texts = notice_texts(notice, "notice.")
    with m.uow.write() as store:
        _require_gm(store, by, now)
        _check_effective(effective_at, now)
        policies.proposed_policy(store, changes)
        draft_id = store.add(
            "policy_draft",
            changes=changes,
            reason=reason.strip(),
            effective_at=effective_at,
            notice=texts,
            status="draft",
            drafted_by=by,
            drafted_at=now,
        )
        assert draft_id is not None
        audit.append(
            store,
            at=now,
            kind="admin",
            actor=by,
            action="policy_drafted",
            outcome="accepted",
            basis="6/4",
            detail={"draft": draft_id, "parameters": sorted(changes)},
        )
        return _shown(_draft(store, draft_id))


def activate_policy(
    m: Mahrem, by: str, draft_id: int, at: datetime | None = None
) -> dict[str, Any]:
    """M6/4 — a GM officer activates a draft: its notice is published now, its policy version
    takes effect at the draft's time (which must still be ahead)."""
    now = m.at(at)
    with m.uow.write() as store:
        _require_gm(store, by, now)
        row = _open_draft(store, draft_id)
        _check_effective(row["effective_at"], now)
        new = policies.change_policy(store, row["changes"], by, now, row["effective_at"])
        notice_version = add_notice(store, by, now, row["notice"])
        store.set(
            "policy_draft",
            draft_id,
            status="active",
            decided_by=by,
            decided_at=now,
            policy_version=new.version,
            notice_version=notice_version,
        )
        audit.append(
            store,
            at=now,
            kind="admin",
            actor=by,
            action="policy_changed",
            outcome="accepted",
            basis="6/4",
            policy_version=new.version,
            detail={
                "draft": draft_id,
                "changes": row["changes"],
                "effective_at": row["effective_at"].isoformat(),
                "notice_version": notice_version,
            },
        )
        return _shown(_draft(store, draft_id))


def withdraw_policy(
    m: Mahrem, by: str, draft_id: int, at: datetime | None = None
) -> dict[str, Any]:
    """A GM officer withdraws a draft that was not activated."""
    now = m.at(at)
    with m.uow.write() as store:
        _require_gm(store, by, now)
        _open_draft(store, draft_id)
        store.set("policy_draft", draft_id, status="withdrawn", decided_by=by, decided_at=now)
        audit.append(
            store,
            at=now,
            kind="admin",
            actor=by,
            action="policy_draft_withdrawn",
            outcome="accepted",
            basis="6/4",
            detail={"draft": draft_id},
        )
        return _shown(_draft(store, draft_id))


def policy_drafts(m: Mahrem, by: str, at: datetime | None = None) -> list[dict[str, Any]]:
    """Every draft, newest first (GM officers)."""
    now = m.at(at)
    with m.uow.read() as store:
        _require_gm(store, by, now)
        return [_shown(r) for r in sorted(store.rows("policy_draft"), key=lambda r: -r["id"])]


def policy_in_force(m: Mahrem, at: datetime | None = None) -> dict[str, Any]:
    """The policy version in force at `at` (default now) and its parameters, with the versions
    scheduled after it: public, as the information duty wants (M6/4)."""
    now = m.at(at)
    with m.uow.read() as store:
        current = policies.policy_at(store, now)
        spans = store.policy_spans()
    return {
        "version": current.version,
        "parameters": current.to_dict(),
        "scheduled": [
            {"version": v, "effective_at": start.isoformat()}
            for v, start, _ in sorted(spans)
            if start > now
        ],
    }


def _require_gm(store: Store, by: str, now: datetime) -> None:
    guard.require_role(
        store,
        by,
        guard.GM_OFFICER,
        now,
        "policy.forbidden",
        "only a General Directorate officer changes the policy",
    )


def _check_effective(effective_at: datetime, now: datetime) -> None:
    if effective_at.tzinfo is None:
        raise InputError("time.naive", "effective_at: give the UTC offset", field="effective_at")
    if effective_at <= now:
        raise Refused(
            "policy.effective_past",
            "a policy change takes effect after it is recorded and announced (M6/4)",
            basis="6/4",
            field="effective_at",
        )


def _draft(store: Store, draft_id: int) -> Row:
    row = store.get("policy_draft", draft_id)
    if row is None:
        raise NotFound("policy.draft_unknown", f"no policy draft {draft_id}", field="draft")
    return row


def _open_draft(store: Store, draft_id: int) -> Row:
    """The draft, still neither activated nor withdrawn."""
    row = _draft(store, draft_id)
    if row["status"] != "draft":
        raise Refused(
            "policy.draft_closed", f"draft {draft_id} is {row['status']} already", basis="6/4"
        )
    return row


def _shown(row: Row) -> dict[str, Any]:
    out = {k: row[k] for k in ("id", "changes", "reason", "notice", "status", "drafted_by")}
    for k in ("decided_by", "policy_version", "notice_version"):
        out[k] = row[k]
    for k in ("effective_at", "drafted_at", "decided_at"):
        out[k] = row[k].isoformat() if row[k] else None
    return out
