"""The FHIR door as the specification defines it (issue 17): each installation's ids in its own
namespace, every response a valid R4 resource, errors as OperationOutcomes, a whitelist of
types, governed Patients, and the patient named in an event the way FHIR names it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B import get_fhir_model_class

from mahrem.bootstrap import build
from mahrem.entrypoints.api.app import create_app
from mahrem.services.ports import Mahrem
from mahrem.services.records import TCKN_SYSTEM
from tests.e2e.auth import headers_for, software_headers
from tests.e2e.outcomes import problem_of
from tests.integration.helpers import event, loaded, rows
from tests.worlds import BASE_WORLD, tckn

S3 = {**BASE_WORLD["software"][0], "id": "S3", "facility": "F3"}


def door(folder: Path) -> TestClient:
    service = build(f"sqlite:///{folder}/m.db", key_dir=str(folder / "keys"))
    loaded(service, software=[*BASE_WORLD["software"], S3])
    return TestClient(create_app(service))


def svc(api: TestClient) -> Mahrem:
    service: Mahrem = api.app.state.service  # type: ignore[attr-defined]
    return service


def key(api: TestClient, installation: str = "S1", person: str = "D1") -> dict[str, str]:
    return software_headers(svc(api), installation, person, purpose="treatment")


def patient(local: str, number: str) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": local,
        "identifier": [{"system": TCKN_SYSTEM, "value": number}],
        "name": [{"text": "Can Yıldız"}],
        "birthDate": "1970-01-02",
    }


def observation(local: str, subject: str, value: float) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": local,
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
        "subject": {"reference": subject},
        "valueQuantity": {"value": value, "unit": "mg/dL"},
    }


def valid(body: dict[str, Any]) -> dict[str, Any]:
    """The body, once fhir.resources' R4B model of its type accepts it."""
    get_fhir_model_class(body["resourceType"]).model_validate(body)
    return body


def masked(text: str) -> str:
    """Mahrem's random record ids and the instants of storing: noise, not an answer."""
    text = re.sub(r"[0-9a-f]{32}", "<ID>", text)
    return re.sub(r'"lastUpdated":"[^"]+"', '"lastUpdated":"<T>"', text)


def push_as_f3(api: TestClient) -> list[tuple[int, str, str, str]]:
    """What F3's software is told when it pushes its Patient/1 and Observation/1001."""
    answers = [
        api.put("/fhir/Patient/1", json=patient("1", tckn(801)), headers=key(api, "S3", "D3")),
        api.put(
            "/fhir/Observation/1001",
            json=observation("1001", "Patient/1", 120),
            headers=key(api, "S3", "D3"),
        ),
    ]
    return [
        (a.status_code, masked(a.text), a.headers["etag"], masked(a.headers.get("location", "")))
        for a in answers
    ]


def test_two_hospitals_send_the_same_ids_and_neither_learns_of_the_other(tmp_path: Path) -> None:
    alone = door(tmp_path / "alone")
    crowded = door(tmp_path / "crowded")
    for local, number in (("1", tckn(800)), ("2", tckn(801))):
        assert (
            crowded.put(
                f"/fhir/Patient/{local}", json=patient(local, number), headers=key(crowded)
            ).status_code
            == 201
        )
    assert (
        crowded.put(
            "/fhir/Observation/1001",
            json=observation("1001", "Patient/1", 99),
            headers=key(crowded),
        ).status_code
        == 201
    )
    told = push_as_f3(alone)
    assert [t[0] for t in told] == [201, 201] and told == push_as_f3(crowded)
    f1, f3 = (rows(svc(crowded), "record_link", installation=i) for i in ("S1", "S3"))
    assert [r["local_id"] for r in f1] == [r["local_id"] for r in f3] == ["1001"]
    assert f1[0]["record"] != f3[0]["record"]


@pytest.fixture
def api(tmp_path: Path) -> TestClient:
    client = door(tmp_path)
    client.put("/fhir/Patient/h-1", json=patient("h-1", tckn(1)), headers=key(client))  # P1
    return client


