"""The KTS gate at the API (the letter, points 2 and 3): software that is not registered is
refused KTS/3 and leaves an incident naming the facility and its administrator; reads that look
like copying a facility's data are refused as an export (KTS/2)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mahrem.entrypoints.api.app import create_app
from mahrem.services import access, kts
from mahrem.services.ports import Mahrem
from tests.e2e.auth import software_headers
from tests.e2e.conftest import Clock
from tests.integration.helpers import event, loaded
from tests.worlds import person

READ = {"action": "read", "purpose": "treatment"}
PATIENTS = ["Q1", "Q2", "Q3", "Q4", "Q5"]


@pytest.fixture
def api(clocked: Mahrem) -> TestClient:
    people = [person(p, 200 + i) for i, p in enumerate(PATIENTS)]
    records = [
        {
            "id": f"R{p}",
            "patient": p,
            "facility": "F3",
            "author": "D3",
            "created_at": "2025-11-10T10:00:00+03:00",
            "category": "laboratory",
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
            },
        }
        for p in PATIENTS
    ]
    from tests.worlds import BASE_WORLD

    loaded(clocked, people=BASE_WORLD["people"] + people, records=BASE_WORLD["records"] + records)
    return TestClient(create_app(clocked))


def svc(api: TestClient) -> Mahrem:
    service: Mahrem = api.app.state.service  # type: ignore[attr-defined]
    return service


def read(api: TestClient, patient: str) -> tuple[int, str | None]:
    res = api.post(
        "/decide",
        json={"request": {**READ, "patient": patient, "record": f"R{patient}"}},
        headers=software_headers(svc(api), "S1", "D1"),
    )
    body = res.json()
    return res.status_code, body.get("basis")


def test_a_suspended_installation_is_refused_and_leaves_an_incident_kts_3(
    api: TestClient, clock: Clock
) -> None:
    headers = software_headers(svc(api), "S1", "D1", "treatment")
    event(svc(api), "2026-03-02T09:01:00+03:00", "software_suspended", software="S1")
    clock.set("2026-03-02T09:05:00+03:00")
    res = api.post(
        "/decide", json={"request": {**READ, "patient": "P1", "record": "R1"}}, headers=headers
    )
    assert res.status_code == 200 and (res.json()["decision"], res.json()["basis"]) == (
        "deny",
        "KTS/3",
    )
    [incident] = kts.incidents(svc(api), installation="S1")
    assert (incident["facility"], incident["administrator"], incident["basis"]) == (
        "F1",
        "A1",
        "KTS/3",
    )


def test_reads_of_many_patients_without_care_are_refused_as_copying_kts_2(
    api: TestClient, clock: Clock
) -> None:
    access.change_policy(svc(api), {"copy_distinct_patients": 3}, by="G1")
    for minute, patient in enumerate(PATIENTS[:3], start=1):
        clock.set(f"2026-03-02T09:0{minute}:00+03:00")
        assert read(api, patient) == (200, "6/3")
    clock.set("2026-03-02T09:05:00+03:00")
    status, basis = read(api, "Q4")
    assert (status, basis) == (200, "KTS/2")
    kinds = [i["kind"] for i in kts.incidents(svc(api), installation="S1")]
    assert kinds == ["copying"]


def test_the_copying_window_slides(api: TestClient, clock: Clock) -> None:
    access.change_policy(svc(api), {"copy_distinct_patients": 3}, by="G1")
    for minute, patient in enumerate(PATIENTS[:3], start=1):
        clock.set(f"2026-03-02T09:0{minute}:00+03:00")
        read(api, patient)
    clock.set("2026-03-02T10:30:00+03:00")  # the default window is one hour
    assert read(api, "Q4") == (200, "6/3")
