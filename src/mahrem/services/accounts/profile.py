"""What the portal shows a person about themselves and the facts they set (read only):
who they are and in which capacities, their preferences (M6/2, M6/5, M8/1), the relatives
they authorised (M9), their children (M8), and for officers the orders and authorisations
they administer (M7, M12, M13/3). Decisions are never made here: records are read through
`records.read_records`, which asks the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from stdnum.tr import tckimlik

from mahrem.domain.clock import local_date
from mahrem.domain.errors import InputError
from mahrem.services import access
from mahrem.services.policies import policy_at
from mahrem.services.ports import Mahrem, Store


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    tckn: str
    birth_date: date
    phone: str
    age: int
    staff_posts: list[dict[str, Any]] = field(default_factory=list)
    officer_roles: list[dict[str, Any]] = field(default_factory=list)
    children: list[dict[str, Any]] = field(default_factory=list)
    parents: list[dict[str, Any]] = field(default_factory=list)
    shared: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_physician(self) -> bool:
        return any(p["role"] == "physician" for p in self.staff_posts)

    def has_role(self, role: str) -> bool:
        return any(r["role"] == role for r in self.officer_roles)


def _age(born: date, at: datetime) -> int:
    today = local_date(at)
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _name(store: Store, pid: str) -> str:
    row = store.get("person", pid)
    return str(row["name"]) if row else pid


def whoami(m: Mahrem, person: str, at: datetime) -> Profile:
    """The person, their staff posts and officer roles, children and parents in force at `at`."""
    with m.uow.read() as store:
        row = store.get("person", person)
        if row is None:
            raise InputError("person.unknown", f"unknown person {person!r}", field="person")
        posts = []
        for p in store.open_rows("staff_post", at, person=person):
            facility = store.get("facility", p["facility"]) or {}
            posts.append({**p, "facility_name": facility.get("name", p["facility"])})
        children = [
            _person_card(store, link["child"], at)
            for link in store.open_rows("parent_link", at, parent=person)
        ]
        parents = [
            _person_card(store, link["parent"], at)
            for link in store.open_rows("parent_link", at, child=person)
        ]
        return Profile(
            person,
            row["name"],
            row["tckn"],
            row["birth_date"],
            row["phone"] or "",
            _age(row["birth_date"], at),
            posts,
            store.open_rows("officer_role", at, person=person),
            children,
            parents,
            _shared_with(store, person, at),
        )


def _shared_with(store: Store, person: str, at: datetime) -> list[dict[str, Any]]:
    """People whose records this person may ask to read on their behalf: as an authorised
    relative (M9), a lawyer with a power of attorney (M10) or an heir (M11). The engine still
    decides every read; this only lists whom to ask about."""
    links = [
        (r["patient"], "relative")
        for r in store.open_rows("relative_authorization", at, relative=person)
    ]
    links += [
        (r["client"], "lawyer") for r in store.open_rows("power_of_attorney", at, lawyer=person)
    ]
    links += [(r["deceased"], "heir") for r in store.rows("inheritance_heir", heir=person)]
    seen: dict[str, dict[str, Any]] = {}
    for patient, capacity in links:
        seen.setdefault(patient, {**_person_card(store, patient, at), "capacity": capacity})
    return list(seen.values())


def _person_card(store: Store, pid: str, at: datetime) -> dict[str, Any]:
    row = store.get("person", pid) or {}
    born = row.get("birth_date")
    return {
        "id": pid,
        "name": row.get("name", pid),
        "birth_date": born,
        "age": _age(born, at) if born else None,
    }


def person_by_tckn(m: Mahrem, value: str, viewer: str | None = None) -> str | None:
    """The person a TC kimlik no names, or None; an invalid number is an input error. With a
    viewer, None also for a person the viewer may not know of (a concealed patient, M12)."""
    value = (value or "").strip()
    if not tckimlik.is_valid(value):
        raise InputError("tckn.invalid", "invalid TC kimlik no", field="tckn")
    if viewer is not None and not knows(m, viewer, "tckn", value):
        return None
    with m.uow.read() as store:
        found = store.rows("person", tckn=value)
    return str(found[0]["id"]) if found else None


def knows(m: Mahrem, viewer: str, kind: str, value: str) -> bool:
    """Whether the viewer may know of the patient, person or record `value` names (issue 14):
    the portal's door check, the same one the API makes (services/disclosure.py)."""
    from mahrem.domain.errors import NotFound
    from mahrem.services.access import Target, Viewer

    try:
        access.check_targets(
            m, Viewer(viewer), [Target(kind, value, kind)], action="read", door="portal"
        )
    except NotFound:
        return False
    return True