def test_every_answer_under_fhir_is_a_valid_r4_resource(api: TestClient) -> None:
    h = key(api)
    now = datetime.now(UTC).isoformat()  # the door runs on the system clock
    event(svc(api), now, "check_in", id="E1", patient="P1", facility="F1")
    assert valid(api.get("/fhir/metadata").json())["fhirVersion"] == "4.0.1"
    created = api.post("/fhir/Observation", json=observation("x", "Patient/h-1", 88), headers=h)
    assert created.status_code == 201 and created.headers["location"].endswith("/_history/1")
    rid = valid(created.json())["id"]
    assert valid(api.get(f"/fhir/Observation/{rid}", headers=h).json())["meta"]["versionId"] == "1"
    found = api.get("/fhir/Observation", params={"patient": "h-1", "code": "2345-7"}, headers=h)
    # P1's glucose results the check-in opens: the world's R1 from F3 (M6/3-b) and the new one.
    assert [e["resource"]["id"] for e in valid(found.json())["entry"]] == ["R1", rid]
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {
                "resource": observation("b1", "Patient/h-1", 1),
                "request": {"method": "PUT", "url": "Observation/b1"},
            },
            {
                "resource": {**observation("b2", "Patient/h-1", 2), "status": "banana"},
                "request": {"method": "PUT", "url": "Observation/b2"},
            },
        ],
    }
    batch = valid(api.post("/fhir", json=bundle, headers=h).json())
    assert [e["response"]["status"][:3] for e in batch["entry"]] == ["201", "422"]
    assert (
        "body.entry[1].resource.status"
        in batch["entry"][1]["response"]["outcome"]["issue"][0]["expression"]
    )
    history = api.get(f"/fhir/Observation/{rid}/_history", headers=headers_for(svc(api), "P1"))
    assert valid(history.json())["total"] == 1
    errors = {
        400: api.get("/fhir/Observation", params={"patient": "h-1", "pateint": "x"}, headers=h),
        404: api.get("/fhir/Foo", params={"patient": "h-1"}, headers=h),
        412: api.put(
            f"/fhir/Observation/{rid}",
            json={**created.json(), "id": rid},
            headers={**h, "If-Match": 'W/"5"'},
        ),
        422: api.post(
            "/fhir/Observation",
            json={**observation("y", "Patient/h-1", 1), "status": "banana"},
            headers=h,
        ),
    }
    for status, res in errors.items():
        assert res.status_code == status and res.headers["content-type"] == "application/fhir+json"
        assert valid(res.json())["resourceType"] == "OperationOutcome"
    assert problem_of(errors[404])["code"] == "fhir.type_unsupported"
    assert problem_of(errors[422])["field"] == "body.status"


def test_an_update_that_changes_a_stored_record_is_a_correction_m13(api: TestClient) -> None:
    h = key(api)
    first = api.put("/fhir/Observation/o-1", json=observation("o-1", "Patient/h-1", 5), headers=h)
    again = api.put("/fhir/Observation/o-1", json=observation("o-1", "Patient/h-1", 5), headers=h)
    changed = api.put("/fhir/Observation/o-1", json=observation("o-1", "Patient/h-1", 6), headers=h)
    assert (first.status_code, again.status_code, changed.status_code) == (201, 200, 403)
    assert again.json()["id"] == first.json()["id"] and again.headers["etag"] == 'W/"1"'
    assert problem_of(changed)["basis"] == "13"


