"""Small worlds for tests, built the way the scenario files are."""

from __future__ import annotations

import copy
from typing import Any

from stdnum.tr import tckimlik


def tckn(n: int) -> str:
    """A valid TC kimlik no derived from `n` (first digit never 0)."""
    base = f"{100000000 + n * 7919 % 800000000:09d}"
    return base + tckimlik.calc_check_digits(base)


def person(
    pid: str, n: int, birth_date: str = "1980-05-01", account: bool = False
) -> dict[str, Any]:
    return {
        "id": pid,
        "tckn": tckn(n),
        "name": f"Kişi {pid}",
        "birth_date": birth_date,
        "phone": f"+90555{n:07d}",
        "enabiz_account": account,
    }


OBSERVATION = {
    "resourceType": "Observation",
    "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7", "display": "Glucose"}]},
}
NOTE = {
    "resourceType": "DocumentReference",
    "status": "current",
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
        person("P1", 1),
        person("D1", 2),
        person("D2", 3),
        person("D3", 4),
        person("D4", 5),
        person("N1", 6),
        person("A1", 7),
        person("O1", 8),
        person("G1", 9),
        person("U1", 10),
        person("C1", 11, birth_date="2011-06-15"),
        person("M1", 12),
        person("K1", 13),
        person("L1", 14),
        person("H1", 15),
        person("S9", 16),
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
        {
            "id": "S1",
            "vendor": "Örnek",
            "product": "HBYS",
            "version": "1",
            "status": "registered",
            "facility": "F1",
            "administrator": "A1",
        },
    ],
    "records": [
        {
            "id": "R1",
            "patient": "P1",
            "facility": "F3",
            "author": "D3",
            "created_at": "2025-11-10T10:00:00+03:00",
            "category": "laboratory",
            "resource": OBSERVATION,
        },
        {
            "id": "R2",
            "patient": "P1",
            "facility": "F3",
            "author": "D3",
            "created_at": "2025-12-01T11:00:00+03:00",
            "category": "psychiatry",
            "resource": NOTE,
        },
        {
            "id": "R4",
            "patient": "C1",
            "facility": "F3",
            "author": "D3",
            "created_at": "2025-10-01T10:00:00+03:00",
            "category": "laboratory",
            "resource": OBSERVATION,
        },
    ],
}


def world(**changes: Any) -> dict[str, Any]:
    w = copy.deepcopy(BASE_WORLD)
    w.update(changes)
    return w


# -- a world whose records carry identifiers everywhere (central feed M7, printouts M5/5) -----
def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


def lab(
    record: str,
    patient: str,
    name: str,
    loinc: str,
    test: str,
    value: float,
    unit: str,
    low: float,
    high: float,
    taken: str = "2026-03-02T08:40:00+03:00",
) -> dict[str, Any]:
    """A laboratory Observation whose subject display carries the patient's name."""
    return {
        "id": record,
        "patient": patient,
        "facility": "F1",
        "author": "D1",
        "created_at": "2026-03-02T11:00:00+03:00",
        "category": "laboratory",
        "resource": {
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
            "code": {"coding": [{"system": "http://loinc.org", "code": loinc}], "text": test},
            "subject": {"reference": f"Patient/{patient}", "display": name},
            "effectiveDateTime": taken,
            "valueQuantity": {"value": value, "unit": unit},
            "referenceRange": [{"low": {"value": low}, "high": {"value": high}}],
        },
    }


# Patients with names that test Turkish casing (İ, I, ı, ş, ğ, ü, ö) and phones in E.164.
IDENTIFIED = {
    "P1": ("İlkay Işıkoğlu", 101, "1984-07-19", "+905321234567"),
    "P2": ("Şükrü Öztürkmen", 102, "1952-11-03", "+905427654321"),
}


