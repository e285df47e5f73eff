"""Loading a world (facilities, people, staff, officers, units, software, records) into an
empty store: the scenario runner's and the demo's starting point."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mahrem.domain.clock import BEGINNING
from mahrem.domain.errors import InputError
from mahrem.domain.identity import validate_tckn
from mahrem.domain.policy import Policy
from mahrem.domain.roles import OFFICER_ROLES, STAFF_ROLES
from mahrem.services.inputs import Fields
from mahrem.services.lookup import require
from mahrem.services.policies import ensure_policy, policy_at
from mahrem.services.ports import KeyStore, Mahrem, Store
from mahrem.services.records import add_record

# World facts hold "from the beginning": before any step of the story.
FACILITY_KINDS = ("hospital", "family_health_center", "clinic", "laboratory")
SOFTWARE_STATUSES = ("registered", "suspended", "revoked", "unregistered")


def load_world(m: Mahrem, world: object, at: datetime | None = None) -> None:
    """Load a world into the store, all or nothing (the scenario runner, `mahrem demo load`)."""
    when = m.at(at)
    with m.uow.write() as store:
        ensure_policy(store)
        load_into(store, world, policy_at(store, when), when, keys=m.keys)


def load_into(
    store: Store, world: object, policy: Policy, now: datetime, keys: KeyStore | None = None
) -> None:
    """Validate and store a world; the first invalid field raises InputError naming it.
    Record content is encrypted under `keys` (M14); a caller without a key store leaves it for
    `records.seal_plaintext`."""
    w = Fields(world, "world")
    for i, item in enumerate(_list(w, "facilities")):
        f = Fields(item, f"world.facilities[{i}]")
        store.add(
            "facility",
            id=_new(store, "facility", f),
            name=f.str("name"),
            province=_province(f),
            kind=f.str("kind", FACILITY_KINDS),
        )
    for i, item in enumerate(_list(w, "people")):
        _person(store, Fields(item, f"world.people[{i}]"), now)
    for i, item in enumerate(_list(w, "units")):
        f = Fields(item, f"world.units[{i}]")
        store.add(
            "unit", id=_new(store, "unit", f), name=f.str("name"), duties=f.str_list("duties")
        )
    for i, item in enumerate(_list(w, "staff")):
        f = Fields(item, f"world.staff[{i}]")
        store.add(
            "staff_post",
            person=_ref(store, f, "person", "person"),
            facility=_ref(store, f, "facility", "facility"),
            role=f.str("role", STAFF_ROLES),
            specialty=f.opt_str("specialty"),
            valid_from=BEGINNING,
        )
    for i, item in enumerate(_list(w, "officers")):
        _officer(store, Fields(item, f"world.officers[{i}]"))
    for i, item in enumerate(_list(w, "software")):
        _software(store, Fields(item, f"world.software[{i}]"))
    for i, item in enumerate(_list(w, "records")):
        f = Fields(item, f"world.records[{i}]")
        add_record(store, item, f.where, f.datetime("created_at"), policy, keys)


def _list(w: Fields, key: str) -> list[Any]:
    value = w.data.get(key) or []
    if not isinstance(value, list):
        raise InputError("field.invalid", f"world.{key}: expected a list", field=f"world.{key}")
    return value


def _new(store: Store, kind: str, f: Fields) -> str:
    key = f.str("id")
    if store.exists(kind, key):
        raise InputError(
            f"{kind}.duplicate", f"{f.where}.id: duplicate id {key!r}", field=f"{f.where}.id"
        )
    return key


def _ref(store: Store, f: Fields, key: str, kind: str) -> str:
    return require(store, kind, f.str(key), f"{f.where}.{key}")


def _province(f: Fields) -> str:
    code = f.str("province")
    if not (len(code) == 2 and code.isdigit() and 1 <= int(code) <= 81):
        raise InputError(
            "field.invalid", f"{f.where}.province: plate code 01–81", field=f"{f.where}.province"
        )
    return code


def _person(store: Store, f: Fields, now: datetime) -> None:
    pid = _new(store, "person", f)
    tckn = validate_tckn(f.data.get("tckn"), f"{f.where}.tckn")
    if store.rows("person", tckn=tckn):
        raise InputError(
            "tckn.duplicate",
            f"{f.where}.tckn: already used by another person",
            field=f"{f.where}.tckn",
        )
    store.add(
        "person",
        id=pid,
        tckn=tckn,
        name=f.str("name"),
        birth_date=f.date("birth_date"),
        phone=f.opt_str("phone"),
        created_at=now,
    )
    if f.data.get("enabiz_account") is True:
        store.add("preference", patient=pid, kind="enabiz_account", valid_from=BEGINNING)
    elif f.has("enabiz_account"):
        f.bool("enabiz_account")


def _officer(store: Store, f: Fields) -> None:
    role = f.str("role", OFFICER_ROLES)
    province = _province(f) if role == "province_officer" else f.opt_str("province")
    unit = _ref(store, f, "unit", "unit") if role in ("ministry_user", "unit_head") else None
    store.add(
        "officer_role",
        person=_ref(store, f, "person", "person"),
        role=role,
        province=province,
        unit=unit,
        valid_from=BEGINNING,
    )


def _software(store: Store, f: Fields) -> None:
    sid = _new(store, "installation", f)
    admin = _ref(store, f, "administrator", "person") if f.has("administrator") else None
    store.add(
        "installation",
        id=sid,
        vendor=f.str("vendor"),
        product=f.str("product"),
        version=f.str("version"),
        facility=_ref(store, f, "facility", "facility"),
        administrator=admin,
    )
    store.add(
        "installation_status",
        installation=sid,
        status=f.str("status", SOFTWARE_STATUSES),
        valid_from=BEGINNING,
    )