def test_a_patient_is_read_by_those_who_may_and_a_concealed_one_is_unknown(api: TestClient) -> None:
    mine = api.get("/fhir/Patient/h-1", headers=key(api))
    assert mine.status_code == 200 and valid(mine.json())["id"] == "P1"
    assert {i["value"] for i in mine.json()["identifier"]} == {tckn(1), "h-1"}
    stranger = api.get("/fhir/Patient/P1", headers=key(api, "S3", "D3"))
    assert stranger.status_code == 403 and problem_of(stranger)["basis"]
    # Audited once as a read of the patient: no record was served, none is logged as read.
    d3 = [(e["action"], e["record"]) for e in rows(svc(api), "audit_log", actor="D3")]
    assert d3 == [("patient_read", None)]
    event(
        svc(api),
        "2026-01-03T09:00:00+03:00",
        "concealment_order",
        patient="P1",
        court="Ankara 5. ACM",
        need_to_know=["O1"],
    )
    concealed = api.get("/fhir/Patient/P1", headers=key(api, "S3", "D3"))
    nobody = api.get("/fhir/Patient/P9", headers=key(api, "S3", "D3"))
    assert concealed.status_code == nobody.status_code == 404
    assert concealed.text == nobody.text.replace("P9", "P1")


@pytest.mark.parametrize("named", ["h-1", "Patient/P1", tckn(1), f"{TCKN_SYSTEM}|{tckn(1)}"])
def test_an_event_names_the_patient_as_fhir_does(api: TestClient, named: str) -> None:
    res = api.post(
        "/sbys/events",
        json={"event": {"type": "check_in", "id": "E9", "patient": named}},
        headers=key(api),
    )
    assert res.status_code == 200 and res.json()["result"] == "accepted", res.text
    assert [e["patient"] for e in rows(svc(api), "episode", id="E9")] == ["P1"]


def test_an_unknown_local_id_in_an_event_is_an_unknown_patient(api: TestClient) -> None:
    res = api.post(
        "/sbys/events",
        json={"event": {"type": "check_in", "id": "E9", "patient": "h-404"}},
        headers=key(api),
    )
    assert res.status_code == 404 and res.json()["code"] == "person.unknown"


def encounter(local: str, status: str, kind: str) -> dict[str, Any]:
    return {
        "resourceType": "Encounter",
        "id": local,
        "status": status,
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": kind},
        "subject": {"reference": "Patient/h-1"},
    }


def test_the_hospitals_encounters_admit_and_discharge_m6_3(api: TestClient) -> None:
    h = key(api)
    admitted = api.put(
        "/fhir/Encounter/e-1", json=encounter("e-1", "in-progress", "IMP"), headers=h
    )
    assert admitted.status_code == 201
    [episode] = rows(svc(api), "episode", patient="P1")
    assert (episode["kind"], episode["facility"], episode["ended_at"]) == ("admission", "F1", None)
    finished = api.put("/fhir/Encounter/e-1", json=encounter("e-1", "finished", "IMP"), headers=h)
    assert finished.status_code == 200 and finished.headers["etag"] == 'W/"2"'
    [closed] = rows(svc(api), "episode", patient="P1")
    assert closed["ended_at"] is not None
    history = api.put("/fhir/Encounter/e-2", json=encounter("e-2", "finished", "AMB"), headers=h)
    assert history.status_code == 201 and len(rows(svc(api), "episode", patient="P1")) == 1
    moved = {
        **encounter("e-1", "finished", "IMP"),
        "subject": {"reference": "Patient/P1"},
        "priority": {"text": "acil"},
    }
    assert api.put("/fhir/Encounter/e-1", json=moved, headers=h).status_code == 403  # content: M13


S2 = {**BASE_WORLD["software"][0], "id": "S2", "facility": "F2"}


@pytest.mark.parametrize(
    ("installation", "acting", "named", "registered"),
    [("S2", "D2", "D2", ["D2"]), ("S1", "D1", "D1", []), ("S2", "D2", "D1", [])],
)
def test_a_general_practitioner_registers_only_from_a_family_health_centre_for_its_own_staff_m6_3_a(
    tmp_path: Path, installation: str, acting: str, named: str, registered: list[str]
) -> None:
    service = build(f"sqlite:///{tmp_path}/m.db", key_dir=str(tmp_path / "keys"))
    loaded(service, software=[*BASE_WORLD["software"], S2])
    api = TestClient(create_app(service))
    body = {
        **patient("g-1", tckn(1)),
        "generalPractitioner": [{"reference": f"Practitioner/{named}"}],
    }
    res = api.put(
        "/fhir/Patient/g-1", json=body, headers=software_headers(service, installation, acting)
    )
    assert res.status_code == 201
    assert [r["physician"] for r in rows(service, "family_doctor", patient="P1")] == registered


