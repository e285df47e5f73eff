"""The demo world's accounts: a password for every demo person, and one published TOTP secret
for staff and officers. The README prints them; `load_demo` refuses MAHREM_ENV=production."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mahrem.services.accounts import requires_totp, set_password, store_totp_secret
from mahrem.services.demo.seed import PEOPLE
from mahrem.services.ports import Mahrem, Store

DEMO_TOTP_SECRET = "MAHREMDEMOSECRETKEYFORTOTPCODES2"  # base32; demo accounts only


def load_demo_accounts(m: Mahrem, at: datetime | None = None) -> list[dict[str, Any]]:
    """Passwords for the demo people of demo/seed.py, and the fixed demo TOTP secret for
    staff and officers. Returns the README's table: who, role, login, password, TOTP secret."""
    when = m.at(at)
    table: list[dict[str, Any]] = []
    for pid, name, _born, _account in PEOPLE:
        with m.uow.read() as store:
            row = store.get("person", pid)
            if row is None:
                continue
            role = _role_of(store, pid, when)
            second = requires_totp(store, pid, when)
        password = f"Mahrem-{pid}-Demo"
        set_password(m, pid, password, when)
        if second:
            store_totp_secret(m, pid, DEMO_TOTP_SECRET, when)
        table.append(
            {
                "person": pid,
                "name": name,
                "role": role,
                "login": row["tckn"],
                "password": password,
                "totp_secret": DEMO_TOTP_SECRET if second else None,
            }
        )
    return table


def _role_of(store: Store, person: str, at: datetime) -> str:
    posts = store.open_rows("staff_post", at, person=person)
    if posts:
        return f"{posts[0]['role']} ({posts[0]['facility']})"
    roles = store.open_rows("officer_role", at, person=person)
    if roles:
        return str(roles[0]["role"])
    return "patient"