def identified_world() -> dict[str, Any]:
    """The base world with two patients whose identifiers appear in every corner of their
    FHIR records: subject displays, identifiers, notes, narrative, contained resources,
    extensions, a text attachment, and a Patient resource with an address."""
    w = world()
    w["people"] = [p for p in w["people"] if p["id"] not in IDENTIFIED]
    for pid, (name, n, born, phone) in IDENTIFIED.items():
        w["people"].append(
            {"id": pid, "tckn": tckn(n), "name": name, "birth_date": born, "phone": phone}
        )
    w["people"] += [person("U2", 30), person("U3", 31), person("U4", 32), person("U5", 33)]
    w["units"].append(
        {"id": "B2", "name": "Strateji Geliştirme Başkanlığı", "duties": ["financing"]}
    )
    w["officers"] += [
        {"person": u, "role": "ministry_user", "unit": "B1"} for u in ("U2", "U3", "U4")
    ]
    w["officers"].append({"person": "U5", "role": "ministry_user", "unit": "B2"})
    p1, p2 = tckn(101), tckn(102)
    w["records"] = [
        lab("L1", "P1", "İlkay Işıkoğlu", "2345-7", "Glukoz (açlık)", 112, "mg/dL", 74, 106),
        lab("L2", "P1", "İLKAY IŞIKOĞLU", "718-7", "Hemoglobin", 11.2, "g/dL", 12, 15.5),
        lab("L3", "P1", "ilkay ışıkoğlu", "2160-0", "Kreatinin", 0.82, "mg/dL", 0.51, 0.95),
        lab("L4", "P2", "Şükrü Öztürkmen", "3016-3", "TSH", 2.1, "mIU/L", 0.27, 4.2),
        {
            "id": "N1P1",
            "patient": "P1",
            "facility": "F1",
            "author": "D1",
            "created_at": "2026-03-02T12:00:00+03:00",
            "category": "general",
            "resource": {
                "resourceType": "DocumentReference",
                "status": "current",
                "identifier": [{"system": "urn:oid:2.16.840.1.113883.3.9901", "value": p1}],
                "subject": {
                    "identifier": {"system": "urn:oid:2.16.840.1.113883.3.9901", "value": p1}
                },
                "text": {
                    "status": "generated",
                    "div": f'<div xmlns="http://www.w3.org/1999/xhtml">İlkay Işıkoğlu {p1}</div>',
                },
                "description": f"Hasta Işıkoğlu, İlkay (TC {p1[:3]} {p1[3:6]} {p1[6:9]} {p1[9:]}) "
                "0532 123 45 67 numaradan aradı.",
                "author": [{"reference": "Practitioner/D1", "display": "Dr. Kişi D1"}],
                "content": [
                    {
                        "attachment": {
                            "contentType": "text/plain; charset=utf-8",
                            "data": _b64(f"Epikriz: İlkay Işıkoğlu, {p1}, tel +90 532 123 4567"),
                        }
                    },
                    {
                        "attachment": {
                            "contentType": "application/pdf",
                            "data": _b64("%PDF İlkay Işıkoğlu"),
                        }
                    },
                ],
            },
        },
        {
            "id": "PD1",
            "patient": "P1",
            "facility": "F1",
            "created_at": "2026-01-05T10:00:00+03:00",
            "resource": {
                "resourceType": "Patient",
                "identifier": [{"system": "urn:oid:2.16.840.1.113883.3.9901", "value": p1}],
                "name": [{"family": "Işıkoğlu", "given": ["İlkay"]}],
                "telecom": [{"system": "phone", "value": "+905321234567"}],
                "birthDate": "1984-07-19",
                "address": [
                    {
                        "line": ["Kızılay Mah. Atatürk Blv. No: 12/4"],
                        "district": "Çankaya",
                        "city": "Ankara",
                        "postalCode": "06420",
                        "country": "TR",
                    }
                ],
                "extension": [
                    {
                        "url": "http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName",
                        "valueString": "Gülsüm Karadağ",
                    }
                ],
                "contact": [
                    {"name": {"text": "Gülsüm Karadağ"}, "telecom": [{"value": "+905551112233"}]}
                ],
            },
        },
        {
            "id": "C2",
            "patient": "P2",
            "facility": "F3",
            "author": "D3",
            "created_at": "2026-02-10T09:00:00+03:00",
            "resource": {
                "resourceType": "Condition",
                "code": {
                    "coding": [
                        {
                            "system": "http://snomed.info/sct",
                            "code": "44054006",
                            "display": "Diabetes mellitus type 2",
                        }
                    ]
                },
                "subject": {"reference": "Patient/P2", "display": "Şükrü Öztürkmen"},
                "contained": [
                    {
                        "resourceType": "RelatedPerson",
                        "id": "rp",
                        "patient": {"reference": "Patient/P2"},
                        "name": [{"text": "Şükrü Öztürkmen'in eşi"}],
                        "telecom": [{"value": "+905427654321"}],
                    }
                ],
                "note": [
                    {
                        "text": f"Kontrol için {p2} ile kayıt açıldı; "
                        "hasta ŞÜKRÜ ÖZTÜRKMEN, tel 05427654321."
                    }
                ],
            },
        },
    ]
    return w
