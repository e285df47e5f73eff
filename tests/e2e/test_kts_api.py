"""The KTS registry over HTTP (the letter, points 1-3): a General Directorate officer registers
software, the catalogue refuses foreign integrations, keys are shown once and rotate, the
lifecycle sweep by date closes the gate, and officers see incidents and compliance."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from mahrem.entrypoints.api.app import create_app
from mahrem.services.ports import Mahrem
from tests.e2e.auth import headers_for
from tests.e2e.conftest import Clock
from tests.integration.helpers import loaded, rows


@pytest.fixture
def api(clocked: Mahrem) -> TestClient:
    loaded(clocked)
    return TestClient(create_app(clocked))


def as_(service: Mahrem, person: str) -> dict[str, str]:
    return headers_for(service, person)


def register(api: TestClient, service: Mahrem, valid_until: str = "2026-03-13") -> None:
    gm = as_(service, "G1")
    for path, body in [
        (
            "/kts/firms",
            {
                "id": "FIRM1",
                "legal_name": "Örnek Bilişim A.Ş.",
                "tax_number": "4540536920",
                "representative": "Ayşe Demir",
            },
        ),
        (
            "/kts/products",
            {"id": "HBYS1", "firm": "FIRM1", "name": "Örnek HBYS", "sbys_type": "HBYS"},
        ),
        (
            "/kts/products/HBYS1/versions",
            {"id": "HBYS1-5", "version": "5.0", "release_notes": "İlk sürüm"},
        ),
        (
            "/kts/certificates",
            {
                "id": "CERT1",
                "firm": "FIRM1",
                "type": "ISO/IEC 27001",
                "issuer": "TSE",
                "valid_until": valid_until,
            },
        ),
        (
            "/kts/installations",
            {"id": "S2", "product_version": "HBYS1-5", "facility": "F1", "administrator": "A1"},
        ),
        ("/kts/catalogue", {"id": "MEDULA", "name": "MEDULA", "description": "SGK"}),
    ]:
        response = api.post(path, json=body, headers=gm)
        assert response.status_code == 200, (path, response.json())


def software_decide(api: TestClient, key: str, record: str = "R1", patient: str = "P1") -> Any:
    return api.post(
        "/decide",
        json={
            "request": {
                "action": "read",
                "patient": patient,
                "record": record,
                "purpose": "treatment",
            }
        },
        headers={"Authorization": f"Bearer {key}", "X-Acting-Person": "D1"},
    )


def test_a_gm_officer_registers_software_and_others_are_refused_kts_3(
    api: TestClient, clocked: Mahrem
) -> None:
    register(api, clocked)
    view = api.get("/kts/installations/S2", headers=as_(clocked, "D1")).json()
    assert (view["status"], view["firm"], view["administrator"]) == ("registered", "FIRM1", "A1")
    refused = api.post(
        "/kts/firms",
        json={"id": "F9", "legal_name": "X", "tax_number": "4540536920", "representative": "X"},
        headers=as_(clocked, "A1"),
    )
    assert refused.status_code == 403 and refused.json()["code"] == "kts.forbidden"
    assert refused.headers["content-type"].startswith("application/problem+json")
    bad = api.post(
        "/kts/firms",
        json={"id": "F9", "legal_name": "X", "tax_number": "4540536921", "representative": "X"},
        headers=as_(clocked, "G1"),
    )
    assert bad.status_code == 422 and bad.json()["code"] == "vkn.invalid"
    page = api.get(
        "/kts/firms", params={"limit": 1, "offset": 0}, headers=as_(clocked, "D1")
    ).json()
    assert [f["id"] for f in page] == ["FIRM1"]
    assert api.get("/kts/firms", params={"offset": 1}, headers=as_(clocked, "D1")).json() == []


def test_an_integration_outside_the_catalogue_is_refused_over_http_kts_1(
    api: TestClient, clocked: Mahrem
) -> None:
    register(api, clocked)
    gm = as_(clocked, "G1")
    refused = api.post("/kts/installations/S2/integrations", json={"system": "ACME"}, headers=gm)
    assert refused.status_code == 403 and refused.json()["basis"] == "KTS/1"
    assert (
        api.post(
            "/kts/installations/S2/integrations", json={"system": "MEDULA"}, headers=gm
        ).status_code
        == 200
    )
    listed = api.get("/kts/installations/S2/integrations", headers=gm).json()
    assert [i["system"] for i in listed] == ["MEDULA"]


def test_a_key_is_shown_once_rotates_and_revokes_over_http_kts_3(
    api: TestClient, clocked: Mahrem
) -> None:
    register(api, clocked)
    gm = as_(clocked, "G1")
    key = api.post("/kts/installations/S2/keys", headers=gm).json()["key"]
    assert all(key not in str(v) for r in rows(clocked, "kts_api_key") for v in r.values())
    assert (
        software_decide(api, key).json()["basis"] == "6/3"
    )  # authenticated as S2; no care relationship
    history = api.get("/kts/installations/S2/keys", headers=gm).json()
    assert [h["prefix"] for h in history] == [key[:12]] and "key" not in history[0]
    new = api.post("/kts/installations/S2/keys/rotate", headers=gm).json()["key"]
    assert software_decide(api, key).status_code == 401
    assert software_decide(api, new).status_code == 200
    assert api.post("/kts/installations/S2/keys/revoke", headers=gm).json() == {
        "installation": "S2",
        "revoked": 1,
    }
    assert software_decide(api, new).status_code == 401
    assert api.post("/kts/installations/S2/keys", headers=as_(clocked, "D1")).status_code == 403


def test_the_sweep_by_date_closes_the_gate_and_leaves_an_incident_kts_3(
    api: TestClient, clocked: Mahrem, clock: Clock
) -> None:
    # Valid through Friday 13 March. Grace: 16–19 March, (20 March is Ramazan Bayramı), 23,
    # 24, 25 March: passive from the 26th.
    clock.set("2026-03-25T23:00:00+03:00")
    register(api, clocked, valid_until="2026-03-13")
    gm = as_(clocked, "G1")
    key = api.post("/kts/installations/S2/keys", headers=gm).json()["key"]
    ahead = api.post(
        "/kts/sweep", params={"at": "2026-03-26T00:00:00+03:00", "dry_run": True}, headers=gm
    ).json()
    assert [(c["kind"], c["to"]) for c in ahead] == [("warning", None), ("status", "passive")]
    assert (
        api.post("/kts/sweep", params={"at": "2026-03-26T00:00:00+03:00"}, headers=gm).status_code
        == 422
    )
    assert rows(clocked, "kts_certificate_warning") == []  # a dry run writes nothing
    assert [c["kind"] for c in api.post("/kts/sweep", headers=gm).json()] == ["warning"]
    clock.set("2026-03-26T00:00:00+03:00")
    changed = api.post("/kts/sweep", headers=gm).json()
    assert [(c["installation"], c["from"], c["to"], c["basis"]) for c in changed] == [
        ("S2", "registered", "passive", "KTS/3")
    ]
    assert api.post("/kts/sweep", headers=as_(clocked, "D1")).status_code == 403
    clock.set("2026-03-26T01:00:00+03:00")
    denied = software_decide(api, key)
    assert (denied.json()["decision"], denied.json()["basis"]) == ("deny", "KTS/3")
    report = api.get(
        "/kts/compliance", params={"facility": "F1"}, headers=as_(clocked, "A1")
    ).json()
    (f1,) = report
    s2 = next(s for s in f1["software"] if s["installation"] == "S2")
    assert (s2["status"], s2["administrator"]) == ("passive", "A1")
    assert [(i["installation"], i["kind"], i["administrator"]) for i in f1["incidents"]] == [
        ("S2", "not_registered", "A1")
    ]
    assert api.get("/kts/compliance", headers=as_(clocked, "D1")).status_code == 403
    assert api.get("/kts/incidents", headers=as_(clocked, "G1")).status_code == 200


def test_suspension_and_reactivation_over_http_kts_3(api: TestClient, clocked: Mahrem) -> None:
    register(api, clocked, valid_until="2027-01-01")
    gm = as_(clocked, "G1")
    suspended = api.post(
        "/kts/installations/S2/suspend", json={"reason": "denetim"}, headers=gm
    ).json()
    assert (suspended["from"], suspended["to"]) == ("registered", "suspended")
    assert (
        api.post("/kts/installations/S2/reactivate", json={}, headers=gm).json()["to"]
        == "registered"
    )
    assert api.post("/kts/installations/S2/revoke", json={}, headers=gm).json()["to"] == "revoked"
    final = api.post("/kts/installations/S2/reactivate", json={}, headers=gm)
    assert final.status_code == 403 and final.json()["code"] == "kts.status_final"
    assert api.post("/kts/installations/NOPE/suspend", json={}, headers=gm).status_code == 404
