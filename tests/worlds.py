"""Small worlds for tests, built the way the scenario files are."""
from __future__ import annotations

import copy
from typing import Any

from stdnum.tr import tckimlik


def tckn(n: int) -> str:
    """A valid TC kimlik no derived from `n` (first digit never 0)."""
    base = f"{100000000 + n * 7919 % 800000000:09d}"
    return base + tckimlik.calc_check_digits(base)


def person(pid: str, n: int, birth_date: str = "1980-05-01", account: bool = False) -> dict[str, Any]:
    return {"id": pid, "tckn": tckn(n), "name": f"Kişi {pid}", "birth_date": birth_date,
            "phone": f"+90555{n:07d}", "enabiz_account": account}


OBSERVATION = {
    "resourceType": "Observation", "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7", "display": "Glucose"}]},
}
NOTE = {
    "resourceType": "DocumentReference", "status": "current",
    "type": {"coding": [{"system": "http://loinc.org", "code": "11488-4"}]},
    "content": [{"attachment": {"contentType": "text/plain", "data": "UmFwb3I="}}],
}

BASE_WORLD: dict[str, Any] = {
    "facilities": [
        {"id": "F1", "name": "Ankara Şehir Hastanesi", "province": "06", "kind": "hospital"},
        {"id": "F2", "name": "Çankaya ASM", "province": "06", "kind": "family_health_center"},
        {"id": "F3", "name": "İzmir EAH", "province": "35", "kind": "hospital"},
    ],
    "people": [
        person("P1", 1), person("D1", 2), person("D2", 3), person("D3", 4), person("D4", 5),
        person("N1", 6), person("A1", 7), person("O1", 8), person("G1", 9), person("U1", 10),
        person("C1", 11, birth_date="2011-06-15"), person("M1", 12), person("K1", 13),
        person("L1", 14), person("H1", 15), person("S9", 16),
    ],
    "staff": [
        {"person": "D1", "facility": "F1", "role": "physician", "specialty": "internal_medicine"},
        {"person": "D2", "facility": "F2", "role": "physician", "specialty": "family_medicine"},
        {"person": "D3", "facility": "F3", "role": "physician", "specialty": "internal_medicine"},
        {"person": "D4", "facility": "F1", "role": "physician", "specialty": "psychiatry"},
        {"person": "N1", "facility": "F1", "role": "nurse", "specialty": "nursing"},
        {"person": "S9", "facility": "F1", "role": "other_staff", "specialty": "administration"},
    ],
    "units": [{"id": "B1", "name": "Birim 1", "duties": ["planning", "inspection"]}],
    "officers": [
        {"person": "A1", "role": "dpo"},
        {"person": "O1", "role": "province_officer", "province": "06"},
        {"person": "G1", "role": "gm_officer"},
        {"person": "U1", "role": "ministry_user", "unit": "B1"},
    ],
    "software": [
        {"id": "S1", "vendor": "Örnek", "product": "HBYS", "version": "1", "status": "registered",
         "facility": "F1", "administrator": "A1"},
    ],
    "records": [
        {"id": "R1", "patient": "P1", "facility": "F3", "author": "D3",
         "created_at": "2025-11-10T10:00:00+03:00", "category": "laboratory", "resource": OBSERVATION},
        {"id": "R2", "patient": "P1", "facility": "F3", "author": "D3",
         "created_at": "2025-12-01T11:00:00+03:00", "category": "psychiatry", "resource": NOTE},
        {"id": "R4", "patient": "C1", "facility": "F3", "author": "D3",
         "created_at": "2025-10-01T10:00:00+03:00", "category": "laboratory", "resource": OBSERVATION},
    ],
}


def world(**changes: Any) -> dict[str, Any]:
    w = copy.deepcopy(BASE_WORLD)
    w.update(changes)
    return w