def privacy(m: Mahrem, patient: str, at: datetime) -> dict[str, Any]:
    """The patient's preferences in force: hidden records, history lock, parental restriction
    and the parents granted, whether the patient may restrict parents yet (M8/1), and the kinds
    of recipient the patient consented to transfers to (M15/1: private, foreign)."""
    with m.uow.read() as store:
        prefs = store.open_rows("preference", at, patient=patient)
        policy = policy_at(store, at)
        row = store.get("person", patient)
        assert row is not None
        kinds = {p["kind"] for p in prefs}
        return {
            "hidden": {p["record"] for p in prefs if p["kind"] == "record_hidden"},
            "history_locked": "history_locked" in kinds,
            "parental_restriction": "parental_restriction" in kinds,
            "parental_grants": {p["person"] for p in prefs if p["kind"] == "parental_grant"},
            "enabiz_account": "enabiz_account" in kinds,
            "transfer_consents": {
                str(p["detail"]) for p in prefs if p["kind"] == "transfer_consent"
            },
            "discernment_age": policy.discernment_age,
            "may_restrict_parents": _age(row["birth_date"], at) >= policy.discernment_age,
        }


def relatives(m: Mahrem, patient: str, at: datetime) -> list[dict[str, Any]]:
    """The relatives the patient has authorised (M9/1), in force at `at`."""
    with m.uow.read() as store:
        rows = store.open_rows("relative_authorization", at, patient=patient)
        return [
            {
                **r,
                "relative_name": _name(store, r["relative"]),
                "expired": r["until"] is not None and r["until"] < local_date(at),
            }
            for r in sorted(rows, key=lambda r: r["valid_from"])
        ]


def concealments_for(m: Mahrem, officer: str, at: datetime) -> list[dict[str, Any]]:
    """Concealment orders in force that name the officer as needing to know (M12)."""
    with m.uow.read() as store:
        out = []
        for order in store.rows("concealment_order"):
            if (
                officer in order["need_to_know"]
                and order["valid_from"] <= at
                and (order["valid_to"] is None or order["valid_to"] > at)
            ):
                person = store.get("person", order["patient"]) or {}
                out.append({**order, "name": person.get("name"), "tckn": person.get("tckn")})
        return out


def gm_overview(m: Mahrem, at: datetime) -> dict[str, Any]:
    """For the General Directorate: units with their ministry users and authorisations (M7,
    at most the policy's number per unit), pending requests, the correction cut-off (M13/3)
    and the policy versions (M6/4)."""
    with m.uow.read() as store:
        policy = policy_at(store, at)
        units = []
        for unit in sorted(store.rows("unit"), key=lambda u: u["id"]):
            users = [
                r["person"]
                for r in store.open_rows("officer_role", at, role="ministry_user", unit=unit["id"])
            ]
            active = {
                a["user"]: a
                for a in store.open_rows("reidentification_authorization", at, unit=unit["id"])
            }
            pending = {
                r["user"]
                for r in store.rows("reidentification_request", unit=unit["id"], granted_at=None)
            }
            units.append(
                {
                    **unit,
                    "max": policy.max_reidentifiers_per_unit,
                    "active": len(active),
                    "users": [
                        {
                            "id": u,
                            "name": _name(store, u),
                            "authorised": u in active,
                            "since": active[u]["valid_from"] if u in active else None,
                            "pending": u in pending,
                        }
                        for u in sorted(users)
                    ],
                }
            )
        cutoffs = store.open_rows("correction_cutoff", at)
        versions = sorted(store.rows("policy_version"), key=lambda v: v["version"], reverse=True)
        return {
            "units": units,
            "cutoff": cutoffs[0] if cutoffs else None,
            "policy_versions": [
                {**v, "set_by_name": _name(store, v["set_by"]) if v["set_by"] else None}
                for v in versions
            ],
            "policy_in_force": policy.version,
            "policy_parameters": sorted(k for k in policy.to_dict() if k != "version"),
        }


def names(m: Mahrem, ids: set[str]) -> dict[str, str]:
    """People's and facilities' names by id, for showing ids in words."""
    with m.uow.read() as store:
        out = {}
        for pid in ids:
            row = store.get("person", pid) or store.get("facility", pid)
            if row is not None:
                out[pid] = str(row["name"])
        return out
