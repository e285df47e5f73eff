"""The demo world `make run` serves: two hospitals and a family health centre in Ankara and
İzmir, their staff, officers, a registered HBYS, and a few patients with records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from stdnum.tr import tckimlik

from mahrem.services import events
from mahrem.services.demo.loading import load_world
from mahrem.services.ports import Mahrem


def _tckn(seed: int) -> str:
    base = f"{123456000 + seed * 1117:09d}"
    return base + tckimlik.calc_check_digits(base)


PEOPLE = [
    ("P1", "Ayşe Yılmaz", "1980-05-01", True),
    ("P2", "Mehmet Kara", "1955-02-11", False),
    ("C1", "Deniz Yılmaz", "2010-06-15", False),
    ("B1", "Kemal Yılmaz", "1978-09-30", False),
    ("D1", "Dr. Mehmet Demir", "1975-03-12", False),
    ("D2", "Dr. Zeynep Kaya", "1982-07-08", False),
    ("D3", "Dr. Ali Çelik", "1979-11-23", False),
    ("D4", "Dr. Elif Aydın", "1985-01-17", False),
    ("N1", "Hemşire Fatma Şahin", "1990-04-04", False),
    ("A1", "Burak Öztürk (KVK sorumlusu)", "1984-08-19", False),
    ("O1", "Cem Koç (İl Sağlık Müdürlüğü)", "1981-12-01", False),
    ("G1", "Sevgi Tan (Genel Müdürlük)", "1977-10-10", False),
    ("U1", "Bakanlık Kullanıcısı Ece Er", "1988-02-02", False),
    ("K1", "Hasan Yılmaz (kardeş)", "1983-06-06", False),
]


def _obs(code: str, display: str, value: float, unit: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": display}]},
        "valueQuantity": {"value": value, "unit": unit},
    }


def _condition(system: str, code: str, display: str) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "subject": {"reference": "Patient/demo"},
        "code": {"coding": [{"system": system, "code": code, "display": display}]},
    }


def demo_world(now: datetime) -> dict[str, Any]:
    """The demo world; record times are relative to `now` so the demo is always current."""

    def ago(days: int) -> str:
        return (now - timedelta(days=days)).isoformat()

    return {
        "facilities": [
            {"id": "F1", "name": "Ankara Şehir Hastanesi", "province": "06", "kind": "hospital"},
            {
                "id": "F2",
                "name": "Çankaya 12 No'lu Aile Sağlığı Merkezi",
                "province": "06",
                "kind": "family_health_center",
            },
            {
                "id": "F3",
                "name": "İzmir Eğitim ve Araştırma Hastanesi",
                "province": "35",
                "kind": "hospital",
            },
        ],
        "people": [
            {
                "id": pid,
                "tckn": _tckn(i + 1),
                "name": name,
                "birth_date": born,
                "phone": f"+90555{i + 1:07d}",
                "enabiz_account": account,
            }
            for i, (pid, name, born, account) in enumerate(PEOPLE)
        ],
        "units": [
            {
                "id": "B1",
                "name": "Sağlık Hizmetleri Genel Müdürlüğü",
                "duties": ["planning", "inspection"],
            }
        ],
        "staff": [
            {
                "person": "D1",
                "facility": "F1",
                "role": "physician",
                "specialty": "internal_medicine",
            },
            {"person": "D2", "facility": "F2", "role": "physician", "specialty": "family_medicine"},
            {
                "person": "D3",
                "facility": "F3",
                "role": "physician",
                "specialty": "internal_medicine",
            },
            {"person": "D4", "facility": "F1", "role": "physician", "specialty": "psychiatry"},
            {"person": "N1", "facility": "F1", "role": "nurse", "specialty": "nursing"},
        ],
        "officers": [
            {"person": "A1", "role": "dpo"},
            {"person": "O1", "role": "province_officer", "province": "06"},
            {"person": "G1", "role": "gm_officer"},
            {"person": "U1", "role": "ministry_user", "unit": "B1"},
        ],
        "software": [
            {
                "id": "S1",
                "vendor": "Örnek Yazılım A.Ş.",
                "product": "HBYS",
                "version": "4.2.1",
                "status": "registered",
                "facility": "F1",
                "administrator": "A1",
            }
        ],
        "records": [
            {
                "id": "R1",
                "patient": "P1",
                "facility": "F3",
                "author": "D3",
                "created_at": ago(120),
                "resource": _obs("2345-7", "Glukoz", 98, "mg/dL"),
            },
            {
                "id": "R2",
                "patient": "P1",
                "facility": "F3",
                "author": "D3",
                "created_at": ago(90),
                "resource": _condition(
                    "http://hl7.org/fhir/sid/icd-10", "F32.1", "Orta depresif epizod"
                ),
            },
            {
                "id": "R3",
                "patient": "P2",
                "facility": "F1",
                "author": "D1",
                "created_at": ago(30),
                "resource": _obs("718-7", "Hemoglobin", 13.1, "g/dL"),
            },
            {
                "id": "R4",
                "patient": "C1",
                "facility": "F3",
                "author": "D3",
                "created_at": ago(60),
                "resource": _obs("2345-7", "Glukoz", 87, "mg/dL"),
            },
        ],
    }


def load_demo(service: Mahrem) -> str:
    """Load the demo world and a few events, unless the database already has people."""
    import os

    from mahrem.domain.errors import MahremError

    if os.environ.get("MAHREM_ENV") == "production":
        # The demo's passwords, TOTP secret and API key are published in the README.
        raise MahremError(
            "demo.production", "the demo world is never loaded when MAHREM_ENV=production"
        )
    if service.uow.has_data():
        return "demo: the database already holds data; left as it is"
    now = datetime.now(UTC).replace(microsecond=0)
    load_world(service, demo_world(now), now - timedelta(days=1))
    for minutes, event in [
        (-600, {"type": "family_doctor_registered", "patient": "P1", "physician": "D2"}),
        (-590, {"type": "parent_of", "parent": "P1", "child": "C1"}),
        (
            -580,
            {
                "type": "relative_authorized",
                "patient": "P1",
                "relative": "K1",
                "categories": ["laboratory"],
            },
        ),
        (-60, {"type": "check_in", "id": "E1", "patient": "P2", "facility": "F1"}),
    ]:
        events.apply_event(service, event, now + timedelta(minutes=minutes))
    from mahrem.services.demo.accounts import load_demo_accounts
    from mahrem.services.demo.kts_registry import load_demo_registry

    keys = load_demo_registry(service, now)
    table = load_demo_accounts(service, now)
    lines = ["demo: loaded 3 facilities, 14 people, 4 records; accounts (login = TC kimlik no):"]
    lines += [
        f"  {a['person']:<3} {a['role']:<16} {a['login']}  {a['password']}"
        + (f"  TOTP {a['totp_secret']}" if a["totp_secret"] else "")
        for a in table
    ]
    lines += [f"  software {iid}: API key {key}" for iid, key in sorted(keys.items())]
    return "\n".join(lines)