def test_a_check_in_resent_with_its_idempotency_key_changes_nothing(api: TestClient) -> None:
    h = {**key(api), "Idempotency-Key": "hbys-req-42"}
    check_in = {"event": {"type": "check_in", "id": "E7", "patient": "h-1"}}
    first, again = (api.post("/sbys/events", json=check_in, headers=h) for _ in range(2))
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert len(rows(svc(api), "episode", id="E7")) == 1
    without = api.post("/sbys/events", json=check_in, headers=key(api))
    assert without.status_code == 422  # the episode id is taken: a resend needs its key
    other = {"event": {"type": "check_in", "id": "E8", "patient": "h-1"}}
    reused = api.post("/sbys/events", json=other, headers=h)
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency.key_reused"
    assert rows(svc(api), "episode", id="E8") == []


def test_a_client_that_sends_too_much_is_told_to_wait(tmp_path: Path) -> None:
    service = build(f"sqlite:///{tmp_path}/m.db", key_dir=str(tmp_path / "keys"))
    loaded(service)
    api = TestClient(create_app(service, rate_limit=3))
    h = software_headers(service, "S1", "D1", purpose="treatment")
    answers = [api.get("/fhir/Observation", params={"patient": "P1"}, headers=h) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[3].headers["retry-after"]) >= 1
    assert valid(answers[3].json())["issue"][0]["code"] == "throttled"
    assert api.get("/fhir/metadata").status_code == 200  # no credential: not counted


def test_the_throttle_forgets_what_left_the_window() -> None:
    from mahrem.entrypoints.api.throttle import WINDOW, Throttle

    now = [0.0]
    throttle = Throttle(2, clock=lambda: now[0])
    assert [throttle.wait_for("k") for _ in range(3)] == [0.0, 0.0, WINDOW]
    now[0] = WINDOW + 0.5
    assert throttle.wait_for("k") == 0.0 and throttle.wait_for("other") == 0.0


def appointment(status: str) -> dict[str, Any]:
    return {
        "resourceType": "Appointment",
        "id": "a-1",
        "status": status,
        "start": "2026-12-20T10:00:00+03:00",
        "participant": [
            {"actor": {"reference": "Patient/h-1"}, "status": "accepted"},
            {"actor": {"reference": "Practitioner/D1"}, "status": "accepted"},
        ],
    }


def test_the_hospitals_appointment_is_booked_and_fulfilled_m6_3_b(api: TestClient) -> None:
    h = key(api)
    booked = api.put("/fhir/Appointment/a-1", json=appointment("booked"), headers=h)
    assert booked.status_code == 201, booked.text
    assert booked.json()["participant"][0]["actor"] == {"reference": "Patient/h-1"}  # as sent
    [episode] = rows(svc(api), "episode", patient="P1")
    assert (episode["kind"], episode["physician"], str(episode["day"])) == (
        "appointment",
        "D1",
        "2026-12-20",
    )
    own = headers_for(svc(api), "P1")  # the patient's own view (D1's window opens on the day)
    found = api.get(
        "/fhir/Appointment", params={"patient": "P1", "date": "2026-12-20"}, headers=own
    )
    assert found.json()["total"] == 1
    fulfilled = api.put("/fhir/Appointment/a-1", json=appointment("fulfilled"), headers=h)
    assert fulfilled.status_code == 200 and fulfilled.headers["etag"] == 'W/"2"'
    assert rows(svc(api), "episode", patient="P1")[0]["ended_at"] is not None
